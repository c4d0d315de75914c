import { route } from "@/lib/api/endpoint";
import { testEmail } from "@/lib/api/endpoints/email";
import { json } from "@/lib/http/handler";
import { appName, templates } from "@/lib/mail/mailer";
import { queueAccountMail } from "@/lib/accounts/account-mail";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  testEmail.handler(async ({ query, auth }) => {
    queueAccountMail({ to: query.email_to, kind: "test", userId: auth.user.id, template: templates.test({ appName: appName() }) });
    return json({ message: "Test email sent" }, 201);
  }),
);
