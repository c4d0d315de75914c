import { route } from "@/lib/api/endpoint";
import { passkeyLoginOptions } from "@/lib/api/endpoints/passkeys";
import { passkeySignInOptions } from "@/lib/accounts/passkey-sign-in";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  passkeyLoginOptions.handler(async () => json(await passkeySignInOptions(), 200, { "Cache-Control": "no-store" })),
);
