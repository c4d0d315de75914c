/**
 * An email change over real mail (security round 4): asked with a fresh proof, it takes effect only
 * when the new address confirms it; the old address is told and can undo it (signing out everywhere),
 * before or after the confirmation; a taken address gets the same answer and a "someone tried" mail.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { linkIn, startSmtpSink, type SmtpSink } from "../helpers/mail";
import {
  bannerUrl, login, newUser, startServer, uniqueEmail, type Json, type Server } from "../helpers/server";

const CONFIRM_SUBJECT = /Confirm your new email address/;
const NOTICE_SUBJECT = /A change of your email address was requested/;
const IN_USE_SUBJECT = /Someone tried to use your email address/;

let sink: SmtpSink;
let server: Server;
before(async () => {
  sink = await startSmtpSink();
  server = await startServer(sink.env);
});
after(async () => {
  await server?.close();
  await sink?.close();
});

const me = async (token: string) => (await server.api("/api/v1/users/me", { token })).body;
const askChange = (token: string, email: string, password: string) =>
  server.api("/api/v1/users/me", { method: "PATCH", token, json: { email, current_password: password } });
const confirm = (token: string) => server.api("/api/v1/confirm-email-change/", { method: "POST", json: { token } });
const cancel = (token: string) => server.api("/api/v1/cancel-email-change/", { method: "POST", json: { token } });
const loginStatus = async (email: string, password: string) =>
  (await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } })).status;

/** The confirm link mailed to the new address, and the cancel link mailed to the old one. */
async function links(oldEmail: string, newEmail: string, nth = 0) {
  const confirmMail = await sink.waitFor(newEmail, CONFIRM_SUBJECT);
  const notice = await sink.waitFor(oldEmail, NOTICE_SUBJECT, { after: nth });
  return { confirm: linkIn(confirmMail, "/confirm-email-change"), cancel: linkIn(notice, "/cancel-email-change"), notice };
}

describe("asking", () => {
  test("202: nothing changes until the new address confirms; the old one keeps sign-in and recovery", async () => {
    const { token, email, password } = await newUser(server, "ask-old");
    const newEmail = uniqueEmail("ask-new");
    const res = await askChange(token, newEmail, password);
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.body, { message: `Check ${newEmail} to confirm the change. Until then your account keeps its current address.` });

    assert.equal((await me(token)).email, email);
    assert.equal(await loginStatus(email, password), 200);
    assert.equal(await loginStatus(newEmail, password), 400);

    const { confirm: confirmLink, notice } = await links(email, newEmail);
    assert.ok(confirmLink.url.startsWith(`${await bannerUrl(server)}/confirm-email-change?token=`), confirmLink.url);
    assert.match(notice.text, new RegExp(newEmail.replace(/[.+]/g, "\\$&")));
    // Recovery still goes to the old address; the new one has no account yet.
    await server.api(`/api/v1/password-recovery/${encodeURIComponent(email)}`, { method: "POST" });
    await sink.waitFor(email, /Password recovery/);
  });

  test("a taken address: the same answer, a 'someone tried' mail to it, no link; the account is unchanged", async () => {
    const holder = await newUser(server, "holder");
    const asker = await newUser(server, "asker");
    const free = await newUser(server, "asker-free");
    const freeAddress = uniqueEmail("free");
    const taken = await askChange(asker.token, holder.email, asker.password);
    const notTaken = await askChange(free.token, freeAddress, free.password);
    assert.equal(taken.status, notTaken.status);
    assert.equal(taken.status, 202, taken.text);
    assert.equal(taken.body.message.replace(holder.email, "X"), notTaken.body.message.replace(freeAddress, "X"));

    const warning = await sink.waitFor(holder.email, IN_USE_SUBJECT);
    assert.doesNotMatch(warning.text, /confirm-email-change|cancel-email-change/);
    // The asker's old address is told as for a free address.
    await sink.waitFor(asker.email, NOTICE_SUBJECT);
    assert.equal(sink.to(holder.email).filter((m) => CONFIRM_SUBJECT.test(m.subject)).length, 0);
    assert.equal((await me(asker.token)).email, asker.email);
    assert.equal((await me(holder.token)).email, holder.email);
  });

  test("a wrong current_password: 400, nothing asked, nothing mailed", async () => {
    const { token, email } = await newUser(server, "wrong-proof");
    const newEmail = uniqueEmail("wrong-proof-new");
    const res = await askChange(token, newEmail, "not-my-password");
    assert.equal(res.status, 400, res.text);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sink.to(newEmail).length, 0);
    assert.equal(sink.to(email).filter((m) => NOTICE_SUBJECT.test(m.subject)).length, 0);
  });
});

