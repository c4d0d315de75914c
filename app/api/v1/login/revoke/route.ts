import { route } from "@/lib/api/endpoint";
import { loginRevoke } from "@/lib/api/endpoints/login";
import { revokePresentedToken } from "@/lib/accounts/revocation";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  loginRevoke.handler(async ({ request, body }) => {
    await revokePresentedToken(body.token, body.token_type_hint, clientInfo(request));
    // RFC 7009 §2.2: the same 200 whether the token was ours, already invalid or unknown.
    return json({});
  }),
);
