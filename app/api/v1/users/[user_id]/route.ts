import { route } from "@/lib/api/endpoint";
import { deleteUser, readUserById, updateUser } from "@/lib/api/endpoints/users";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import * as users from "@/lib/accounts/users";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  readUserById.handler(async ({ auth, params }) => json(users.toUserPublic(await users.readUserById(auth.user, params.user_id)))),
  updateUser.handler(async ({ request, auth, params, body }) =>
    json(users.toUserPublic(await users.updateUser(auth, params.user_id, body, clientInfo(request)))),
  ),
  deleteUser.handler(async ({ auth, params }) => {
    await users.deleteUser(auth.user, params.user_id);
    return json({ message: "User deleted successfully" });
  }),
);
