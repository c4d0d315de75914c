import { UpdateMe } from "@/lib/api/schemas";
import { requireActiveUser } from "@/lib/auth/current-user";
import { clientInfo } from "@/lib/http/client";
import { handle, json, otherMethods, parseJson } from "@/lib/http/handler";
import { deleteMe, toUserPublic, updateMe } from "@/lib/users";

export const GET = handle(async (request) => {
  const { user } = await requireActiveUser(request);
  return json(toUserPublic(user));
});

export const PATCH = handle(async (request) => {
  const { user } = await requireActiveUser(request);
  const updated = await updateMe(user, await parseJson(request, UpdateMe), clientInfo(request));
  return json(toUserPublic(updated));
});

export const DELETE = handle(async (request) => {
  const { user } = await requireActiveUser(request);
  await deleteMe(user);
  return json({ message: "User deleted successfully" });
});

export const { POST, PUT } = otherMethods("GET", "PATCH", "DELETE");
