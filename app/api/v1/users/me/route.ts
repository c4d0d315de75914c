import { route } from "@/lib/api/endpoint";
import { deleteUserMe, readUserMe, updateUserMe } from "@/lib/api/endpoints/users";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import { emailChangeRequestedMessage } from "@/lib/accounts/email-change";
import { deleteMe, toUserPublic, updateMe } from "@/lib/accounts/users";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  readUserMe.handler(async ({ auth }) => json(toUserPublic(auth.user))),
  updateUserMe.handler(async ({ request, auth, body }) => {
    const { user, pendingEmail } = await updateMe(auth, body, clientInfo(request));
    return pendingEmail ? json({ message: emailChangeRequestedMessage(pendingEmail) }, 202) : json(toUserPublic(user));
  }),
  deleteUserMe.handler(async ({ request, auth, body }) => {
    await deleteMe(auth, { ...body, client: clientInfo(request) });
    return json({ message: "User deleted successfully" });
  }),
);
