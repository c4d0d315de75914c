import { route } from "@/lib/api/endpoint";
import { regenerateRecoveryCodes } from "@/lib/api/endpoints/mfa";
import { regenerateRecoveryCodes as makeNewCodes } from "@/lib/accounts/second-factor";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  regenerateRecoveryCodes.handler(async ({ request, auth, body }) => {
    const codes = await makeNewCodes(auth, { ...body, client: clientInfo(request) });
    return json({ recovery_codes: codes });
  }),
);
