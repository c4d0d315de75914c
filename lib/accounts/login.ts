/**
 * The token endpoint's grants: password (starts a refresh-token family, or for an account with a second
 * factor answers a challenge that `POST /login/mfa` completes, unless the TOTP code came after the
 * password) and refresh_token (rotates it).
 */
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { throttledRefresh } from "../auth/throttle";
import { tokenEndpointSignIn } from "./password-sign-in";
import { recordAuthEvent } from "./audit";
import type { IssuedToken } from "./access-tokens";
import { requireTokenHolder } from "../auth/token-holders";
import { refreshAccessToken, startFamily } from "./refresh-tokens";
import { completeMfaChallenge, requireSecondFactorIfEnrolled } from "./mfa-challenges";
import type { SecondFactorProof } from "./second-factor-check";
import { passkeySignIn } from "./passkey-sign-in";
import type { AuthenticationResponseT } from "../schemas";

export async function loginWithPassword(
  input: { username: string; password: string; client_id?: string },
  client: ClientInfo,
): Promise<IssuedToken> {
  const signedIn = await tokenEndpointSignIn(input.username, input.password, client);
  if (!signedIn) throw errors.invalidGrant();
  requireTokenHolder(signedIn.user);
  // The code came after the password (AUTH_MFA_CODE_IN_PASSWORD): the second factor is given already.
  if (!signedIn.secondFactor) await requireSecondFactorIfEnrolled(signedIn.user, "password", input.client_id);
  return startFamily(signedIn.user.id, client, input.client_id);
}

/** The password grant's second step for an account with a second factor: the same tokens once it is passed. */
export async function loginWithSecondFactor(
  input: SecondFactorProof & { mfa_token: string },
  client: ClientInfo,
): Promise<IssuedToken> {
  const { user, clientId } = await completeMfaChallenge(input, client, ["password"]);
  return startFamily(user.id, client, clientId);
}

/** A passkey sign-in (no password, no second step): the same tokens as a password login. */
export async function loginWithPasskey(
  input: { response: AuthenticationResponseT; client_id?: string | undefined },
  client: ClientInfo,
): Promise<IssuedToken> {
  const user = await passkeySignIn(input.response, client);
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
