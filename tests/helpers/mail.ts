/**
 * Mail in tests, received for real: an SMTP server (`smtp-server`) on 127.0.0.1 and a free port that
 * the app under test sends to (SMTP_HOST/SMTP_PORT, TLS off), every message parsed with `mailparser`;
 * and the outbox's `.eml` files, parsed the same way.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";

export type ReceivedMail = { to: string[]; subject: string; text: string; html: string; raw: string };

function toReceived(parsed: ParsedMail, raw: string): ReceivedMail {
  const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) =>
    a.value.map((v) => (v.address ?? "").toLowerCase()),
  );
  return { to, subject: parsed.subject ?? "", text: parsed.text ?? "", html: typeof parsed.html === "string" ? parsed.html : "", raw };
}

export type SmtpSink = {
  port: number;
  messages: ReceivedMail[];
  /** Settings that point the app at this sink. */
  env: Record<string, string>;
  /** The first message to `to` (after `after` messages to it) whose subject matches, waiting up to `timeoutMs`. */
  waitFor: (to: string, subject: RegExp, options?: { after?: number; timeoutMs?: number }) => Promise<ReceivedMail>;
  /** Messages to `to` so far. */
  to: (to: string) => ReceivedMail[];
  close: () => Promise<void>;
};

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        simpleParser(raw)
          .then((parsed) => {
            messages.push(toReceived(parsed, raw));
            callback();
          })
          .catch(callback);
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address();
      if (address && typeof address === "object") resolve(address.port);
      else reject(new Error("no port"));
    });
  });
  const to = (address: string) => messages.filter((m) => m.to.includes(address.toLowerCase()));
  return {
    port,
    messages,
    env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(port), SMTP_TLS: "False", SMTP_SSL: "False", EMAILS_FROM_EMAIL: "noreply@example.com" },
    to,
    async waitFor(address, subject, { after = 0, timeoutMs = 15_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = to(address).filter((m) => subject.test(m.subject))[after];
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(`No mail to ${address} matching ${subject} within ${timeoutMs} ms; got: ${JSON.stringify(messages.map((m) => [m.to, m.subject]))}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The `.eml` files in a data folder's outbox, parsed, oldest first. */
export async function readOutbox(dataDir: string): Promise<(ReceivedMail & { file: string; mode: number })[]> {
  const dir = path.join(dataDir, "outbox");
  if (!fs.existsSync(dir)) return [];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).sort();
  return Promise.all(
    files.map(async (name) => {
      const file = path.join(dir, name);
      const raw = fs.readFileSync(file, "utf8");
      return { ...toReceived(await simpleParser(raw), raw), file, mode: fs.statSync(file).mode & 0o777 };
    }),
  );
}

/** The link to `page` in a mail's text part, and its token. */
export function linkIn(mail: ReceivedMail, page: string): { url: string; token: string } {
  const match = new RegExp(`https?://[^\\s\\]>)"]+${page}\\?token=[A-Za-z0-9_-]+`).exec(mail.text);
  assert.ok(match, `no ${page} link in the mail's text:\n${mail.text}`);
  const url = match[0];
  return { url, token: new URL(url).searchParams.get("token")! };
}

/** A mail's HTML part contains the same link. */
export function htmlHasLink(mail: ReceivedMail, url: string): boolean {
  return mail.html.includes(url.replace(/&/g, "&amp;")) || mail.html.includes(url);
}
