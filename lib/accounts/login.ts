/** The token endpoint's grants: password (starts a refresh-token family) and refresh_token (rotates it). */
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { throttledRefresh } from "../auth/throttle";
import { passwordSignIn } from "./password-sign-in";
import { recordAuthEvent } from "./audit";
import type { IssuedToken } from "./access-tokens";
import { requireTokenHolder } from "../auth/token-holders";
import { refreshAccessToken, startFamily } from "./refresh-tokens";

export async function loginWithPassword(
  input: { username: string; password: string; client_id?: string },
  client: ClientInfo,
): Promise<IssuedToken> {
  const user = await passwordSignIn(input.username, input.password, client, "password");
  if (!user) throw errors.invalidGrant();
  requireTokenHolder(user);
  return startFamily(user.id, client, input.client_id);
}

/** The refresh grant, throttled per client address like password attempts. */
export function loginWithRefreshToken(input: { refresh_token: string }, client: ClientInfo): Promise<IssuedToken> {
  return throttledRefresh(
    client,
    () => refreshAccessToken(input.refresh_token, client),
    () => recordAuthEvent({ type: "login_throttled", method: "refresh_token", client }),
  );
}