describe("confirming", () => {
  test("the link moves the account, verified; it works once; the old address no longer signs in", async () => {
    const { token, email, password } = await newUser(server, "confirm-old");
    const newEmail = uniqueEmail("confirm-new");
    assert.equal((await askChange(token, newEmail, password)).status, 202);
    const { confirm: link } = await links(email, newEmail);

    const res = await confirm(link.token);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { message: `Email changed to ${newEmail}` });
    const user = await me(token);
    assert.equal(user.email, newEmail);
    assert.equal(user.is_verified, true);
    assert.equal(await loginStatus(newEmail, password), 200);
    assert.equal(await loginStatus(email, password), 400);
    assert.deepEqual((await confirm(link.token)).body, { detail: "Invalid token" });
    const events = (await server.api("/api/v1/users/me/events", { token })).body.data as { type: string }[];
    for (const type of ["email_change_requested", "email_changed"]) assert.ok(events.some((e) => e.type === type), type);
  });

  test("two uses racing for one link: exactly one wins", async () => {
    const { token, email, password } = await newUser(server, "race-old");
    const newEmail = uniqueEmail("race-new");
    assert.equal((await askChange(token, newEmail, password)).status, 202);
    const { confirm: link } = await links(email, newEmail);
    const answers = await Promise.all(Array.from({ length: 6 }, () => confirm(link.token)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400, 400, 400, 400, 400]);
    assert.equal((await me(token)).email, newEmail);
  });

  test("a newer request supersedes the pending link", async () => {
    const { token, email, password } = await newUser(server, "supersede-old");
    const first = uniqueEmail("supersede-first");
    const second = uniqueEmail("supersede-second");
    assert.equal((await askChange(token, first, password)).status, 202);
    const firstLinks = await links(email, first);
    assert.equal((await askChange(token, second, password)).status, 202);
    const secondLinks = await links(email, second, 1);
    assert.deepEqual((await confirm(firstLinks.confirm.token)).body, { detail: "Invalid token" });
    assert.equal((await confirm(secondLinks.confirm.token)).status, 200);
    assert.equal((await me(token)).email, second);
  });
});

describe("undoing, from the old address", () => {
  test("after the confirmation: back to the old address, and every token, refresh token and session ends", async () => {
    const { token, email, password } = await newUser(server, "undo-old");
    const apiLogin = (await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } })).body as Json;
    const newEmail = uniqueEmail("undo-new");
    assert.equal((await askChange(token, newEmail, password)).status, 202);
    const { confirm: confirmLink, cancel: cancelLink } = await links(email, newEmail);
    assert.equal((await confirm(confirmLink.token)).status, 200);

    const res = await cancel(cancelLink.token);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { message: `The email change was undone and every device was signed out. Sign in with ${email}.` });
    for (const t of [token, apiLogin.access_token]) {
      const after = await server.api("/api/v1/users/me", { token: t });
      assert.equal(after.status, 401, after.text);
      assert.equal(after.body.reason, "revoked");
    }
    const refresh = await server.api("/api/v1/login/access-token", {
      method: "POST",
      form: { grant_type: "refresh_token", refresh_token: apiLogin.refresh_token },
    });
    assert.equal(refresh.status, 400, refresh.text);
    assert.equal(await loginStatus(email, password), 200);
    assert.equal(await loginStatus(newEmail, password), 400);
    assert.deepEqual((await cancel(cancelLink.token)).body, { detail: "Invalid token" });
  });

  test("before the confirmation: the pending link dies and the account keeps its address", async () => {
    const { token, email, password } = await newUser(server, "undo-early");
    const newEmail = uniqueEmail("undo-early-new");
    assert.equal((await askChange(token, newEmail, password)).status, 202);
    const { confirm: confirmLink, cancel: cancelLink } = await links(email, newEmail);
    assert.equal((await cancel(cancelLink.token)).status, 200);
    assert.deepEqual((await confirm(confirmLink.token)).body, { detail: "Invalid token" });
    const fresh = await login(server, email, password);
    const user = await me(fresh);
    assert.equal(user.email, email);
    const events = (await server.api("/api/v1/users/me/events", { token: fresh })).body.data as { type: string }[];
    assert.ok(events.some((e) => e.type === "email_change_cancelled"), JSON.stringify(events));
  });

  test("a second change does not take away the first one's way back", async () => {
    const { token, email, password } = await newUser(server, "chain-old");
    const first = uniqueEmail("chain-first");
    assert.equal((await askChange(token, first, password)).status, 202);
    const firstLinks = await links(email, first);
    assert.equal((await confirm(firstLinks.confirm.token)).status, 200);
    const second = uniqueEmail("chain-second");
    assert.equal((await askChange(token, second, password)).status, 202);
    const secondLinks = await links(first, second);
    assert.equal((await confirm(secondLinks.confirm.token)).status, 200);

    assert.equal((await cancel(firstLinks.cancel.token)).status, 200);
    assert.equal(await loginStatus(email, password), 200);
  });
});
