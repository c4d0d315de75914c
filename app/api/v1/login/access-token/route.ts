import { route } from "@/lib/api/endpoint";
import { loginAccessToken } from "@/lib/api/endpoints/login";
import { loginWithPassword } from "@/lib/auth/login";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  loginAccessToken.handler(async ({ request, body }) =>
    json(await loginWithPassword(body, clientInfo(request)), 200, { Pragma: "no-cache" }),
  ),
);
