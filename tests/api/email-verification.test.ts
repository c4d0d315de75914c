/**
 * Email verification, email changes and invitations over real mail (an SMTP server started here), and
 * EMAIL_VERIFICATION=required at every sign-in; a delivery failure lands in the log and the audit trail.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freePort } from "../helpers/processes";
import { linkIn, startSmtpSink, type SmtpSink } from "../helpers/mail";
import {
  bannerUrl,
  adminToken,
  browserSignIn,
  errorLocations,
  login,
  mintFromCookie,
  newUser,
  SESSION_COOKIE,
  signup,
  startServer,
  uniqueEmail,
  type Server,
} from "../helpers/server";

const VERIFY_SUBJECT = /Confirm your email address/;
const verify = (on: Server, token: string) => on.api("/api/v1/verify-email/", { method: "POST", json: { token } });
const me = async (on: Server, token: string) => (await on.api("/api/v1/users/me", { token })).body;
/** What Auth.js itself says of a session cookie (GET /api/auth/session): null or no user when signed out. */
async function authjsSession(on: Server, cookie: string): Promise<{ user?: { email?: string } } | null> {
  const res = await fetch(`${on.url}/api/auth/session`, { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as { user?: { email?: string } } | null;
}

let sink: SmtpSink;
before(async () => {
  sink = await startSmtpSink();
});
after(() => sink?.close());

/** The verification link of the `nth` (0-based) verification mail to `email`. */
const verificationLink = async (email: string, nth = 0) => linkIn(await sink.waitFor(email, VERIFY_SUBJECT, { after: nth }), "/verify-email");

describe("EMAIL_VERIFICATION=optional (the default)", () => {
  let server: Server;
  before(async () => {
    server = await startServer(sink.env);
  });
  after(() => server?.close());

  test("sign-up mails a link; following it verifies the account, once", async () => {
    const { email, token } = await newUser(server, "verify");
    assert.equal((await me(server, token)).is_verified, false);
    const link = await verificationLink(email);
    assert.ok(link.url.startsWith(`${await bannerUrl(server)}/verify-email?token=`), link.url);
    const res = await verify(server, link.token);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { message: "Email verified" });
    assert.equal((await me(server, token)).is_verified, true);
    assert.deepEqual((await verify(server, link.token)).body, { detail: "Invalid token" });
    const events = await server.api("/api/v1/users/me/events", { token });
    assert.ok(events.body.data.some((e: { type: string }) => e.type === "email_verified"));
  });

  test("a new link on request supersedes the old one; 400 once verified; 429 past 5 an hour", async () => {
    const { email, token } = await newUser(server, "resend");
    const first = await verificationLink(email);
    const resent = await server.api("/api/v1/users/me/verify-email", { method: "POST", token });
    assert.equal(resent.status, 202, resent.text);
    const second = await verificationLink(email, 1);
    assert.deepEqual((await verify(server, first.token)).body, { detail: "Invalid token" });
    assert.equal((await verify(server, second.token)).status, 200);
    const again = await server.api("/api/v1/users/me/verify-email", { method: "POST", token });
    assert.equal(again.status, 400);
    assert.deepEqual(again.body, { detail: "Email already verified" });

    const other = await newUser(server, "resend-limit"); // sign-up's mail is the first of 5
    for (let i = 0; i < 4; i++) {
      assert.equal((await server.api("/api/v1/users/me/verify-email", { method: "POST", token: other.token })).status, 202);
    }
    const limited = await server.api("/api/v1/users/me/verify-email", { method: "POST", token: other.token });
    assert.equal(limited.status, 429, limited.text);
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
  });

  test("changing the email: the new address's confirmation verifies it; the old address's links die", async () => {
    const { email, token, password } = await newUser(server, "change-old");
    const beforeChange = await verificationLink(email);
    const newEmail = uniqueEmail("change-new");
    const res = await server.api("/api/v1/users/me", { method: "PATCH", token, json: { email: newEmail, current_password: password } });
    assert.equal(res.status, 202, res.text);
    const notice = await sink.waitFor(email, /A change of your email address was requested/);
    assert.ok(notice.text.includes(newEmail));
    const confirmLink = linkIn(await sink.waitFor(newEmail, /Confirm your new email address/), "/confirm-email-change");
    const confirmed = await server.api("/api/v1/confirm-email-change/", { method: "POST", json: { token: confirmLink.token } });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.deepEqual((await verify(server, beforeChange.token)).body, { detail: "Invalid token" });
    const user = await me(server, token);
    assert.equal(user.email, newEmail);
    assert.equal(user.is_verified, true);
  });

  test("a superuser's edit of the email does the same", async () => {
    const admin = await adminToken(server);
    const { user, email, token } = await newUser(server, "admin-edit");
    await verify(server, (await verificationLink(email)).token);
    const newEmail = uniqueEmail("admin-edit-new");
    const res = await server.api(`/api/v1/users/${user.id}`, { method: "PATCH", token: admin, json: { email: newEmail } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.is_verified, false);
    await sink.waitFor(email, /Your email address was changed/);
    assert.equal((await verify(server, (await verificationLink(newEmail)).token)).status, 200);
    assert.equal((await me(server, token)).is_verified, true);
  });

  test("a user created by a superuser is invited to choose a password; no password is mailed", async () => {
    const admin = await adminToken(server);
    const email = uniqueEmail("invited");
    const res = await server.api("/api/v1/users/", { method: "POST", token: admin, json: { email, full_name: "Invited" } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.is_verified, false);
    const mail = await sink.waitFor(email, /An account was created for you/);
    const link = linkIn(mail, "/reset-password");
    const set = await server.api("/api/v1/reset-password/", { method: "POST", json: { token: link.token, new_password: "invited-password-1" } });
    assert.equal(set.status, 200, set.text);
    const token = await login(server, email, "invited-password-1");
    assert.equal((await me(server, token)).is_verified, true);

    const withPassword = uniqueEmail("invited-pw");
    await server.api("/api/v1/users/", { method: "POST", token: admin, json: { email: withPassword, password: "admin-chosen-pass-1" } });
    const invitation = await sink.waitFor(withPassword, /An account was created for you/);
    assert.ok(!invitation.text.includes("admin-chosen-pass-1") && !invitation.html.includes("admin-chosen-pass-1"));
  });

  test("the first superuser is verified; is_verified is in every user object", async () => {
    const admin = await adminToken(server);
    assert.equal((await me(server, admin)).is_verified, true);
    const list = await server.api("/api/v1/users/", { token: admin });
    assert.ok(list.body.data.every((u: { is_verified: unknown }) => typeof u.is_verified === "boolean"));
    const doc = await server.api("/api/openapi.json");
    assert.ok(doc.body.components.schemas.UserPublic.required.includes("is_verified"));
    assert.deepEqual(Object.keys(doc.body.components.schemas.NewPassword.properties).sort(), ["new_password", "token"]);
    const ops = Object.values(doc.body.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) =>
      Object.values(p).map((o) => o.operationId),
    );
    for (const id of ["login-recover_password", "login-reset_password", "login-recover_password_html_content", "utils-test_email"]) {
      assert.ok(ops.includes(id), id);
    }
  });

  test("malformed, unknown and concurrent uses", async () => {
    assert.ok(errorLocations(await server.api("/api/v1/verify-email/", { method: "POST", json: {} })).includes("body.token"));
    assert.deepEqual((await verify(server, "no-such-token")).body, { detail: "Invalid token" });
    const { email } = await newUser(server, "verify-race");
    const link = await verificationLink(email);
    const results = await Promise.all(Array.from({ length: 6 }, () => verify(server, link.token)));
    assert.equal(results.filter((r) => r.status === 200).length, 1, results.map((r) => r.text).join("\n"));
  });
});

/** The Credentials sign-in as the sign-in page does it; returns Auth.js's redirect URL (its `code` says why). */
async function credentialsSignIn(server: Server, fields: Record<string, string>): Promise<URL> {
  const csrf = await fetch(`${server.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1", cookie },
    body: new URLSearchParams({ ...fields, csrfToken, callbackUrl: server.url }).toString(),
    redirect: "manual",
  });
  const body = (await res.json()) as { url: string };
  return new URL(body.url);
}

describe("EMAIL_VERIFICATION=off (the FastAPI template's behaviour)", () => {
  let server: Server;
  before(async () => {
    server = await startServer({ ...sink.env, EMAIL_VERIFICATION: "off" });
  });
  after(() => server?.close());

  test("sign-up mails nothing, so a recovery mail is the only mail to the address; the account signs in", async () => {
    const { email, token, password } = await newUser(server, "verification-off");
    assert.equal((await me(server, token)).is_verified, false);
    const res = await server.api(`/api/v1/password-recovery/${encodeURIComponent(email)}`, { method: "POST" });
    assert.equal(res.status, 200, res.text);
    await sink.waitFor(email, /Password recovery/);
    // The template's reset-password tests read the newest mail to the address: it must be this one.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      sink.to(email).map((m) => m.subject),
      [(await sink.waitFor(email, /Password recovery/)).subject],
    );
    await login(server, email, password);
  });
});

describe("EMAIL_VERIFICATION=required", () => {
  let server: Server;
  before(async () => {
    server = await startServer({ ...sink.env, EMAIL_VERIFICATION: "required" });
  });
  after(() => server?.close());

  test("password sign-in, the token endpoint and session-token refuse an unverified account with 403", async () => {
    const email = uniqueEmail("required");
    await signup(server, email, "required-password-1");
    const token = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password: "required-password-1" } });
    assert.equal(token.status, 403, token.text);
    assert.deepEqual(token.body, { detail: "Email not verified" });
    // A wrong password still says only that.
    const wrong = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password: "wrong-password-1" } });
    assert.equal(wrong.status, 400);

    const refused = await credentialsSignIn(server, { email, password: "required-password-1" });
    assert.equal(refused.searchParams.get("code"), "unverified", refused.href);
    // The sign-in page's "send a new link": only with the right password.
    await sink.waitFor(email, VERIFY_SUBJECT); // sign-up's
    await credentialsSignIn(server, { email, password: "required-password-1", resend_verification: "1" });
    const link = await verificationLink(email, 1);
    assert.equal((await verify(server, link.token)).status, 200);
    await login(server, email, "required-password-1");
    const cookie = await browserSignIn(server, email, "required-password-1");
    assert.equal((await mintFromCookie(server, cookie)).status, 200);

    // A browser signed in before a superuser changed its address (now unverified) gets no new token.
    const { id } = await me(server, await login(server, email, "required-password-1"));
    const changed = await server.api(`/api/v1/users/${id}`, {
      method: "PATCH",
      token: await adminToken(server),
      json: { email: uniqueEmail("required-new") },
    });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.is_verified, false);
    const minted = await mintFromCookie(server, cookie);
    assert.equal(minted.status, 403);
    assert.deepEqual(minted.body, { detail: "Email not verified" });
  });

  test("an address that becomes unverified: the refresh grant and the browser session refuse it like password sign-in", async () => {
    const email = uniqueEmail("unverified-later");
    const password = "required-password-2";
    await signup(server, email, password);
    const link = await verificationLink(email);
    assert.equal((await verify(server, link.token)).status, 200);
    const tokens = (await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } })).body;
    assert.equal(typeof tokens.refresh_token, "string");
    const cookie = await browserSignIn(server, email, password);
    assert.equal((await authjsSession(server, cookie))?.user?.email, email, "a live browser session");

    // A superuser changes the address: the account is unverified from now on.
    const admin = await adminToken(server);
    const newEmail = uniqueEmail("unverified-new");
    const userId = (await me(server, tokens.access_token)).id;
    const patched = await server.api(`/api/v1/users/${userId}`, { method: "PATCH", token: admin, json: { email: newEmail } });
    assert.equal(patched.status, 200, patched.text);

    const password403 = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: newEmail, password } });
    assert.equal(password403.status, 403, password403.text);
    const refreshGrant = { grant_type: "refresh_token", refresh_token: tokens.refresh_token };
    const refused = await server.api("/api/v1/login/access-token", { method: "POST", form: refreshGrant });
    assert.equal(refused.status, 403, refused.text);
    assert.deepEqual(refused.body, password403.body, "the same answer as password sign-in");
    const minted = await mintFromCookie(server, cookie);
    assert.equal(minted.status, 403, minted.text);
    assert.deepEqual(minted.body, password403.body);
    assert.equal((await authjsSession(server, cookie))?.user, undefined, "Auth.js no longer sees a signed-in user");

    // Confirming the new address lets the same refresh token in again: a refusal spends nothing.
    const newLink = await verificationLink(newEmail);
    assert.equal((await verify(server, newLink.token)).status, 200);
    const again = await server.api("/api/v1/login/access-token", { method: "POST", form: refreshGrant });
    assert.equal(again.status, 200, again.text);
  });

  test("a mail that cannot be delivered: the request still succeeds; log and audit trail say so, without the link", async () => {
    const closed = await freePort();
    await server.restart({ ...sink.env, SMTP_PORT: String(closed), EMAIL_VERIFICATION: "required" });
    const admin = await adminToken(server);
    const to = uniqueEmail("undeliverable");
    const res = await server.api(`/api/v1/utils/test-email/?email_to=${encodeURIComponent(to)}`, { method: "POST", token: admin });
    assert.equal(res.status, 201);
    let failed: { type: string; method: string } | undefined;
    for (let i = 0; i < 200 && !failed; i++) {
      const events = await server.api("/api/v1/users/me/events", { token: admin });
      failed = events.body.data.find((e: { type: string }) => e.type === "email_send_failed");
      if (!failed) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(failed, "email_send_failed recorded");
    assert.equal(failed.method, "test");
    assert.match(server.output(), new RegExp(`Mail ".*Test email" to ${to.replace(/[.+]/g, "\\$&")} not sent`));
  });
});
