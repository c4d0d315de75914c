import { listAuthEvents } from "@/lib/audit";
import { requireActiveUser } from "@/lib/auth/current-user";
import { handle, json, otherMethods } from "@/lib/http/handler";

export const GET = handle(async (request) => {
  const { user } = await requireActiveUser(request);
  return json(await listAuthEvents(user.id));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
