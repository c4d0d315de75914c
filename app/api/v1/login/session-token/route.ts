import { browserSignInFromCookie } from "@/lib/auth/authjs";
import { clientInfo } from "@/lib/http/client";
import { handle, json, otherMethods, requireSameOrigin } from "@/lib/http/handler";
import { mintBrowserSessionToken } from "@/lib/sessions";

export const POST = handle(async (request) => {
  requireSameOrigin(request);
  const signIn = await browserSignInFromCookie(request);
  return json(await mintBrowserSessionToken(signIn, clientInfo(request)), 200, { Pragma: "no-cache" });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
