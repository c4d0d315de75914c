/**
 * Password recovery (the FastAPI template's endpoints): a mailed reset link, the reset itself, the
 * invitation of a user a superuser created, and the "your password was changed" notice.
 *
 * A recovery request is answered before anything about the address is looked at: the lookup, the
 * per-address hourly limit, the token and the mail all happen after the answer (lib/runtime/background.ts), so
 * the answer's status, body and timing are the same for known, unknown and inactive addresses.
 */
import type { User } from "@prisma/client";
import { recordAuthEvent } from "./audit";
import { runInBackground } from "../runtime/background";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { consumeEmailToken, emailTokenTtlSeconds, issueEmailToken, PASSWORD_LINKS, redeemEmailToken, revokeEmailTokens } from "./email-tokens";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { hashPassword } from "../auth/passwords";
import { refuseCommonPassword } from "../auth/common-passwords";
import { normalizeEmail, reserveHourly } from "../auth/throttle";
import { appName, renderMail, templates } from "../mail/mailer";
import { queueAccountMail, sendAccountMail } from "./account-mail";
import { pageLink } from "../mail/links";
import { revokeAllTokens } from "./sessions";
import type { NewPasswordInput } from "../schemas";

export const RECOVERY_MESSAGE = "If that email is registered, we sent a password recovery link";

const recoveryTemplate = (email: string, token: string) =>
  templates.recovery({
    appName: appName(),
    email,
    link: pageLink("/reset-password", { token }),
    validSeconds: emailTokenTtlSeconds("reset"),
  });

/**
 * Starts a recovery for `email` and returns at once. Only a known, active account gets a mail, at most
 * RECOVERY_MAILS_PER_HOUR an hour; a newer link supersedes the older ones.
 */
export function requestPasswordRecovery(email: string, client: ClientInfo): void {
  const address = normalizeEmail(email);
  runInBackground("Password recovery", async () => {
    // The same reads and writes for every address, known or not, so that even the work after the answer
    // (which shares the server's thread with the next requests) tells nothing apart.
    const [wait, user] = await Promise.all([
      reserveHourly("recovery_mail", address),
      getDb().user.findUnique({ where: { email: address } }),
    ]);
    if (!user || !user.isActive) return;
    if (wait) {
      console.log(`Password recovery for ${address}: hourly mail limit reached, no mail sent.`);
      return;
    }
    const token = await issueEmailToken(user, "reset");
    await recordAuthEvent({ type: "password_recovery_requested", userId: user.id, client });
    await sendAccountMail({ to: user.email, kind: "recovery", userId: user.id, template: recoveryTemplate(user.email, token) });
  });
}

/**
 * The recovery mail's HTML for a superuser to preview. Its link carries a placeholder, not a token: a
 * preview must not hand out a working reset link for someone else's account.
 */
export async function recoveryMailPreview(email: string): Promise<{ subject: string; html: string }> {
  const user = await getDb().user.findUnique({ where: { email: normalizeEmail(email) } });
  if (!user) throw errors.notFound("The user with this email does not exist in the system.");
  const { subject, html } = await renderMail(recoveryTemplate(user.email, "preview-only-not-a-token"));
  return { subject, html };
}

/** Mails `user` the notice that their password changed, with a way back in if it was not them. */
export function queuePasswordChangedNotice(user: Pick<User, "id" | "email">): void {
  queueAccountMail({
    to: user.email,
    kind: "password_changed",
    userId: user.id,
    template: templates.passwordChanged({ appName: appName(), email: user.email, recoverLink: pageLink("/recover-password") }),
  });
}

/**
 * Mails a user a superuser created the invitation link of `token` (issued with the user, in its
 * transaction) to choose their password (never the password itself), after the request is answered.
 */
export function queueInvitation(user: Pick<User, "id" | "email">, token: string): void {
  queueAccountMail({
    to: user.email,
    kind: "invitation",
    userId: user.id,
    template: templates.invitation({
      appName: appName(),
      email: user.email,
      link: pageLink("/reset-password", { token }),
      validSeconds: emailTokenTtlSeconds("invite"),
    }),
  });
}

const invalidToken = () => errors.badRequest("Invalid token");

/**
 * Sets a new password through a reset or invitation link. Throttled like a sign-in (the token's account
 * and the client's IP), so tokens cannot be guessed faster than passwords. On success the link is used
 * up (one winner among concurrent uses), every other password link dies, every access token and browser
 * sign-in of the user is revoked, the address counts as verified (the link reached it), the event is
 * audited and the user is mailed a notice.
 */
export async function resetPassword(input: NewPasswordInput, client: ClientInfo): Promise<void> {
  refuseCommonPassword(input.new_password, "new_password");
  const link = await redeemEmailToken(input.token, PASSWORD_LINKS, client);
  const user = link.user;
  const hashedPassword = await hashPassword(input.new_password, getConfig().bcryptCost);
  const done = await getDb().$transaction(async (tx) => {
    if (!(await consumeEmailToken(tx, link.id))) return false;
    await tx.user.update({
      where: { id: user.id },
      data: { hashedPassword, emailVerified: user.emailVerified ?? new Date() },
    });
    await revokeEmailTokens(user.id, PASSWORD_LINKS, tx);
    await revokeAllTokens(user.id, { tx });
    return true;
  });
  if (!done) throw invalidToken();
  await recordAuthEvent({ type: "password_reset", userId: user.id, method: link.purpose, client });
  queuePasswordChangedNotice(user);
}
