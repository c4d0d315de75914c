import { route } from "@/lib/api/endpoint";
import { confirmEmailChange } from "@/lib/api/endpoints/email";
import { confirmEmailChange as confirm } from "@/lib/accounts/email-change";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  confirmEmailChange.handler(async ({ request, body }) => {
    const { email } = await confirm(body.token, clientInfo(request));
    return json({ message: `Email changed to ${email}` });
  }),
);
