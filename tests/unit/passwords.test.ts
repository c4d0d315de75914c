import { test } from "node:test";
import assert from "node:assert/strict";
import { DUMMY_HASHES, hashPassword, verifyPassword, verifyPasswordOrDummy } from "../../lib/auth/passwords";
import { parseConfig } from "../../lib/config";
import { passwordPolicyProblem } from "../../lib/schemas/password-policy";

const COST = 10;

test("a hash verifies its password and nothing else", async () => {
  const hash = await hashPassword("correct horse", COST);
  assert.match(hash, /^\$2[aby]\$10\$/);
  assert.notEqual(hash, "correct horse");
  assert.equal(await verifyPassword("correct horse", hash), true);
  assert.equal(await verifyPassword("correct horsE", hash), false);
});

test("the same password hashes differently each time (salted)", async () => {
  assert.notEqual(await hashPassword("same password", COST), await hashPassword("same password", COST));
});

test("policy: 8 characters minimum, counted as characters", () => {
  assert.match(passwordPolicyProblem("1234567") ?? "", /at least 8 characters/);
  assert.equal(passwordPolicyProblem("12345678"), null);
  // Four emoji are 16 bytes but only 4 characters.
  assert.match(passwordPolicyProblem("😀😀😀😀") ?? "", /at least 8 characters/);
});

test("policy: 72 bytes of UTF-8 maximum, never truncated silently", () => {
  assert.equal(passwordPolicyProblem("é".repeat(36)), null); // 72 bytes
  assert.match(passwordPolicyProblem("é".repeat(36) + "a") ?? "", /at most 72 bytes/); // 73 bytes
});

test("a password longer than bcrypt's 72 bytes never verifies, even if its prefix matches", async () => {
  const stored = "x".repeat(72);
  const hash = await hashPassword(stored, COST);
  assert.equal(await verifyPassword(stored, hash), true);
  assert.equal(await verifyPassword(stored + "extra", hash), false);
});

test("an unknown user costs a comparison and never matches", async () => {
  const hash = await hashPassword("real password", COST);
  assert.equal(await verifyPasswordOrDummy("real password", hash, COST), true);
  assert.equal(await verifyPasswordOrDummy("real password", null, COST), false);
  assert.equal(await verifyPasswordOrDummy("dummy password that never matches", undefined, COST), false);
});

test("every cost BCRYPT_COST allows has a dummy hash, so an unknown email is checked at that cost", async () => {
  for (let cost = 4; cost <= 16; cost++) {
    // 4 to 9 only on test servers (BCRYPT_ALLOW_TEST_COST).
    assert.equal(parseConfig({ BCRYPT_COST: String(cost), BCRYPT_ALLOW_TEST_COST: String(cost < 10) }).bcryptCost, cost);
    // bcrypt's prefix carries the cost the check will spend.
    assert.match(DUMMY_HASHES[cost] ?? "", new RegExp(`^\\$2b\\$${String(cost).padStart(2, "0")}\\$[./A-Za-z0-9]{53}$`));
  }
  assert.throws(() => parseConfig({ BCRYPT_COST: "9" }));
  assert.throws(() => parseConfig({ BCRYPT_COST: "3", BCRYPT_ALLOW_TEST_COST: "true" }));
  assert.throws(() => parseConfig({ BCRYPT_COST: "17" }));
  // Nothing matches a dummy hash.
  for (const cost of [4, 10, 11]) {
    assert.equal(await verifyPasswordOrDummy("anything at all", null, cost), false);
  }
  await assert.rejects(verifyPasswordOrDummy("x", null, 3), RangeError);
});
