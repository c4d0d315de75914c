import { route } from "@/lib/api/endpoint";
import { registerUser } from "@/lib/api/endpoints/users";
import { json } from "@/lib/http/handler";
import { signUp, toUserPublic } from "@/lib/accounts/users";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  registerUser.handler(async ({ body }) => json(toUserPublic(await signUp(body)), 201)),
);
