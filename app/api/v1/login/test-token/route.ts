import { requireActiveUser } from "@/lib/auth/current-user";
import { handle, json, otherMethods } from "@/lib/http/handler";
import { toUserPublic } from "@/lib/users";

export const POST = handle(async (request) => {
  const { user } = await requireActiveUser(request);
  return json(toUserPublic(user));
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
