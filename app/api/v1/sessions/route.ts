import { requireActiveUser } from "@/lib/auth/current-user";
import { handle, json, otherMethods } from "@/lib/http/handler";
import { listSessions } from "@/lib/sessions";

export const GET = handle(async (request) => {
  const { user, tokenId } = await requireActiveUser(request);
  return json(await listSessions(user.id, tokenId));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
