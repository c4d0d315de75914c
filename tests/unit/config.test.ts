import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, parseConfig, redactUrl } from "../../lib/config";
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

test("PostgreSQL: the scheme picks the provider, DATABASE_POOL_SIZE sizes the pool (10 by default)", () => {
  const pg = parseConfig({ DATABASE_URL: "postgres://app:pw@db.internal:5432/signin" });
  assert.equal(pg.databaseProvider, "postgresql");
  assert.equal(pg.sqlitePath, null);
  assert.equal(pg.databasePoolSize, 10);
  assert.equal(parseConfig({ DATABASE_URL: "postgresql://h/db", DATABASE_POOL_SIZE: "25" }).databasePoolSize, 25);
  expectError({ DATABASE_POOL_SIZE: "0" }, "DATABASE_POOL_SIZE");
  expectError({ DATABASE_POOL_SIZE: "many" }, "DATABASE_POOL_SIZE");
  expectError({ DATABASE_POOL_SIZE: "2.5" }, "DATABASE_POOL_SIZE");
});

test("a database URL is logged with its password masked", () => {
  assert.equal(redactUrl("postgresql://app:s3cret@db:5432/signin"), "postgresql://app:***@db:5432/signin");
  assert.equal(redactUrl("postgresql://postgres@127.0.0.1:5432/x"), "postgresql://postgres@127.0.0.1:5432/x");
  assert.ok(!redactUrl("postgresql://app:s3cret@db/x?sslmode=require").includes("s3cret"));
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

test("a bcrypt cost below 10 is refused unless BCRYPT_ALLOW_TEST_COST marks a test server", () => {
  assert.throws(
    () => parseConfig({ BCRYPT_COST: "4" }),
    (error: unknown) =>
      error instanceof ConfigError && /BCRYPT_COST: must be at least 10/.test(error.message) && error.message.includes("BCRYPT_ALLOW_TEST_COST"),
  );
  expectError({ BCRYPT_COST: "9", BCRYPT_ALLOW_TEST_COST: "false" }, "BCRYPT_COST");
  const test = parseConfig({ BCRYPT_COST: "4", BCRYPT_ALLOW_TEST_COST: "true" });
  assert.equal(test.bcryptCost, 4);
  assert.equal(test.bcryptTestCostAllowed, true);
  // bcrypt's own floor holds even for tests, and the flag changes nothing else.
  expectError({ BCRYPT_COST: "3", BCRYPT_ALLOW_TEST_COST: "true" }, "BCRYPT_COST");
  assert.equal(parseConfig({ BCRYPT_ALLOW_TEST_COST: "true" }).bcryptCost, 12);
  assert.equal(parseConfig({}).bcryptTestCostAllowed, false);
  expectError({ BCRYPT_ALLOW_TEST_COST: "maybe" }, "BCRYPT_ALLOW_TEST_COST");
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

test("CORS origins: FRONTEND_HOST and BACKEND_CORS_ORIGINS as the template spells them, none by default", () => {
  assert.deepEqual(parseConfig({}).corsOrigins, []);
  assert.equal(parseConfig({}).frontendHost, undefined);
  const commaList = parseConfig({
    FRONTEND_HOST: "http://localhost:5173/",
    BACKEND_CORS_ORIGINS: "http://localhost, https://app.example.com/ ,http://localhost:5173",
  });
  assert.equal(commaList.frontendHost, "http://localhost:5173");
  assert.deepEqual(commaList.corsOrigins, ["http://localhost:5173", "http://localhost", "https://app.example.com"]);
  const jsonList = parseConfig({ BACKEND_CORS_ORIGINS: '["https://A.example.com:443", "http://127.0.0.1:8080"]' });
  assert.deepEqual(jsonList.corsOrigins, ["https://a.example.com", "http://127.0.0.1:8080"]);
});

test("a CORS origin that is not an origin stops start-up, naming the variable", () => {
  for (const [name, value] of [
    ["BACKEND_CORS_ORIGINS", "*"],
    ["BACKEND_CORS_ORIGINS", '["http://ok.example", 3]'],
    ["BACKEND_CORS_ORIGINS", "[not json"],
    ["BACKEND_CORS_ORIGINS", "http://app.example.com/some/path"],
    ["BACKEND_CORS_ORIGINS", "ftp://files.example.com"],
    ["FRONTEND_HOST", "localhost:5173"],
  ]) {
    expectError({ [name!]: value! }, name!);
  }
});

test("the issuer: AUTH_URL's origin, else the URL the start banner prints (HOSTNAME and PORT), never a request's", () => {
  assert.equal(parseConfig({}).issuer, "http://localhost:3000");
  assert.equal(parseConfig({ HOSTNAME: "0.0.0.0", PORT: "8000" }).issuer, "http://localhost:8000");
  assert.equal(parseConfig({ HOSTNAME: "::" }).listenUrl, "http://localhost:3000");
  assert.equal(parseConfig({ HOSTNAME: "app.internal", PORT: "4000" }).issuer, "http://app.internal:4000");
  assert.equal(parseConfig({ HOSTNAME: "fd00::5" }).listenUrl, "http://[fd00::5]:3000");
  const pinned = parseConfig({ AUTH_URL: "https://signin.example/some/path", PORT: "4000" });
  assert.equal(pinned.issuer, "https://signin.example");
  assert.equal(pinned.listenUrl, "http://localhost:4000", "the banner still says where the process listens");
});

test("MFA_REQUIRED: off by default, superusers or all (any case); AUTH_OIDC_TRUST_AMR: on by default", () => {
  assert.equal(parseConfig({}).mfaRequired, "off");
  assert.equal(parseConfig({ MFA_REQUIRED: "Superusers" }).mfaRequired, "superusers");
  assert.equal(parseConfig({ MFA_REQUIRED: "all" }).mfaRequired, "all");
  assert.throws(() => parseConfig({ MFA_REQUIRED: "admins" }), /MFA_REQUIRED: must be off, superusers or all/);
  const oidc = { AUTH_OIDC_ISSUER: "https://idp.example.com", AUTH_OIDC_CLIENT_ID: "app", AUTH_OIDC_CLIENT_SECRET: "s" };
  assert.equal(parseConfig(oidc).oidc?.trustAmr, true);
  assert.equal(parseConfig({ ...oidc, AUTH_OIDC_TRUST_AMR: "false" }).oidc?.trustAmr, false);
  assert.throws(() => parseConfig({ ...oidc, AUTH_OIDC_TRUST_AMR: "maybe" }), /AUTH_OIDC_TRUST_AMR/);
});

test("AUTH_MFA_CODE_IN_PASSWORD: on by default; the template's boolean spellings; anything else refused by name", () => {
  assert.equal(parseConfig({}).mfaCodeInPassword, true);
  assert.equal(parseConfig({ AUTH_MFA_CODE_IN_PASSWORD: "False" }).mfaCodeInPassword, false);
  assert.equal(parseConfig({ AUTH_MFA_CODE_IN_PASSWORD: "off" }).mfaCodeInPassword, false);
  assert.throws(() => parseConfig({ AUTH_MFA_CODE_IN_PASSWORD: "sometimes" }), /AUTH_MFA_CODE_IN_PASSWORD/);
});

test("API_COMPAT: none by default (nothing relaxed); fastapi-template relaxes each rule, /private/users/ only with ENVIRONMENT=local", () => {
  const relaxations = ["templateStatuses", "currentPasswordFirst", "signInCountsAsReauthentication", "emailChangeAtOnce", "privateUsers"] as const;
  const none = parseConfig({}).templateCompat;
  assert.equal(none.enabled, false);
  for (const flag of relaxations) assert.equal(none[flag], false, flag);
  assert.equal(parseConfig({ ENVIRONMENT: "local" }).templateCompat.privateUsers, false);
  const local = parseConfig({ API_COMPAT: "FastAPI-Template" }).templateCompat;
  assert.equal(local.enabled, true);
  assert.equal(local.environment, "local");
  for (const flag of relaxations) assert.equal(local[flag], true, flag);
  for (const ENVIRONMENT of ["staging", "production"]) {
    const deployed = parseConfig({ API_COMPAT: "fastapi-template", ENVIRONMENT }).templateCompat;
    assert.equal(deployed.privateUsers, false, ENVIRONMENT);
    assert.equal(deployed.emailChangeAtOnce, true, ENVIRONMENT);
  }
  expectError({ API_COMPAT: "fastapi" }, "API_COMPAT");
  expectError({ API_COMPAT: "fastapi-template", ENVIRONMENT: "dev" }, "ENVIRONMENT");
  // Without API_COMPAT the template's variable is not ours: whatever a platform sets there stops nothing.
  assert.equal(parseConfig({ ENVIRONMENT: "development" }).templateCompat.privateUsers, false);
});
