import { route } from "@/lib/api/endpoint";
import { removePasskey, renamePasskey } from "@/lib/api/endpoints/passkeys";
import { removePasskey as remove, renamePasskey as rename } from "@/lib/accounts/passkeys";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  renamePasskey.handler(async ({ auth, params, body }) => json(await rename(auth.user.id, params.id, body.name))),
  removePasskey.handler(async ({ request, auth, params, body }) => {
    await remove(auth, params.id, { ...body, client: clientInfo(request) });
    return json({ message: "Passkey removed" });
  }),
);
