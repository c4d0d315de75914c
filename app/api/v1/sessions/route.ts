import { route } from "@/lib/api/endpoint";
import { readSessions } from "@/lib/api/endpoints/sessions";
import { json } from "@/lib/http/handler";
import { listSessions } from "@/lib/accounts/sessions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  readSessions.handler(async ({ auth }) => json(await listSessions(auth.user.id, auth.tokenId))),
);
