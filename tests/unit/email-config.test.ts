/** The mail settings (lib/config/index.ts) and the links and templates built from them (lib/mail/). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../lib/config";
import { describeMailTarget } from "../../lib/mail/transport";
import { renderMail, templates } from "../../lib/mail/templates";

test("zero configuration: no SMTP, mail goes to $DATA_DIR/outbox; 1-hour reset links; verification optional", () => {
  const config = parseConfig({}, "/srv/app");
  assert.equal(config.mail.smtp, null);
  assert.equal(config.mail.outboxDir, "/srv/app/.data/outbox");
  assert.equal(config.mail.resetTokenTtlSeconds, 3600);
  assert.equal(config.mail.verification, "optional");
  assert.match(describeMailTarget(config), /\/srv\/app\/\.data\/outbox/);
});

test("SMTP settings as the FastAPI template spells them: port 587, STARTTLS on, implicit TLS off", () => {
  const smtp = parseConfig({ SMTP_HOST: "smtp.example.com", EMAILS_FROM_EMAIL: "info@example.com" }).mail.smtp;
  assert.deepEqual(smtp, { host: "smtp.example.com", port: 587, user: undefined, password: undefined, tls: true, ssl: false });
  for (const [value, expected] of [["True", true], ["False", false], ["true", true], ["false", false], ["1", true], ["0", false]] as const) {
    const c = parseConfig({ SMTP_HOST: "h", EMAILS_FROM_EMAIL: "a@b.co", SMTP_TLS: value, SMTP_SSL: value });
    assert.equal(c.mail.smtp?.tls, expected, value);
    assert.equal(c.mail.smtp?.ssl, expected, value);
  }
  assert.throws(() => parseConfig({ SMTP_TLS: "maybe" }), (e: Error) => e instanceof ConfigError && /SMTP_TLS/.test(e.message));
});

test("SMTP_HOST needs EMAILS_FROM_EMAIL; SMTP_PASSWORD needs SMTP_USER; EMAIL_VERIFICATION is optional or required", () => {
  assert.throws(() => parseConfig({ SMTP_HOST: "h" }), /EMAILS_FROM_EMAIL/);
  assert.throws(() => parseConfig({ SMTP_PASSWORD: "pw" }), /SMTP_USER/);
  assert.equal(parseConfig({ EMAIL_VERIFICATION: "Required" }).mail.verification, "required");
  assert.throws(() => parseConfig({ EMAIL_VERIFICATION: "sometimes" }), /EMAIL_VERIFICATION/);
  assert.throws(() => parseConfig({ EMAIL_RESET_TOKEN_EXPIRE_HOURS: "0" }), /EMAIL_RESET_TOKEN_EXPIRE_HOURS/);
  assert.equal(parseConfig({ EMAIL_RESET_TOKEN_EXPIRE_HOURS: "0.5" }).mail.resetTokenTtlSeconds, 1800);
});

test("every template renders an HTML and a plain-text part carrying the same link", async () => {
  const link = "http://localhost:3000/reset-password?token=abc_DEF-123";
  const rendered = await Promise.all([
    renderMail(templates.recovery({ appName: "App", email: "a@example.com", link, validSeconds: 3600 })),
    renderMail(templates.invitation({ appName: "App", email: "a@example.com", link, validSeconds: 3600 })),
    renderMail(templates.verification({ appName: "App", email: "a@example.com", link, validSeconds: 3600 })),
  ]);
  for (const mail of rendered) {
    assert.match(mail.html, /^<!DOCTYPE html/i);
    assert.ok(mail.html.includes(link) && mail.text.includes(link), mail.subject);
    assert.ok(!/<[a-z]/i.test(mail.text), "the text part is text");
  }
  assert.match(rendered[0]!.text, /1 hour/);
  for (const mail of [
    await renderMail(templates.passwordChanged({ appName: "App", email: "a@example.com", recoverLink: "http://x/recover-password" })),
    await renderMail(templates.emailChanged({ appName: "App", oldEmail: "a@example.com", newEmail: "b@example.com", recoverLink: "http://x/login" })),
    await renderMail(templates.test({ appName: "App" })),
  ]) {
    assert.ok(mail.subject.startsWith("App - ") && mail.html.length > 0 && mail.text.length > 0);
  }
});
