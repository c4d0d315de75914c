import { route } from "@/lib/api/endpoint";
import { reauthenticationPasskeyOptions } from "@/lib/api/endpoints/passkeys";
import { reauthenticationPasskeyOptions as passkeyOptions } from "@/lib/accounts/reauthentication";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  reauthenticationPasskeyOptions.handler(async ({ auth }) => json(await passkeyOptions(auth), 200, { "Cache-Control": "no-store" })),
);
