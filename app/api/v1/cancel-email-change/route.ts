import { route } from "@/lib/api/endpoint";
import { cancelEmailChange } from "@/lib/api/endpoints/email";
import { cancelEmailChange as cancel } from "@/lib/accounts/email-change";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  cancelEmailChange.handler(async ({ request, body }) => {
    const { email } = await cancel(body.token, clientInfo(request));
    return json({ message: `The email change was undone and every device was signed out. Sign in with ${email}.` });
  }),
);
