import { UpdatePassword } from "@/lib/api/schemas";
import { requireActiveUser } from "@/lib/auth/current-user";
import { clientInfo } from "@/lib/http/client";
import { handle, json, otherMethods, parseJson } from "@/lib/http/handler";
import { listLinkedAccounts } from "@/lib/linked-accounts";
import { changePassword } from "@/lib/users";

export const PATCH = handle(async (request) => {
  const { user, tokenId } = await requireActiveUser(request);
  const { revoked } = await changePassword(user, tokenId, await parseJson(request, UpdatePassword), clientInfo(request));
  // Linked provider accounts sign in without the password: say which, so that a stranger's can be removed.
  return json({ message: "Password updated successfully", revoked, linked_accounts: await listLinkedAccounts(user.id) });
});

export const { GET, POST, PUT, DELETE } = otherMethods("PATCH");
