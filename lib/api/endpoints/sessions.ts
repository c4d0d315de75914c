/** The live tokens of the current user. */
import { endpoint } from "../endpoint";
import { errorResponse, ok } from "../responses";
import { Message, SessionIdParams, SessionsPublic } from "../../schemas";

export const readSessions = endpoint({
  method: "GET",
  path: "/api/v1/sessions",
  tag: "sessions",
  operationId: "sessions-read_sessions",
  summary: "My live sessions",
  description: "The user's tokens that are neither expired nor revoked; `current` marks this request's.",
  auth: "active",
  responses: { "200": ok("Live sessions", SessionsPublic) },
});

export const revokeSession = endpoint({
  method: "DELETE",
  path: "/api/v1/sessions/{id}",
  tag: "sessions",
  operationId: "sessions-revoke_session",
  summary: "Revoke one of my sessions",
  auth: "active",
  params: SessionIdParams,
  responses: {
    "200": ok("Revoked", Message),
    "404": errorResponse("No such live session of this user", "Session not found"),
  },
});
