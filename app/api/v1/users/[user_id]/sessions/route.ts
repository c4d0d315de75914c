import { route } from "@/lib/api/endpoint";
import { readUserSessions } from "@/lib/api/endpoints/users";
import { json } from "@/lib/http/handler";
import { listUserSessions } from "@/lib/accounts/users";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  readUserSessions.handler(async ({ params }) => json(await listUserSessions(params.user_id))),
);
