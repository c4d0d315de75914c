import { UserUpdate } from "@/lib/api/schemas";
import { requireSuperuser } from "@/lib/auth/current-user";
import { handle, json, otherMethods, parseJson } from "@/lib/http/handler";
import { deleteUser, getUserById, toUserPublic, updateUser } from "@/lib/users";

type Params = { id: string };

export const GET = handle<Params>(async (request, { id }) => {
  await requireSuperuser(request);
  return json(toUserPublic(await getUserById(id)));
});

export const PATCH = handle<Params>(async (request, { id }) => {
  const { user } = await requireSuperuser(request);
  const updated = await updateUser(user, id, await parseJson(request, UserUpdate));
  return json(toUserPublic(updated));
});

export const DELETE = handle<Params>(async (request, { id }) => {
  const { user } = await requireSuperuser(request);
  await deleteUser(user, id);
  return json({ message: "User deleted successfully" });
});

export const { POST, PUT } = otherMethods("GET", "PATCH", "DELETE");
