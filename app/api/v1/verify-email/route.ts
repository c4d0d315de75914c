import { route } from "@/lib/api/endpoint";
import { verifyEmail } from "@/lib/api/endpoints/email";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import * as verification from "@/lib/accounts/email-verification";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  verifyEmail.handler(async ({ request, body }) => {
    await verification.verifyEmail(body.token, clientInfo(request));
    return json({ message: "Email verified" });
  }),
);
