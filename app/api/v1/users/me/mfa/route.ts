import { route } from "@/lib/api/endpoint";
import { disableMfa, readMfaStatus } from "@/lib/api/endpoints/mfa";
import { disableSecondFactors, mfaStatus } from "@/lib/accounts/second-factor";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  readMfaStatus.handler(async ({ auth }) => json(await mfaStatus(auth.user))),
  disableMfa.handler(async ({ request, auth, body }) => {
    await disableSecondFactors(auth, { ...body, client: clientInfo(request) });
    return json({ message: "Two-factor authentication turned off" });
  }),
);
