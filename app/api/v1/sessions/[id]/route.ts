import { requireActiveUser } from "@/lib/auth/current-user";
import { clientInfo } from "@/lib/http/client";
import { handle, json, otherMethods } from "@/lib/http/handler";
import { revokeToken } from "@/lib/sessions";

export const DELETE = handle<{ id: string }>(async (request, { id }) => {
  const { user } = await requireActiveUser(request);
  await revokeToken(user.id, id, clientInfo(request));
  return json({ message: "Session revoked" });
});

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
