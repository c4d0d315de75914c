/**
 * The second step of a password sign-in for an account with a second factor. The password step (the
 * token endpoint, the browser's Credentials sign-in) gets a challenge instead of tokens: an `mfa_token`
 * (256 random bits; only its SHA-256 is stored) that lives MFA_CHALLENGE_SECONDS, allows
 * MFA_CHALLENGE_MAX_TRIES codes, and is spent by the one that works. Rows live in the database, so any
 * instance can complete a challenge another one issued.
 *
 * Races: a try is counted by a conditional increment (never past the limit), and the challenge is spent
 * by deleting its row; of two concurrent completions, exactly one deletes it and signs in.
 */
import crypto from "node:crypto";
import type { User } from "@prisma/client";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { errors, HttpError } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { sha256 } from "../auth/sha256";
import { requireTokenHolder } from "../auth/token-holders";
import { checkSecondFactor, secondFactorMethods, type SecondFactorProof } from "./second-factor-check";

export const MFA_CHALLENGE_SECONDS = 5 * 60;
export const MFA_CHALLENGE_MAX_TRIES = 5;
/** The second factors a challenge may accept; `methods` in its answer says which the account has. */
export const MFA_METHODS = ["totp", "recovery_code", "passkey"] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];

export const SECOND_FACTOR_REQUIRED = "Second factor required";
/**
 * The `detail` for an account with TOTP at the token endpoint (AUTH_MFA_CODE_IN_PASSWORD): a client that
 * knows only the password form (the template's frontend) shows it, and its user can act on it.
 */
export const SECOND_FACTOR_REQUIRED_CODE_IN_PASSWORD =
  "Second factor required: sign in with your password followed by the 6-digit code of your authenticator app, " +
  "or send the mfa_token and a code to POST /api/v1/login/mfa";

/** 401 `mfa_required` with the challenge's token: what the password step answers such an account. */
export class MfaRequired extends HttpError {
  constructor(
    readonly mfaToken: string,
    readonly methods: MfaMethod[],
    detail: string = SECOND_FACTOR_REQUIRED,
  ) {
    super(401, detail, {}, { reason: "mfa_required", mfa_token: mfaToken, methods });
  }
}

/** The `detail` of a wrong code: the challenge may be tried again (every other 400 means start again). */
export const INVALID_CODE = "Invalid code";

/** The one refusal of a challenge that cannot go on (unknown, expired, spent, out of tries): sign in again. */
const challengeRefused = () =>
  errors.oauth(400, "invalid_grant", "The sign-in expired or was already used: sign in with your password again");

/** Where a challenge's first step was: the token endpoint's password grant, the browser's password, a provider sign-in. */
export type ChallengeMethod = "password" | "credentials" | "oidc";

/** A new challenge for `userId`, whose first step (`method`) is done: answers its `mfa_token`. */
export async function issueMfaChallenge(userId: string, method: ChallengeMethod, clientId?: string): Promise<string> {
  const token = crypto.randomBytes(32).toString("base64url");
  await getDb().mfaChallenge.create({
    data: {
      userId,
      tokenHash: sha256(token),
      method,
      clientId: clientId ?? null,
      expiresAt: new Date(Date.now() + MFA_CHALLENGE_SECONDS * 1000),
    },
  });
  return token;
}

/**
 * After a right password: when `user` has a second factor, throws `MfaRequired` with a new challenge;
 * otherwise returns (the password alone signs in).
 */
export async function requireSecondFactorIfEnrolled(
  user: Pick<User, "id">,
  method: "password" | "credentials",
  clientId?: string,
): Promise<void> {
  const methods = await secondFactorMethods(user.id);
  if (methods.length === 0) return;
  const codeInPassword = method === "password" && methods.includes("totp") && getConfig().mfaCodeInPassword;
  throw new MfaRequired(
    await issueMfaChallenge(user.id, method, clientId),
    methods,
    codeInPassword ? SECOND_FACTOR_REQUIRED_CODE_IN_PASSWORD : SECOND_FACTOR_REQUIRED,
  );
}

/**
 * The user a live challenge (not yet spent, expired or out of tries) was issued to, for the options of
 * a passkey assertion; null otherwise. Asking for options does not spend a try.
 */
export async function challengedUser(mfaToken: string): Promise<User | null> {
  const challenge = await getDb().mfaChallenge.findUnique({ where: { tokenHash: sha256(mfaToken) }, include: { user: true } });
  if (!challenge || challenge.expiresAt <= new Date() || challenge.tries >= MFA_CHALLENGE_MAX_TRIES) return null;
  return challenge.user;
}

/**
 * Completes a challenge (of one of `methods`) with a code, a recovery code or a passkey's assertion (throttled like a
 * password): returns the user and the first step's `client_id` once the challenge is spent. 400 `invalid_grant` for an unknown, expired,
 * spent or exhausted challenge, 400 `Invalid code` for a wrong code (the challenge stays, with a try less),
 * 429 when throttled; the account rules of any sign-in (inactive, unverified) apply here again.
 */
export async function completeMfaChallenge(
  input: SecondFactorProof & { mfa_token: string },
  client: ClientInfo,
  methods: readonly ChallengeMethod[],
): Promise<{ user: User; clientId: string | undefined }> {
  const db = getDb();
  const now = new Date();
  const challenge = await db.mfaChallenge.findUnique({ where: { tokenHash: sha256(input.mfa_token) }, include: { user: true } });
  if (!challenge || !methods.includes(challenge.method as ChallengeMethod) || challenge.expiresAt <= now) throw challengeRefused();
  const counted = await db.mfaChallenge.updateMany({
    where: { id: challenge.id, tries: { lt: MFA_CHALLENGE_MAX_TRIES }, expiresAt: { gt: now } },
    data: { tries: { increment: 1 } },
  });
  if (counted.count !== 1) {
    await db.mfaChallenge.deleteMany({ where: { id: challenge.id } });
    throw challengeRefused();
  }
  if (!(await checkSecondFactor(challenge.user, input, client, "mfa"))) {
    if (challenge.tries + 1 >= MFA_CHALLENGE_MAX_TRIES) await db.mfaChallenge.deleteMany({ where: { id: challenge.id } });
    throw errors.oauth(400, "invalid_grant", INVALID_CODE);
  }
  const spent = await db.mfaChallenge.deleteMany({ where: { id: challenge.id } });
  if (spent.count !== 1) throw challengeRefused();
  requireTokenHolder(challenge.user);
  return { user: challenge.user, clientId: challenge.clientId ?? undefined };
}
