import { Pagination, UserCreate } from "@/lib/api/schemas";
import { requireSuperuser } from "@/lib/auth/current-user";
import { handle, json, otherMethods, parseJson, parseQuery } from "@/lib/http/handler";
import { createUser, listUsers, toUserPublic } from "@/lib/users";

export const GET = handle(async (request) => {
  await requireSuperuser(request);
  return json(await listUsers(parseQuery(request, Pagination)));
});

export const POST = handle(async (request) => {
  await requireSuperuser(request);
  const user = await createUser(await parseJson(request, UserCreate));
  return json(toUserPublic(user), 201);
});

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
