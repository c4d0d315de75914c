import { route } from "@/lib/api/endpoint";
import { logout } from "@/lib/api/endpoints/login";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import { listLinkedAccounts } from "@/lib/accounts/linked-accounts";
import * as sessions from "@/lib/accounts/sessions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  logout.handler(async ({ request, auth: { user, tokenId }, body: { everywhere } }) => {
    const { revoked } = await sessions.logout(user.id, tokenId, everywhere, clientInfo(request));
    if (!everywhere) return json({ message: "Signed out", revoked });
    // Linked provider accounts still sign in as the user: say which, so that a stranger's can be removed.
    return json({ message: "Signed out everywhere", revoked, linked_accounts: await listLinkedAccounts(user.id) });
  }),
);
