/** The FastAPI template's local-only endpoints: served only with API_COMPAT=fastapi-template and ENVIRONMENT=local. */
import { endpoint } from "../endpoint";
import { privateUsersServed } from "../compat";
import { emailTaken, ok } from "../responses";
import { PrivateUserCreate, UserPublic } from "../../schemas";

export const createPrivateUser = endpoint({
  method: "POST",
  path: "/api/v1/private/users/",
  tag: "private",
  operationId: "private-create_user",
  summary: "Create a user (local development only)",
  description:
    "The template's development shortcut: an active account, without signing in, without mail and without " +
    "the common-password check. Only with API_COMPAT=fastapi-template and ENVIRONMENT=local; 404 otherwise.",
  auth: "none",
  body: { schema: PrivateUserCreate },
  responses: { "200": ok("The new user", UserPublic), "409": emailTaken },
  served: privateUsersServed,
});
