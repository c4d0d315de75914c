/**
 * Email verification: the mailed link that confirms an account's address, the resend a signed-in user
 * may ask for, the mails an email change sends (a link to the new address, a notice to the old one),
 * (EMAIL_VERIFICATION=required's refusal of unverified accounts is lib/auth/token-holders.ts's rule.)
 */
import type { Prisma, User } from "@prisma/client";
import { recordAuthEvent } from "./audit";
import { getDb } from "../db/client";
import { consumeEmailToken, emailTokenTtlSeconds, issueEmailToken, redeemEmailToken, VERIFY_LINKS } from "./email-tokens";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { reserveHourly } from "../auth/throttle";
import { appName, templates } from "../mail/mailer";
import { queueAccountMail } from "./account-mail";
import { pageLink } from "../mail/links";

export const isVerified = (user: Pick<User, "emailVerified">) => user.emailVerified !== null;

/**
 * A new verification link for `user` (superseding earlier ones), counted against
 * VERIFICATION_MAILS_PER_HOUR; or, when the account used that up, the seconds to wait. With `tx`, part of
 * the caller's transaction (sign-up writes the user and its link together).
 */
export async function issueVerificationLink(
  user: Pick<User, "id" | "email">,
  tx?: Prisma.TransactionClient,
): Promise<{ token: string } | { wait: number }> {
  const wait = await reserveHourly("verification_mail", user.id, tx);
  if (wait) return { wait };
  return { token: await issueEmailToken(user, "verify", { tx }) };
}

/** Mails `user` the verification link of `token` after the request is answered. */
export function queueVerificationLinkMail(user: Pick<User, "id" | "email">, token: string): void {
  queueAccountMail({
    to: user.email,
    kind: "verification",
    userId: user.id,
    template: templates.verification({
      appName: appName(),
      email: user.email,
      link: pageLink("/verify-email", { token }),
      validSeconds: emailTokenTtlSeconds("verify"),
    }),
  });
}

/**
 * Issues `user` a new verification link and mails it after the request is answered, unless the account
 * used up its VERIFICATION_MAILS_PER_HOUR. Returns the seconds to wait when it did.
 */
export async function queueVerificationMail(user: Pick<User, "id" | "email">): Promise<number> {
  const link = await issueVerificationLink(user);
  if ("wait" in link) return link.wait;
  queueVerificationLinkMail(user, link.token);
  return 0;
}

/** `POST /users/me/verify-email`: a new link for a signed-in user; 400 when already verified, 429 past the limit. */
export async function resendVerification(user: User): Promise<void> {
  if (isVerified(user)) throw errors.badRequest("Email already verified");
  const wait = await queueVerificationMail(user);
  if (wait) throw errors.tooManyRequests("Too many verification emails", wait);
}

/** After an email change: a verification link to the new address and a notice to the old one. */
export async function queueEmailChangedMails(user: Pick<User, "id" | "email">, oldEmail: string): Promise<void> {
  queueAccountMail({
    to: oldEmail,
    kind: "email_changed",
    userId: user.id,
    template: templates.emailChanged({ appName: appName(), oldEmail, newEmail: user.email, recoverLink: pageLink("/login") }),
  });
  await queueVerificationMail(user);
}

/**
 * `POST /verify-email/`: confirms the address the link was sent to, if the account still has it.
 * Throttled like a sign-in; one winner among concurrent uses.
 */
export async function verifyEmail(token: string, client: ClientInfo): Promise<void> {
  const link = await redeemEmailToken(token, VERIFY_LINKS, client);
  const done = await getDb().$transaction(async (tx) => {
    if (!(await consumeEmailToken(tx, link.id))) return false;
    await tx.user.update({ where: { id: link.userId }, data: { emailVerified: new Date() } });
    return true;
  });
  if (!done) throw errors.badRequest("Invalid token");
  await recordAuthEvent({ type: "email_verified", userId: link.userId, client });
}
