import { route } from "@/lib/api/endpoint";
import { passkeyRegistrationOptions } from "@/lib/api/endpoints/passkeys";
import { passkeyRegistrationOptions as registrationOptions } from "@/lib/accounts/passkeys";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  passkeyRegistrationOptions.handler(async ({ request, auth, body }) =>
    json(await registrationOptions(auth, { ...body, client: clientInfo(request) }), 200, { "Cache-Control": "no-store" }),
  ),
);
