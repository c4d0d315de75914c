import { route } from "@/lib/api/endpoint";
import { createPrivateUser } from "@/lib/api/endpoints/private";
import { json } from "@/lib/http/handler";
import { createLocalUser, toUserPublic } from "@/lib/accounts/users";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  createPrivateUser.handler(async ({ body }) => json(toUserPublic(await createLocalUser(body)))),
);
