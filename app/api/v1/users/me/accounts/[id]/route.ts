import { route } from "@/lib/api/endpoint";
import { unlinkMyAccount } from "@/lib/api/endpoints/users";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import { unlinkAccount } from "@/lib/accounts/linked-accounts";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  unlinkMyAccount.handler(async ({ request, auth, params, body }) => {
    const { revoked } = await unlinkAccount(auth, params.id, { ...body, client: clientInfo(request) });
    return json({ message: "Linked account removed", revoked });
  }),
);
