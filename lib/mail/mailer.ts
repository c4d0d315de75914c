/**
 * The one way the app sends mail: render a template, deliver it (lib/mail/transport.ts), log one line
 * (recipient and subject: never the body, which holds links and tokens) and, when delivery fails,
 * record `email_send_failed` in the audit trail. Requests never wait for it: they call `queueMail`
 * (or, for password recovery, do all the work after answering with `runInBackground`).
 */
import path from "node:path";
import type { ReactNode } from "react";
import { recordAuthEvent } from "../audit";
import { runInBackground } from "../background";
import { getConfig } from "../config";
import { renderMail, templates } from "./templates";
import { deliver } from "./transport";

export { templates };

export type MailKind =
  | "recovery"
  | "password_changed"
  | "verification"
  | "email_changed"
  | "email_change_confirm"
  | "email_change_notice"
  | "email_in_use"
  | "invitation"
  | "test";

export type Mail = {
  to: string;
  kind: MailKind;
  /** The account it concerns, for the audit trail of a failure. */
  userId?: string | null;
  template: { subject: string; body: ReactNode };
};

/** Sends one message; resolves true when delivered. Never throws: a failure is logged and audited. */
export async function sendMail(mail: Mail): Promise<boolean> {
  const subject = mail.template.subject;
  try {
    const rendered = await renderMail(mail.template);
    const delivery = await deliver(mail.to, rendered);
    const where =
      delivery.via === "smtp" ? "sent over SMTP" : `written to ${path.relative(process.cwd(), delivery.file) || delivery.file}`;
    console.log(`Mail "${subject}" to ${mail.to}: ${where}.`);
    return true;
  } catch (error) {
    console.error(`Mail "${subject}" to ${mail.to} not sent: ${error instanceof Error ? error.message : error}`);
    await recordAuthEvent({ type: "email_send_failed", userId: mail.userId ?? null, email: mail.to, method: mail.kind });
    return false;
  }
}

/** Sends after the current request has been answered. */
export function queueMail(mail: Mail): void {
  runInBackground("Mail", () => sendMail(mail));
}

/** The product name mails are signed with (EMAILS_FROM_NAME). */
export const appName = () => getConfig().mail.from.name;
