import { RevokeTokenRequest } from "@/lib/api/schemas";
import { revokePresentedToken } from "@/lib/auth/revocation";
import { clientInfo } from "@/lib/http/client";
import { handle, json, otherMethods, parseFormOrJson } from "@/lib/http/handler";

export const POST = handle(async (request) => {
  const input = await parseFormOrJson(request, RevokeTokenRequest);
  await revokePresentedToken(input.token, input.token_type_hint, clientInfo(request));
  // RFC 7009 §2.2: the same 200 whether the token was ours, already invalid or unknown.
  return json({});
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
