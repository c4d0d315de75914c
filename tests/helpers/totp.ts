/**
 * TOTP for the tests: the codes an authenticator app would show (computed with otpauth, the library the
 * server uses too, from the secret the enrolment answered), waiting for a step to have time left or for
 * the next one, and (API tests) a user with TOTP turned on. The e2e specs use the codes too: this module
 * loads the API tests' server helpers only when `enrolledUser` is called.
 */
import assert from "node:assert/strict";
import { Secret, TOTP } from "otpauth";
import type { Server } from "./server";

export const STEP_MS = 30_000;

/** What an authenticator app shows for `secret` at `at` (ms). */
export const codeAt = (secret: string, at = Date.now()) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: at });

/**
 * Waits until the current 30-second step has at least 3 seconds left, so that a code computed here for
 * a step relative to now is judged against the same step by the server.
 */
export async function awayFromStepEnd() {
  const left = STEP_MS - (Date.now() % STEP_MS);
  if (left < 3000) await new Promise((r) => setTimeout(r, left + 100));
}

/** A well-formed code that is none of the codes valid now. */
export const wrongCode = (secret: string) => {
  const valid = new Set([-1, 0, 1].map((k) => codeAt(secret, Date.now() + k * STEP_MS)));
  return ["000000", "111111", "222222", "333333"].find((c) => !valid.has(c))!;
};

/**
 * A new user with TOTP on: its secret, recovery codes and a token. Confirmed with the previous step's
 * code (accepted: clock skew), so the current step's code is still unused for the test. Enrolled through
 * a token of its own: the token returned has made no proof (a sensitive change with it needs one).
 */
export async function enrolledUser(srv: Server, label: string, password?: string) {
  const { login, newUser } = await import("./server");
  const user = await newUser(srv, label, password);
  const setup = await login(srv, user.email, user.password);
  const started = await srv.api("/api/v1/users/me/mfa/totp", { method: "POST", token: setup, json: { password: user.password } });
  assert.equal(started.status, 200, started.text);
  const secret = started.body.secret as string;
  await awayFromStepEnd();
  const confirmed = await srv.api("/api/v1/users/me/mfa/totp/confirm", {
    method: "POST",
    token: setup,
    json: { code: codeAt(secret, Date.now() - STEP_MS) },
  });
  assert.equal(confirmed.status, 200, confirmed.text);
  return { ...user, secret, recoveryCodes: confirmed.body.recovery_codes as string[] };
}
