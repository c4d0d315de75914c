import { route } from "@/lib/api/endpoint";
import { passkeyLogin } from "@/lib/api/endpoints/passkeys";
import { loginWithPasskey } from "@/lib/accounts/login";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  passkeyLogin.handler(async ({ request, body }) => json(await loginWithPasskey(body, clientInfo(request)), 200, { Pragma: "no-cache" })),
);
