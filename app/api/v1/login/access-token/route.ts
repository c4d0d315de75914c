import { TOKEN_GRANTS, TokenGrant } from "@/lib/api/schemas";
import { loginWithPassword, loginWithRefreshToken } from "@/lib/auth/login";
import { clientInfo } from "@/lib/http/client";
import { errors } from "@/lib/http/errors";
import { handle, json, otherMethods, parseFormOrJson, validate } from "@/lib/http/handler";

export const POST = handle(async (request) => {
  const body = await parseFormOrJson(request, TokenGrant);
  const grant = body.grant_type ?? "password";
  const client = clientInfo(request);
  if (grant === "password") return tokens(await loginWithPassword(validate(TOKEN_GRANTS.password, body), client));
  if (grant === "refresh_token") {
    return tokens(await loginWithRefreshToken(validate(TOKEN_GRANTS.refresh_token, body), client));
  }
  throw errors.unsupportedGrantType();
});

const tokens = (issued: object) => json(issued, 200, { Pragma: "no-cache" });

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
