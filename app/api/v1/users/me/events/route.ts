import { listAuthEvents } from "@/lib/accounts/audit";
import { route } from "@/lib/api/endpoint";
import { readMyEvents } from "@/lib/api/endpoints/users";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  readMyEvents.handler(async ({ auth, query }) => json(await listAuthEvents(auth.user.id, query))),
);
