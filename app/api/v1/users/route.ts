import { route } from "@/lib/api/endpoint";
import { createUser, readUsers } from "@/lib/api/endpoints/users";
import { json } from "@/lib/http/handler";
import * as users from "@/lib/accounts/users";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  readUsers.handler(async ({ query }) => json(await users.listUsers(query))),
  createUser.handler(async ({ body }) => json(users.toUserPublic(await users.createUser(body)), 201)),
);
