/**
 * Mail about an account: sent through the one mailer (lib/mail/mailer.ts), and a message that could not
 * be delivered is recorded in the account's audit trail as `email_send_failed` (`method`: which mail,
 * `email`: the recipient). Requests never wait for it: `queueAccountMail` sends after the answer.
 */
import { runInBackground } from "../runtime/background";
import { appName, sendMail, templates, type Mail } from "../mail/mailer";
import { recordAuthEvent } from "./audit";

/** Sends one message now; resolves true when delivered. Never throws: a failure is logged and audited. */
export async function sendAccountMail(mail: Mail): Promise<boolean> {
  if (await sendMail(mail)) return true;
  await recordAuthEvent({ type: "email_send_failed", userId: mail.userId ?? null, email: mail.to, method: mail.kind });
  return false;
}

/** Sends after the current request has been answered. */
export function queueAccountMail(mail: Mail): void {
  runInBackground("Mail", () => sendAccountMail(mail));
}

/** A notice that the account's second factors changed (TOTP, recovery codes, passkeys): `title`, then `what` happened. */
export function queueSecondFactorNotice(user: { id: string; email: string }, title: string, what: string): void {
  queueAccountMail({
    to: user.email,
    kind: "second_factor_notice",
    userId: user.id,
    template: templates.secondFactorNotice({ appName: appName(), email: user.email, title, what }),
  });
}
