/** The password grant: throttle, check the credentials, then issue a token. */
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { passwordSignIn } from "./throttle";
import { issueAccessToken, type IssuedToken } from "../sessions";
import { requireVerifiedForSignIn } from "../email-verification";

export async function loginWithPassword(
  input: { username: string; password: string },
  client: ClientInfo,
): Promise<IssuedToken> {
  const user = await passwordSignIn(input.username, input.password, client, "password");
  if (!user) throw errors.invalidGrant();
  if (!user.isActive) throw errors.badRequest("Inactive user");
  requireVerifiedForSignIn(user);
  return issueAccessToken(user.id, client);
}
