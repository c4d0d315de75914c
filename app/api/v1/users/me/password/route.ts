import { route } from "@/lib/api/endpoint";
import { updatePasswordMe } from "@/lib/api/endpoints/users";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import { listLinkedAccounts } from "@/lib/accounts/linked-accounts";
import { changePassword } from "@/lib/accounts/users";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  updatePasswordMe.handler(async ({ request, auth: { user, tokenId }, body }) => {
    const { revoked } = await changePassword(user, tokenId, body, clientInfo(request));
    // Linked provider accounts sign in without the password: say which, so that a stranger's can be removed.
    return json({ message: "Password updated successfully", revoked, linked_accounts: await listLinkedAccounts(user.id) });
  }),
);
