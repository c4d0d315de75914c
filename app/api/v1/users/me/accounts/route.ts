import { requireActiveUser } from "@/lib/auth/current-user";
import { handle, json, otherMethods } from "@/lib/http/handler";
import { listLinkedAccounts } from "@/lib/linked-accounts";

export const GET = handle(async (request) => {
  const { user } = await requireActiveUser(request);
  const data = await listLinkedAccounts(user.id);
  return json({ data, count: data.length });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
