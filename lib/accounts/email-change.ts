/**
 * A user's change of their own email address, in two steps, so that a stolen session cannot move the
 * account (and its password recovery) to an attacker's mailbox:
 *
 * 1. asked (`PATCH /users/me` with a new `email`, after re-authentication): the new address gets a
 *    confirmation link, the old one a notice with a link that undoes the change. The account keeps its
 *    old address for signing in and recovery meanwhile. A new address that already has an account gets
 *    a "someone tried to use your address" mail instead of the link, and the requester the same answer
 *    either way, so the change cannot tell which addresses have accounts;
 * 2. confirmed (`POST /confirm-email-change/`) by the link's token: the address changes, verified;
 * 3. or undone (`POST /cancel-email-change/`) from the old address, within its link's lifetime, before
 *    or after the confirmation: the account goes back to that address and every token, refresh family
 *    and browser session of the user ends.
 *
 * With API_COMPAT=fastapi-template the change applies at once instead, as in the template
 * (`changeEmailAtOnce`).
 */
import type { User } from "@prisma/client";
import { recordAuthEvent } from "./audit";
import { getDb, isUniqueViolation } from "../db/client";
import {
  consumeEmailToken,
  EMAIL_CHANGE_CANCEL_LINKS,
  EMAIL_CHANGE_LINKS,
  emailTokenTtlSeconds,
  redeemEmailToken,
  issueEmailToken,
  PASSWORD_LINKS,
  revokeEmailTokens,
  VERIFY_LINKS,
} from "./email-tokens";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { appName, templates } from "../mail/mailer";
import { queueAccountMail } from "./account-mail";
import { queueEmailChangedMails } from "./email-verification";
import { pageLink } from "../mail/links";
import { revokeAllTokens } from "./sessions";

export const emailChangeRequestedMessage = (newEmail: string) =>
  `Check ${newEmail} to confirm the change. Until then your account keeps its current address.`;

/**
 * Step 1, after the caller has re-authenticated and passed the hourly limit. The same reads, writes and
 * mails to the old address whether `newEmail` is free or taken; only the mail to `newEmail` differs.
 */
export async function requestEmailChange(user: User, newEmail: string, client: ClientInfo): Promise<void> {
  const holder = await getDb().user.findUnique({ where: { email: newEmail }, select: { id: true } });
  const confirmToken = await issueEmailToken(user, "email_change", { newEmail });
  const cancelToken = await issueEmailToken(user, "email_change_cancel", { newEmail });
  const common = { appName: appName(), oldEmail: user.email, newEmail };
  if (holder) {
    // The pending change can never be confirmed (its link is not sent): drop it rather than keep a row
    // that only waits to expire.
    await revokeEmailTokens(user.id, EMAIL_CHANGE_LINKS);
    await recordAuthEvent({ type: "email_change_refused", userId: user.id, email: newEmail, client });
    queueAccountMail({
      to: newEmail,
      kind: "email_in_use",
      userId: holder.id,
      template: templates.emailInUse({ appName: appName(), email: newEmail, signInLink: pageLink("/login") }),
    });
  } else {
    await recordAuthEvent({ type: "email_change_requested", userId: user.id, email: newEmail, client });
    queueAccountMail({
      to: newEmail,
      kind: "email_change_confirm",
      userId: user.id,
      template: templates.emailChangeConfirm({
        ...common,
        link: pageLink("/confirm-email-change", { token: confirmToken }),
        validSeconds: emailTokenTtlSeconds("email_change"),
      }),
    });
  }
  queueAccountMail({
    to: user.email,
    kind: "email_change_notice",
    userId: user.id,
    template: templates.emailChangeNotice({
      ...common,
      cancelLink: pageLink("/cancel-email-change", { token: cancelToken }),
      validSeconds: emailTokenTtlSeconds("email_change_cancel"),
    }),
  });
}

