import { route } from "@/lib/api/endpoint";
import { testToken } from "@/lib/api/endpoints/login";
import { json } from "@/lib/http/handler";
import { toUserPublic } from "@/lib/accounts/users";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  testToken.handler(async ({ auth }) => json(toUserPublic(auth.user))),
);
