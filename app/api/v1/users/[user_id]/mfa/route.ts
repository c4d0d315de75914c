import { route } from "@/lib/api/endpoint";
import { resetUserMfa } from "@/lib/api/endpoints/mfa";
import { resetSecondFactors } from "@/lib/accounts/second-factor";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  resetUserMfa.handler(async ({ request, params }) => {
    await resetSecondFactors(params.user_id, clientInfo(request));
    return json({ message: "Second factors reset" });
  }),
);
