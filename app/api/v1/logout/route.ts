import { Logout } from "@/lib/api/schemas";
import { requireUser } from "@/lib/auth/current-user";
import { clientInfo } from "@/lib/http/client";
import { handle, json, otherMethods, parseJson } from "@/lib/http/handler";
import { logout } from "@/lib/sessions";

export const POST = handle(async (request) => {
  const { user, tokenId } = await requireUser(request);
  const { everywhere } = await parseJson(request, Logout, { optional: true });
  const { revoked } = await logout(user.id, tokenId, everywhere, clientInfo(request));
  return json({ message: everywhere ? "Signed out everywhere" : "Signed out", revoked });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
