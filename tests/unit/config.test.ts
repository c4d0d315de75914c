import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, parseConfig } from "../../lib/config";
import { loadOrCreateSecret } from "../../lib/auth/secret";

test("zero configuration: SQLite in .data, 30-minute tokens, bcrypt cost 12", () => {
  const config = parseConfig({}, "/srv/app");
  assert.equal(config.dataDir, "/srv/app/.data");
  assert.equal(config.databaseProvider, "sqlite");
  assert.equal(config.sqlitePath, "/srv/app/.data/app.db");
  assert.equal(config.accessTokenTtlSeconds, 1800);
  assert.equal(config.bcryptCost, 12);
  assert.equal(config.port, 3000);
});

test("DATA_DIR and DATABASE_URL move the database", () => {
  assert.equal(parseConfig({ DATA_DIR: "/var/lib/signin" }, "/srv").sqlitePath, "/var/lib/signin/app.db");
  assert.equal(parseConfig({ DATABASE_URL: "file:./db/x.db" }, "/srv").sqlitePath, "/srv/db/x.db");
  assert.equal(parseConfig({ DATABASE_URL: "postgresql://u@h/db" }).databaseProvider, "postgresql");
});

function expectError(env: Record<string, string>, variable: string) {
  assert.throws(
    () => parseConfig(env),
    (error: unknown) => error instanceof ConfigError && error.message.includes(variable),
  );
}

test("bad values stop start-up with a message naming the variable", () => {
  expectError({ AUTH_SECRET: "too short" }, "AUTH_SECRET");
  expectError({ AUTH_SECRET_PREVIOUS: `${"k".repeat(40)},short` }, "AUTH_SECRET_PREVIOUS");
  expectError({ BCRYPT_COST: "8" }, "BCRYPT_COST");
  expectError({ ACCESS_TOKEN_EXPIRE_MINUTES: "-5" }, "ACCESS_TOKEN_EXPIRE_MINUTES");
  expectError({ ACCESS_TOKEN_EXPIRE_MINUTES: "soon" }, "ACCESS_TOKEN_EXPIRE_MINUTES");
  expectError({ PORT: "70000" }, "PORT");
  expectError({ DATABASE_URL: "mysql://x" }, "DATABASE_URL");
  expectError({ FIRST_SUPERUSER: "not-an-email" }, "FIRST_SUPERUSER");
});

test("AUTH_SECRET of 32 bytes or more is accepted; previous secrets are a comma-separated list", () => {
  const a = "a".repeat(32);
  const b = "b".repeat(40);
  const config = parseConfig({ AUTH_SECRET: a, AUTH_SECRET_PREVIOUS: ` ${b} , ${a}` });
  assert.equal(config.authSecret, a);
  assert.deepEqual(config.authSecretPrevious, [b, a]);
});

test("without AUTH_SECRET a secret is generated once, owner-only, and reused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-"));
  const first = loadOrCreateSecret(path.join(dir, "data"), undefined);
  assert.equal(first.source, "file-created");
  assert.ok(Buffer.byteLength(first.secret) >= 32);
  assert.equal(fs.statSync(first.file!).mode & 0o777, 0o600);
  const second = loadOrCreateSecret(path.join(dir, "data"), undefined);
  assert.equal(second.source, "file");
  assert.equal(second.secret, first.secret);
  // Loosened permissions are tightened again.
  fs.chmodSync(first.file!, 0o644);
  loadOrCreateSecret(path.join(dir, "data"), undefined);
  assert.equal(fs.statSync(first.file!).mode & 0o777, 0o600);
  // AUTH_SECRET wins over the file.
  assert.equal(loadOrCreateSecret(path.join(dir, "data"), "e".repeat(40)).secret, "e".repeat(40));
});
