import { route } from "@/lib/api/endpoint";
import { readMyAccounts } from "@/lib/api/endpoints/users";
import { json } from "@/lib/http/handler";
import { listLinkedAccounts } from "@/lib/accounts/linked-accounts";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  readMyAccounts.handler(async ({ auth }) => {
    const data = await listLinkedAccounts(auth.user.id);
    return json({ data, count: data.length });
  }),
);
