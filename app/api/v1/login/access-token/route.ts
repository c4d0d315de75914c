import { route } from "@/lib/api/endpoint";
import { loginAccessToken } from "@/lib/api/endpoints/login";
import { TOKEN_GRANTS } from "@/lib/schemas";
import { loginWithPassword, loginWithRefreshToken } from "@/lib/accounts/login";
import { clientInfo } from "@/lib/http/client";
import { errors } from "@/lib/http/errors";
import { json, validate } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  loginAccessToken.handler(async ({ request, body }) => {
    const grant = body.grant_type ?? "password";
    const client = clientInfo(request);
    let issued;
    if (grant === "password") issued = await loginWithPassword(validate(TOKEN_GRANTS.password, body), client);
    else if (grant === "refresh_token") issued = await loginWithRefreshToken(validate(TOKEN_GRANTS.refresh_token, body), client);
    else throw errors.unsupportedGrantType();
    return json(issued, 200, { Pragma: "no-cache" });
  }),
);
