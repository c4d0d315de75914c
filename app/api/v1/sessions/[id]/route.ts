import { route } from "@/lib/api/endpoint";
import { revokeSession } from "@/lib/api/endpoints/sessions";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";
import { revokeToken } from "@/lib/accounts/sessions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  revokeSession.handler(async ({ request, auth, params }) => {
    await revokeToken(auth.user.id, params.id, clientInfo(request));
    return json({ message: "Session revoked" });
  }),
);
