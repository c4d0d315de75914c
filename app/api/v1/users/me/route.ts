import { route } from "@/lib/api/endpoint";
import { deleteUserMe, readUserMe, updateUserMe } from "@/lib/api/endpoints/users";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import { deleteMe, toUserPublic, updateMe } from "@/lib/users";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  readUserMe.handler(async ({ auth }) => json(toUserPublic(auth.user))),
  updateUserMe.handler(async ({ request, auth, body }) =>
    json(toUserPublic(await updateMe(auth.user, body, clientInfo(request)))),
  ),
  deleteUserMe.handler(async ({ request, auth, body }) => {
    await deleteMe(auth.user, body.password === undefined ? undefined : { password: body.password, client: clientInfo(request) });
    return json({ message: "User deleted successfully" });
  }),
);
