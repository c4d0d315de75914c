import { route } from "@/lib/api/endpoint";
import { revokeUserSession } from "@/lib/api/endpoints/users";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import * as users from "@/lib/accounts/users";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  revokeUserSession.handler(async ({ request, params }) => {
    await users.revokeUserSession(params.user_id, params.id, clientInfo(request));
    return json({ message: "Session revoked" });
  }),
);
