import { route } from "@/lib/api/endpoint";
import { startTotp } from "@/lib/api/endpoints/mfa";
import { startTotpEnrolment } from "@/lib/accounts/second-factor";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  startTotp.handler(async ({ request, auth, body }) =>
    json(await startTotpEnrolment(auth, { ...body, client: clientInfo(request) })),
  ),
);
