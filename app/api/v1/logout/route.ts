import { Logout } from "@/lib/api/schemas";
import { requireUser } from "@/lib/auth/current-user";
import { clientInfo } from "@/lib/http/client";
import { handle, json, otherMethods, parseJson } from "@/lib/http/handler";
import { listLinkedAccounts } from "@/lib/linked-accounts";
import { logout } from "@/lib/sessions";

export const POST = handle(async (request) => {
  const { user, tokenId } = await requireUser(request);
  const { everywhere } = await parseJson(request, Logout, { optional: true });
  const { revoked } = await logout(user.id, tokenId, everywhere, clientInfo(request));
  if (!everywhere) return json({ message: "Signed out", revoked });
  // Linked provider accounts still sign in as the user: say which, so that a stranger's can be removed.
  return json({ message: "Signed out everywhere", revoked, linked_accounts: await listLinkedAccounts(user.id) });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
