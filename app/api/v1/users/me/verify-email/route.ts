import { route } from "@/lib/api/endpoint";
import { requestEmailVerification } from "@/lib/api/endpoints/email";
import { json } from "@/lib/http/handler";
import { resendVerification } from "@/lib/accounts/email-verification";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  requestEmailVerification.handler(async ({ auth }) => {
    await resendVerification(auth.user);
    return json({ message: "Verification email sent" }, 202);
  }),
);
