import { route } from "@/lib/api/endpoint";
import { resetPassword } from "@/lib/api/endpoints/email";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import * as recovery from "@/lib/accounts/password-recovery";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  resetPassword.handler(async ({ request, body }) => {
    await recovery.resetPassword(body, clientInfo(request));
    return json({ message: "Password updated successfully" });
  }),
);
