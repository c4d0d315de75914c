import { route } from "@/lib/api/endpoint";
import { loginMfa } from "@/lib/api/endpoints/mfa";
import { loginWithSecondFactor } from "@/lib/accounts/login";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  loginMfa.handler(async ({ request, body }) => json(await loginWithSecondFactor(body, clientInfo(request)), 200, { Pragma: "no-cache" })),
);
