/**
 * The one way the app sends mail: name a template (`templates.<name>(props)`), have the mail thread
 * render and deliver it (lib/mail/mail-thread.ts) and log one line (recipient and subject: never the
 * body, which holds links and tokens). The account services send through lib/accounts/account-mail.ts,
 * which also records a failed delivery in the audit trail and lets requests answer first: the thread
 * that answers them never renders or builds a message.
 */
import path from "node:path";
import { getConfig } from "../config";
import {
  renderOnMailThread,
  sendOnMailThread,
  type MailTemplate,
  type TemplateName,
  type TemplateProps,
} from "./mail-thread";
import type { RenderedMail } from "./templates";

export type { MailTemplate };

export type MailKind =
  | "recovery"
  | "password_changed"
  | "verification"
  | "email_changed"
  | "email_change_confirm"
  | "email_change_notice"
  | "email_in_use"
  | "invitation"
  | "second_factor_notice"
  | "test";

export type Mail = {
  to: string;
  kind: MailKind;
  /** The account it concerns, for the audit trail of a failure. */
  userId?: string | null;
  template: MailTemplate;
};

/**
 * `templates.recovery({...})`: the template of that name in lib/mail/templates.tsx with its props
 * (typed from that module), to be rendered on the mail thread. Every template of the module is here by
 * its name, including ones added later, without a line changed in this file.
 */
export const templates = new Proxy({} as { [N in TemplateName]: (props: TemplateProps<N>) => MailTemplate }, {
  get: (_, name) => (typeof name === "string" ? (props: unknown) => ({ name, props }) as MailTemplate : undefined),
});

/** Sends one message; resolves true when delivered. Never throws: a failure is logged and answered false. */
export async function sendMail(mail: Mail): Promise<boolean> {
  let subject = `(template ${mail.template.name})`;
  let failure: string;
  try {
    const sent = await sendOnMailThread(mail.to, mail.template);
    subject = sent.subject;
    if ("delivery" in sent) {
      const { delivery } = sent;
      const where =
        delivery.via === "smtp" ? "sent over SMTP" : `written to ${path.relative(process.cwd(), delivery.file) || delivery.file}`;
      console.log(`Mail "${subject}" to ${mail.to}: ${where}.`);
      return true;
    }
    failure = sent.error;
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  console.error(`Mail "${subject}" to ${mail.to} not sent: ${failure}`);
  return false;
}

/** Renders a template without sending it (a superuser's preview), on the mail thread too. */
export function renderMail(template: MailTemplate): Promise<RenderedMail> {
  return renderOnMailThread(template);
}

/** The product name mails are signed with (EMAILS_FROM_NAME). */
export const appName = () => getConfig().mail.from.name;
