import { route } from "@/lib/api/endpoint";
import { sessionToken } from "@/lib/api/endpoints/login";
import { browserSignInFromCookie } from "@/lib/accounts/authjs";
import { clientInfo } from "@/lib/http/client";
import { json, requireSameOrigin } from "@/lib/http/handler";
import { mintBrowserSessionToken } from "@/lib/accounts/browser-sessions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  sessionToken.handler(async ({ request }) => {
    requireSameOrigin(request);
    const signIn = await browserSignInFromCookie(request);
    return json(await mintBrowserSessionToken(signIn, clientInfo(request)), 200, { Pragma: "no-cache" });
  }),
);
