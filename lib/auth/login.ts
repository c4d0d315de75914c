/** The password grant: check the credentials, then issue a token. */
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { authenticate } from "../users";
import { issueAccessToken, type IssuedToken } from "../sessions";

export async function loginWithPassword(
  input: { username: string; password: string },
  client: ClientInfo,
): Promise<IssuedToken> {
  const user = await authenticate(input.username, input.password);
  if (!user) throw errors.invalidGrant();
  if (!user.isActive) throw errors.badRequest("Inactive user");
  return issueAccessToken(user.id, client);
}
