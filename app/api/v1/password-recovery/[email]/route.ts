import { route } from "@/lib/api/endpoint";
import { recoverPassword } from "@/lib/api/endpoints/email";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import { RECOVERY_MESSAGE, requestPasswordRecovery } from "@/lib/accounts/password-recovery";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  recoverPassword.handler(async ({ request, params }) => {
    requestPasswordRecovery(params.email, clientInfo(request));
    return json({ message: RECOVERY_MESSAGE });
  }),
);
