/**
 * Where a message goes: SMTP (nodemailer) when SMTP_HOST is set, otherwise an RFC 5322 `.eml` file in
 * `$DATA_DIR/outbox/` (owner-only), built by nodemailer's stream transport so the MIME is nodemailer's,
 * never hand-written. Every SMTP step has a timeout, and the whole delivery has one more on top.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import { getConfig, type Config } from "../config";
import type { RenderedMail } from "./templates";

/** The longest a delivery may take, SMTP dialogue included; then it counts as failed. */
export const SEND_TIMEOUT_MS = 15_000;

export type Delivery = { via: "smtp"; messageId: string } | { via: "outbox"; file: string };

/** Where mail goes, for the start banner and the log. */
export function describeMailTarget(config: Config = getConfig()): string {
  const { smtp, outboxDir, from } = config.mail;
  if (!smtp) return `Mail: no SMTP_HOST, so messages are written to ${outboxDir} (one .eml file each).`;
  const security = smtp.ssl ? "TLS" : smtp.tls ? "STARTTLS" : "no TLS";
  return `Mail: SMTP ${smtp.host}:${smtp.port} (${security}${smtp.user ? `, as ${smtp.user}` : ""}), from ${from.email}.`;
}

let smtpTransport: Transporter | undefined;
let outboxTransport: Transporter | undefined;

function smtp(settings: NonNullable<Config["mail"]["smtp"]>): Transporter {
  smtpTransport ??= nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    // SMTP_SSL: TLS from the first byte (port 465); SMTP_TLS: STARTTLS, and refuse a server without it.
    secure: settings.ssl,
    requireTLS: settings.tls && !settings.ssl,
    ignoreTLS: !settings.tls && !settings.ssl,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? "" } : undefined,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
  });
  return smtpTransport;
}

function outbox(): Transporter {
  outboxTransport ??= nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  return outboxTransport;
}

/** Writes the raw message as a new owner-only file in the outbox; returns its path. */
function writeToOutbox(dir: string, raw: Buffer): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${crypto.randomBytes(4).toString("hex")}.eml`;
  const file = path.join(dir, name);
  fs.writeFileSync(file, raw, { mode: 0o600, flag: "wx" });
  return file;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Delivers one message (throws when it could not be delivered). */
export async function deliver(to: string, mail: RenderedMail): Promise<Delivery> {
  const { mail: settings } = getConfig();
  const message = {
    from: { name: settings.from.name, address: settings.from.email },
    to,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
  };
  if (settings.smtp) {
    const info = await withTimeout(smtp(settings.smtp).sendMail(message), SEND_TIMEOUT_MS);
    return { via: "smtp", messageId: String(info.messageId ?? "") };
  }
  const info = await withTimeout(outbox().sendMail(message), SEND_TIMEOUT_MS);
  return { via: "outbox", file: writeToOutbox(settings.outboxDir, info.message as Buffer) };
}
