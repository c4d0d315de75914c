import { route } from "@/lib/api/endpoint";
import { confirmTotp } from "@/lib/api/endpoints/mfa";
import { confirmTotpEnrolment } from "@/lib/accounts/second-factor";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  confirmTotp.handler(async ({ request, auth, body }) => {
    const codes = await confirmTotpEnrolment(auth, body.code, clientInfo(request));
    return json({ recovery_codes: codes });
  }),
);
