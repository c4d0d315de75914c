import { UpdatePassword } from "@/lib/api/schemas";
import { requireActiveUser } from "@/lib/auth/current-user";
import { clientInfo } from "@/lib/http/client";
import { handle, json, otherMethods, parseJson } from "@/lib/http/handler";
import { changePassword } from "@/lib/users";

export const PATCH = handle(async (request) => {
  const { user, tokenId } = await requireActiveUser(request);
  const { revoked } = await changePassword(user, tokenId, await parseJson(request, UpdatePassword), clientInfo(request));
  return json({ message: "Password updated successfully", revoked });
});

export const { GET, POST, PUT, DELETE } = otherMethods("PATCH");
