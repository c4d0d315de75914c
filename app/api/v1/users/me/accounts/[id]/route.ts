import { requireActiveUser } from "@/lib/auth/current-user";
import { clientInfo } from "@/lib/http/client";
import { handle, json, otherMethods } from "@/lib/http/handler";
import { unlinkAccount } from "@/lib/linked-accounts";

export const DELETE = handle<{ id: string }>(async (request, { id }) => {
  const { user, tokenId } = await requireActiveUser(request);
  const { revoked } = await unlinkAccount(user.id, id, tokenId, clientInfo(request));
  return json({ message: "Linked account removed", revoked });
});

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