/** A link's token, looked up and reserved under the sign-in limits like every mailed link. */
async function redeemLink(token: string, purposes: typeof EMAIL_CHANGE_LINKS, client: ClientInfo) {
  const link = await redeemEmailToken(token, purposes, client);
  if (!link.newEmail) throw errors.badRequest("Invalid token");
  return { ...link, newEmail: link.newEmail };
}

/** Step 2: the new address confirms. 409 when it was taken meanwhile (the link stays usable for nothing else). */
export async function confirmEmailChange(token: string, client: ClientInfo): Promise<{ email: string }> {
  const link = await redeemLink(token, EMAIL_CHANGE_LINKS, client);
  let done: boolean;
  try {
    done = await getDb().$transaction(async (tx) => {
      if (!(await consumeEmailToken(tx, link.id))) return false;
      await tx.user.update({ where: { id: link.userId }, data: { email: link.newEmail, emailVerified: new Date() } });
      // Links mailed to the old address (a reset, a verification) must not act on the moved account.
      await revokeEmailTokens(link.userId, [...PASSWORD_LINKS, ...VERIFY_LINKS], tx);
      return true;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.conflict("This address now belongs to another account");
    throw error;
  }
  if (!done) throw errors.badRequest("Invalid token");
  await recordAuthEvent({ type: "email_changed", userId: link.userId, email: link.newEmail, client });
  return { email: link.newEmail };
}

/**
 * Step 3: the old address undoes the change, confirmed or not, and signs the account out everywhere
 * (whoever asked for the change held a session). Every pending change and other cancel link of the user
 * dies with it. 409 when the old address was taken by another account since (still signed out).
 */
export async function cancelEmailChange(token: string, client: ClientInfo): Promise<{ email: string; revoked: number }> {
  const link = await redeemLink(token, EMAIL_CHANGE_CANCEL_LINKS, client);
  const restore = link.user.email !== link.email;
  const undo = (withAddress: boolean) =>
    getDb().$transaction(async (tx) => {
      if (!(await consumeEmailToken(tx, link.id))) return null;
      if (withAddress) {
        // The link reached this address: it is verified.
        await tx.user.update({ where: { id: link.userId }, data: { email: link.email, emailVerified: new Date() } });
      }
      await revokeEmailTokens(link.userId, [...EMAIL_CHANGE_LINKS, ...EMAIL_CHANGE_CANCEL_LINKS, ...PASSWORD_LINKS, ...VERIFY_LINKS], tx);
      return revokeAllTokens(link.userId, { tx });
    });
  let result: { revoked: number } | null;
  let addressTaken = false;
  try {
    result = await undo(restore);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    addressTaken = true;
    result = await undo(false);
  }
  if (!result) throw errors.badRequest("Invalid token");
  await recordAuthEvent({ type: "email_change_cancelled", userId: link.userId, email: link.email, client });
  if (addressTaken) {
    throw errors.conflict(
      `Every device was signed out, but ${link.email} now belongs to another account: the account keeps ${link.user.email}. Contact the administrator.`,
    );
  }
  return { email: link.email, revoked: result.revoked };
}

/**
 * API_COMPAT=fastapi-template: the address changes at once, as the template's `PATCH /users/me` does, and
 * a taken address is a 409 in the template's words. The address is unverified until its new link is used;
 * links mailed to either address before die with the change; the old address gets the same notice as
 * after an administrator's change.
 */
export async function changeEmailAtOnce(user: User, newEmail: string, client: ClientInfo): Promise<User> {
  let updated: User;
  try {
    updated = await getDb().$transaction(async (tx) => {
      const changed = await tx.user.update({ where: { id: user.id }, data: { email: newEmail, emailVerified: null } });
      await revokeEmailTokens(user.id, [...EMAIL_CHANGE_LINKS, ...PASSWORD_LINKS, ...VERIFY_LINKS], tx);
      return changed;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.conflict("User with this email already exists");
    throw error;
  }
  await recordAuthEvent({ type: "email_changed", userId: user.id, email: newEmail, client });
  await queueEmailChangedMails(updated, user.email);
  return updated;
}
