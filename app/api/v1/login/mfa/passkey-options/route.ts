import { route } from "@/lib/api/endpoint";
import { mfaPasskeyOptions } from "@/lib/api/endpoints/passkeys";
import { secondFactorPasskeyOptions } from "@/lib/accounts/passkey-sign-in";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  mfaPasskeyOptions.handler(async ({ body }) => json(await secondFactorPasskeyOptions(body.mfa_token), 200, { "Cache-Control": "no-store" })),
);
