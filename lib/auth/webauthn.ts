/**
 * WebAuthn (passkeys) primitives, on SimpleWebAuthn: who the relying party is, the challenges the server
 * issues, and checking an assertion against a stored passkey.
 *
 * The relying party comes from the configuration only, never from a request: the app's public URL
 * (AUTH_URL, else the address the start-up banner prints, `http://localhost:PORT` for a loopback
 * listener) gives the RP ID (its host name) and the expected origin; FRONTEND_HOST is accepted as a
 * second origin when its host is the RP ID or a subdomain of it (a separate frontend on the same site).
 *
 * Challenges: 32 random bytes each (SimpleWebAuthn makes them), kept only as a SHA-256 in the database
 * with their purpose, their user and an expiry (WEBAUTHN_CHALLENGE_SECONDS), so any process or instance
 * can finish a ceremony another one began. A challenge is spent by deleting its row before the response
 * is verified: of two uses of one challenge, exactly one deletes it.
 *
 * Counters: an assertion must show a signature counter above the stored one (unless the authenticator
 * keeps none: both 0), checked by SimpleWebAuthn, and the new value is written by a conditional update
 * on the value read, so two assertions racing on one stored counter cannot both pass.
 */
import type { Passkey, User } from "@prisma/client";
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { sha256 } from "./sha256";

export const WEBAUTHN_CHALLENGE_SECONDS = 5 * 60;
/** How long the browser waits for the authenticator (the challenge outlives it). */
export const WEBAUTHN_TIMEOUT_MS = 2 * 60 * 1000;

export type ChallengePurpose = "registration" | "sign_in" | "second_factor" | "reauthentication";
/** What an assertion is for: a sign-in, a password sign-in's second step, or a fresh proof (sudo mode). */
export type AssertionPurpose = Exclude<ChallengePurpose, "registration">;

/** The relying party: its ID (a host name) and the origins a ceremony may run on. */
export function relyingParty(): { id: string; name: string; origins: string[] } {
  const config = getConfig();
  const own = new URL(config.publicUrl ?? config.listenUrl);
  const origins = [own.origin];
  if (config.frontendHost) {
    const frontend = new URL(config.frontendHost);
    if (frontend.hostname === own.hostname || frontend.hostname.endsWith(`.${own.hostname}`)) origins.push(frontend.origin);
  }
  return { id: own.hostname, name: config.mail.from.name, origins };
}

/** Keeps the challenge of `options` (hashed) for `purpose` and `userId` until it is used or expires. */
export async function rememberChallenge(challenge: string, purpose: ChallengePurpose, userId: string | null): Promise<void> {
  await getDb().webauthnChallenge.create({
    data: {
      challengeHash: sha256(challenge),
      purpose,
      userId,
      expiresAt: new Date(Date.now() + WEBAUTHN_CHALLENGE_SECONDS * 1000),
    },
  });
}

/** The challenge a response answers (from its client data), or null when the client data is not readable. */
function challengeOf(clientDataJSON: string): string | null {
  try {
    const data: unknown = JSON.parse(isoBase64URL.toUTF8String(clientDataJSON));
    const challenge = (data as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === "string" && challenge.length > 0 && challenge.length <= 512 ? challenge : null;
  } catch {
    return null;
  }
}

/**
 * Spends the challenge a response answers, when it was issued for `purpose` and `userId` and has not
 * expired: returns it, or null (unknown, expired, used, another purpose or user, or lost a race).
 */
export async function spendChallenge(clientDataJSON: string, purpose: ChallengePurpose, userId: string | null): Promise<string | null> {
  const challenge = challengeOf(clientDataJSON);
  if (!challenge) return null;
  const spent = await getDb().webauthnChallenge.deleteMany({
    where: { challengeHash: sha256(challenge), purpose, userId, expiresAt: { gt: new Date() } },
  });
  return spent.count === 1 ? challenge : null;
}

const transportsOf = (passkey: Pick<Passkey, "transports">) => (passkey.transports ? passkey.transports.split(",") : []);

/** Options for an assertion: any discoverable passkey (sign-in) or one of `allow` (a second factor, a fresh proof). */
export async function assertionOptions(
  purpose: AssertionPurpose,
  userId: string | null,
  allow: Pick<Passkey, "credentialId" | "transports">[] = [],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().id,
    userVerification: "preferred",
    timeout: WEBAUTHN_TIMEOUT_MS,
    allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
  });
  await rememberChallenge(options.challenge, purpose, userId);
  return options;
}

export type AssertionResult =
  | { ok: true; passkey: Passkey & { user: User }; userVerified: boolean }
  | { ok: false; reason: "unknown_passkey" | "challenge" | "invalid"; passkey: (Passkey & { user: User }) | null };

/**
 * Checks an assertion: the passkey it names (of `userId` when given), the challenge it answers (spent
 * here, for `purpose`), the signature, origin, RP ID and counter; on success the counter and last use
 * are written. Never throws for a bad response.
 */
export async function checkAssertion(
  response: AuthenticationResponseJSON,
  purpose: AssertionPurpose,
  userId: string | null,
): Promise<AssertionResult> {
  const db = getDb();
  const found = await db.passkey.findUnique({ where: { credentialId: response.id }, include: { user: true } });
  const passkey = found && (userId === null || found.userId === userId) ? found : null;
  // The challenge is spent whether or not the passkey is known: a response is worth one try.
  const challenge = await spendChallenge(response.response.clientDataJSON, purpose, purpose === "sign_in" ? null : userId);
  if (!challenge) return { ok: false, reason: "challenge", passkey };
  if (!passkey) return { ok: false, reason: "unknown_passkey", passkey: null };
  const rp = relyingParty();
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credentialId,
        publicKey: isoBase64URL.toBuffer(passkey.publicKey),
        counter: passkey.counter,
        transports: transportsOf(passkey) as never,
      },
      requireUserVerification: false,
    });
  } catch {
    return { ok: false, reason: "invalid", passkey };
  }
  if (!verification.verified) return { ok: false, reason: "invalid", passkey };
  const { newCounter, userVerified } = verification.authenticationInfo;
  const written = await db.passkey.updateMany({
    where: { id: passkey.id, counter: passkey.counter },
    data: { counter: newCounter, lastUsedAt: new Date() },
  });
  // Another assertion moved the counter in between: with a counting authenticator this one is stale.
  if (written.count !== 1 && (newCounter > 0 || passkey.counter > 0)) return { ok: false, reason: "invalid", passkey };
  return { ok: true, passkey, userVerified };
}

/** The user's passkeys, for the `allowCredentials` of an assertion by this user (second factor, fresh proof). */
export function passkeysOf(userId: string) {
  return getDb().passkey.findMany({ where: { userId }, select: { credentialId: true, transports: true } });
}
