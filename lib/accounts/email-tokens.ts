/**
 * The tokens in mailed links: password reset, invitation (a reset-style link to set a first password),
 * email verification, and the two links of an email change (confirm, to the new address; cancel, to the
 * old one). A token is 256 random bits (base64url); only its SHA-256 is stored, so the table
 * alone opens no account. A live link is a row that exists and has not expired:
 *
 * - issuing one deletes the user's earlier links of the same family (a newer link supersedes them);
 * - using one deletes its row in a statement that only one of several concurrent uses can win;
 * - a password change deletes the reset and invitation links, an email change the verification links;
 * - a link counts only while the account still has the address it was sent to, except an email
 *   change's cancel link: it exists to take the account back to that address after the change.
 */
import crypto from "node:crypto";
import type { EmailToken, Prisma, User } from "@prisma/client";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { reserveLinkAttempt, settleLinkAttempt } from "../auth/throttle";
import { sha256 } from "../auth/sha256";

export type EmailTokenPurpose = "reset" | "invite" | "verify" | "email_change" | "email_change_cancel";

/** Links that set a password supersede each other, whichever mail they came in. */
export const PASSWORD_LINKS: EmailTokenPurpose[] = ["reset", "invite"];
export const VERIFY_LINKS: EmailTokenPurpose[] = ["verify"];
export const EMAIL_CHANGE_LINKS: EmailTokenPurpose[] = ["email_change"];
export const EMAIL_CHANGE_CANCEL_LINKS: EmailTokenPurpose[] = ["email_change_cancel"];

/**
 * The links a new one supersedes. A newer email change replaces the pending one, but never an earlier
 * cancel link: a second change must not take away the owner's way back from the first.
 */
function familyOf(purpose: EmailTokenPurpose): EmailTokenPurpose[] {
  switch (purpose) {
    case "verify":
      return VERIFY_LINKS;
    case "email_change":
      return EMAIL_CHANGE_LINKS;
    case "email_change_cancel":
      return [];
    default:
      return PASSWORD_LINKS;
  }
}

type Tx = Prisma.TransactionClient;

/** Seconds a link of this purpose lives (EMAIL_RESET_TOKEN_EXPIRE_HOURS and its siblings). */
export function emailTokenTtlSeconds(purpose: EmailTokenPurpose): number {
  const mail = getConfig().mail;
  switch (purpose) {
    case "verify":
      return mail.verifyTokenTtlSeconds;
    case "invite":
      return mail.inviteTokenTtlSeconds;
    case "email_change":
      return mail.emailChangeTokenTtlSeconds;
    case "email_change_cancel":
      return mail.emailChangeCancelTtlSeconds;
    default:
      return mail.resetTokenTtlSeconds;
  }
}

/**
 * A new link's token for `user` (bound to its current address); earlier links of its family die. An
 * email change's links also carry the address asked for (`newEmail`). With `tx`, the writes are part of
 * the caller's transaction; otherwise they are a transaction of their own.
 */
export async function issueEmailToken(
  user: Pick<User, "id" | "email">,
  purpose: EmailTokenPurpose,
  { newEmail, tx }: { newEmail?: string; tx?: Tx } = {},
): Promise<string> {
  const token = crypto.randomBytes(32).toString("base64url");
  const write = async (db: Tx) => {
    await db.emailToken.deleteMany({ where: { userId: user.id, purpose: { in: familyOf(purpose) } } });
    await db.emailToken.create({
      data: {
        userId: user.id,
        purpose,
        tokenHash: sha256(token),
        email: user.email,
        newEmail: newEmail ?? null,
        expiresAt: new Date(Date.now() + emailTokenTtlSeconds(purpose) * 1000),
      },
    });
  };
  await (tx ? write(tx) : getDb().$transaction(write));
  return token;
}

/** Deletes the user's live links of these purposes (the password or the address changed). */
export async function revokeEmailTokens(userId: string, purposes: EmailTokenPurpose[], tx?: Tx): Promise<void> {
  await (tx ?? getDb()).emailToken.deleteMany({ where: { userId, purpose: { in: purposes } } });
}

/** Longest token accepted for a lookup: ours are 43 characters. */
const MAX_TOKEN_LENGTH = 256;

/**
 * The live link `token` names, with its user, if it is one of `purposes`, has not expired, and its user
 * still has the address it was sent to; null otherwise (all of which the caller answers alike).
 */
export async function findEmailToken(
  token: string,
  purposes: EmailTokenPurpose[],
): Promise<(EmailToken & { user: User }) | null> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
  const row = await getDb().emailToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
  if (!row || !purposes.includes(row.purpose as EmailTokenPurpose)) return null;
  if (row.expiresAt.getTime() <= Date.now()) return null;
  if (row.purpose !== "email_change_cancel" && row.user.email !== row.email) return null;
  return row;
}

/**
 * A mailed link's token presented by a client: looked up, and the attempt counted under the sign-in
 * limits (the account the token names, when it names one, and the client's address; 429 when
 * throttled), so tokens cannot be guessed faster than passwords. 400 `Invalid token` when it is no live
 * link of these purposes, `Inactive user` when its account is deactivated. The caller then uses it up
 * (`consumeEmailToken`) in the transaction that acts on it.
 */
export async function redeemEmailToken(
  token: string,
  purposes: EmailTokenPurpose[],
  client: ClientInfo,
): Promise<EmailToken & { user: User }> {
  const link = await findEmailToken(token, purposes);
  const attempt = await reserveLinkAttempt(link?.user.email ?? null, client.ip);
  await settleLinkAttempt(attempt, link !== null);
  if (!link) throw errors.badRequest("Invalid token");
  if (!link.user.isActive) throw errors.badRequest("Inactive user");
  return link;
}

/**
 * Uses up a link found by `findEmailToken`, inside the transaction that acts on it: true for exactly one
 * of any number of concurrent uses (the row is deleted only while it still exists and has not expired;
 * PostgreSQL makes a second deleter wait for the first and then find nothing, SQLite runs them one at a
 * time). The loser's transaction must roll back.
 */
export async function consumeEmailToken(tx: Tx, id: string): Promise<boolean> {
  const { count } = await tx.emailToken.deleteMany({ where: { id, expiresAt: { gt: new Date() } } });
  return count === 1;
}
