/**
 * A user's passkeys: registering one (two steps: options, then the browser's response), listing,
 * renaming and removing them. Registering starts and removing happens only after a fresh proof (sudo
 * mode, lib/accounts/reauthentication.ts), like turning on an authenticator app: a passkey is a way in.
 * Both are audited (`passkey_registered`, `passkey_removed`) and mailed to the account as notices.
 *
 * A passkey is discoverable (resident key required: it signs in without an email typed) and asks for
 * user verification where the authenticator can (preferred). No attestation is asked for: which
 * authenticator it is does not matter here, that the user holds it does.
 */
import { generateRegistrationOptions, verifyRegistrationResponse, type PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { getDb, isUniqueViolation } from "../db/client";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import type { Authenticated } from "../auth/current-user";
import { rememberChallenge, relyingParty, spendChallenge, WEBAUTHN_TIMEOUT_MS } from "../auth/webauthn";
import type { PasskeyPublicT, RegistrationResponseT } from "../schemas";
import { recordAuthEvent } from "./audit";
import { queueSecondFactorNotice } from "./account-mail";
import { requireRecentAuthentication, type Proof } from "./reauthentication";
import { refuseRemovingLastWayIn, removeWayIn } from "./ways-in";

/** Enough for every device a person uses, few enough to list. */
export const MAX_PASSKEYS = 20;

const notFound = () => errors.notFound("Passkey not found");

function toPasskeyPublic(row: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null }): PasskeyPublicT {
  return { id: row.id, name: row.name, created_at: row.createdAt.toISOString(), last_used_at: row.lastUsedAt?.toISOString() ?? null };
}


export async function listPasskeys(userId: string): Promise<{ data: PasskeyPublicT[]; count: number }> {
  const rows = await getDb().passkey.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });
  return { data: rows.map(toPasskeyPublic), count: rows.length };
}

/**
 * The options for `navigator.credentials.create()`, after a fresh proof; the challenge is kept for
 * `registerPasskey` (single use, WEBAUTHN_CHALLENGE_SECONDS). 409 when the account has MAX_PASSKEYS.
 */
export async function passkeyRegistrationOptions(
  auth: Authenticated,
  proof: Proof & { client: ClientInfo },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const user = auth.user;
  await requireRecentAuthentication(auth, proof);
  const existing = await getDb().passkey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  if (existing.length >= MAX_PASSKEYS) throw errors.conflict(`An account can have at most ${MAX_PASSKEYS} passkeys: remove one first`);
  const rp = relyingParty();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: isoBase64URL.toBuffer(isoBase64URL.fromUTF8String(user.id)),
    userName: user.email,
    userDisplayName: user.name ?? user.email,
    timeout: WEBAUTHN_TIMEOUT_MS,
    attestationType: "none",
    // The authenticator refuses to make a second passkey of this account on itself.
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports ? p.transports.split(",") : [] })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  });
  await rememberChallenge(options.challenge, "registration", user.id);
  return options;
}

/**
 * Verifies the browser's response to the registration options (its challenge spent here) and keeps the
 * passkey under `name`. 400 when the challenge is unknown, used or expired, or the response does not
 * verify (wrong origin or RP ID, a bad attestation); 409 when the passkey is registered already.
 */
export async function registerPasskey(
  auth: Authenticated,
  input: { name: string; response: RegistrationResponseT },
  client: ClientInfo,
): Promise<PasskeyPublicT> {
  const user = auth.user;
  const challenge = await spendChallenge(input.response.response.clientDataJSON, "registration", user.id);
  if (!challenge) throw errors.badRequest("The passkey registration expired or was already used: start again");
  const rp = relyingParty();
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response as Parameters<typeof verifyRegistrationResponse>[0]["response"],
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch (error) {
    throw errors.badRequest(`The passkey could not be verified: ${(error as Error).message}`.slice(0, 300));
  }
  if (!verification.verified) throw errors.badRequest("The passkey could not be verified");
  const { credential } = verification.registrationInfo;
  let row;
  try {
    row = await getDb().passkey.create({
      data: {
        userId: user.id,
        credentialId: credential.id,
        publicKey: isoBase64URL.fromBuffer(credential.publicKey),
        counter: credential.counter,
        transports: (credential.transports ?? input.response.response.transports ?? []).join(","),
        name: input.name,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.conflict("This passkey is registered already");
    throw error;
  }
  await recordAuthEvent({ type: "passkey_registered", userId: user.id, method: "passkey", client });
  queueSecondFactorNotice(
    user,
    "A passkey was added to your account",
    `A passkey named “${input.name}” was just added to your account: it can sign in without the password. If this was not you, remove it in your settings and change your password.`,
  );
  return toPasskeyPublic(row);
}

export async function renamePasskey(userId: string, id: string, name: string): Promise<PasskeyPublicT> {
  const renamed = await getDb().passkey.updateMany({ where: { id, userId }, data: { name } });
  if (renamed.count !== 1) throw notFound();
  const row = await getDb().passkey.findUnique({ where: { id } });
  if (!row) throw notFound();
  return toPasskeyPublic(row);
}

/**
 * Removes one of the user's passkeys (404 when it is not theirs), after a fresh proof; audited and mailed.
 * 409 when it is the account's last way to sign in (lib/accounts/ways-in.ts).
 */
export async function removePasskey(auth: Authenticated, id: string, proof: Proof & { client: ClientInfo }): Promise<void> {
  const user = auth.user;
  const row = await getDb().passkey.findFirst({ where: { id, userId: user.id }, select: { name: true } });
  if (!row) throw notFound();
  await refuseRemovingLastWayIn(user.id, "passkey");
  await requireRecentAuthentication(auth, proof);
  const removed = await removeWayIn(user.id, "passkey", (tx) => tx.passkey.deleteMany({ where: { id, userId: user.id } }));
  if (removed.count !== 1) throw notFound();
  await recordAuthEvent({ type: "passkey_removed", userId: user.id, method: "passkey", client: proof.client });
  queueSecondFactorNotice(user, "A passkey was removed from your account", `The passkey named “${row.name}” was just removed from your account: it no longer signs in.`);
}
