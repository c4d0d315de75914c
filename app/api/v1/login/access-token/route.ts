import { LoginRequest } from "@/lib/api/schemas";
import { loginWithPassword } from "@/lib/auth/login";
import { clientInfo } from "@/lib/http/client";
import { handle, json, otherMethods, parseFormOrJson } from "@/lib/http/handler";

export const POST = handle(async (request) => {
  const input = await parseFormOrJson(request, LoginRequest);
  return json(await loginWithPassword(input, clientInfo(request)), 200, { Pragma: "no-cache" });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
