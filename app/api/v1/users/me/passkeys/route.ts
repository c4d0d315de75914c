import { route } from "@/lib/api/endpoint";
import { readPasskeys, registerPasskey } from "@/lib/api/endpoints/passkeys";
import { listPasskeys, registerPasskey as register } from "@/lib/accounts/passkeys";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  readPasskeys.handler(async ({ auth }) => json(await listPasskeys(auth.user.id))),
  registerPasskey.handler(async ({ request, auth, body }) => json(await register(auth, body, clientInfo(request)), 201)),
);
