import { requireActiveUser } from "@/lib/auth/current-user";
import { handle, json } from "@/lib/http/handler";
import { revokeToken } from "@/lib/sessions";

export const DELETE = handle<{ id: string }>(async (request, { id }) => {
  const { user } = await requireActiveUser(request);
  await revokeToken(user.id, id);
  return json({ message: "Session revoked" });
});
