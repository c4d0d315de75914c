/**
 * Tokens across server restarts: the generated signing key and secret are reused, revocations are kept,
 * rotating AUTH_SECRET (browser sign-ins) leaves access tokens alone, and a short AUTH_SECRET, an
 * unusable AUTH_SIGNING_KEY or a bcrypt cost below 10 (without the test servers' flag) stops start-up. (HS256 tokens from before asymmetric signing, with
 * AUTH_SECRET_PREVIOUS: tests/api/signing-keys.test.ts.)
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { login, newUser, runStartExpectingFailure, startServer, type Server } from "../helpers/server";

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function start(env: Record<string, string> = {}) {
  const server = await startServer(env);
  servers.push(server);
  return server;
}

const me = (server: Server, token: string) => server.api("/api/v1/users/me", { token });

describe("without AUTH_SECRET", () => {
  test("the generated secret is stored owner-only, and tokens and revocations survive a restart", async () => {
    const server = await start();
    assert.match(server.output(), /generated/i, "start-up should say it generated a secret");

    // The file name is what a user sees in the start-up message.
    const secretFile = path.join(server.dataDir, "auth-secret");
    assert.ok(server.output().includes("auth-secret"), server.output());
    assert.equal(fs.statSync(secretFile).mode & 0o777, 0o600);
    const secretBefore = fs.readFileSync(secretFile, "utf8");
    assert.ok(Buffer.byteLength(secretBefore.trim()) >= 32);

    // The access tokens' signing key: generated, owner-only, named at start-up, reused.
    const keyFile = path.join(server.dataDir, "signing-key-eddsa.jwk");
    assert.ok(server.output().includes("signing-key-eddsa.jwk"), server.output());
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    const keyBefore = fs.readFileSync(keyFile, "utf8");

    const { token, email, password, user } = await newUser(server, "survivor");
    const revoked = await login(server, email, password);
    assert.equal((await server.api("/api/v1/logout", { method: "POST", token: revoked })).status, 200);
    assert.equal((await me(server, token)).status, 200);

    await server.restart();

    const res = await me(server, token);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, user);
    const gone = await me(server, revoked);
    assert.equal(gone.status, 401, gone.text);
    assert.deepEqual(gone.body, { detail: "Could not validate credentials", reason: "revoked" });
    assert.equal(fs.readFileSync(secretFile, "utf8"), secretBefore, "the secret is reused, not regenerated");
    assert.equal(fs.statSync(secretFile).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(keyFile, "utf8"), keyBefore, "the signing key is reused, not regenerated");
    await login(server, email, password);
  });
});

describe("with AUTH_SECRET", () => {
  test("rotating AUTH_SECRET signs no API client out: access tokens are signed with the signing key", async () => {
    const oldSecret = "old-secret-".padEnd(40, "o");
    const newSecret = "new-secret-".padEnd(40, "n");
    const server = await start({ AUTH_SECRET: oldSecret });
    assert.ok(!fs.existsSync(path.join(server.dataDir, "auth-secret")), "no secret file when AUTH_SECRET is set");
    const { token: oldToken, email, password } = await newUser(server, "rotation");
    assert.equal((await me(server, oldToken)).status, 200);

    await server.restart({ AUTH_SECRET: newSecret, AUTH_SECRET_PREVIOUS: oldSecret });
    assert.equal((await me(server, oldToken)).status, 200);
    const newToken = await login(server, email, password);

    await server.restart({ AUTH_SECRET: newSecret });
    assert.equal((await me(server, oldToken)).status, 200, "the old secret never signed it");
    assert.equal((await me(server, newToken)).status, 200);
  });

  test("an unusable AUTH_SIGNING_KEY stops start-up with a message naming it, never the key", async () => {
    const { code, output } = await runStartExpectingFailure({ AUTH_SIGNING_KEY: "not-a-key-at-all-0123456789" });
    assert.notEqual(code, null, `the server started anyway:\n${output}`);
    assert.notEqual(code, 0, output);
    assert.match(output, /AUTH_SIGNING_KEY/);
    assert.ok(!output.includes("not-a-key-at-all-0123456789"), output);
  });

  test("an AUTH_SECRET shorter than 32 bytes stops start-up with a message naming it", async () => {
    const { code, output } = await runStartExpectingFailure({ AUTH_SECRET: "x".repeat(31) });
    assert.notEqual(code, null, `the server started anyway:\n${output}`);
    assert.notEqual(code, 0, output);
    assert.match(output, /AUTH_SECRET/);
    assert.ok(!output.includes("x".repeat(31)), "the secret itself must not be printed");
  });
});

describe("bcrypt cost", () => {
  test("below 10 stops start-up, unless BCRYPT_ALLOW_TEST_COST marks a test server, which start-up announces", async () => {
    const { code, output } = await runStartExpectingFailure({ BCRYPT_COST: "9", BCRYPT_ALLOW_TEST_COST: undefined });
    assert.notEqual(code, null, `the server started anyway:\n${output}`);
    assert.notEqual(code, 0, output);
    assert.match(output, /BCRYPT_COST: must be at least 10/);
    // The suite's own servers are such test servers (tests/helpers/server.ts).
    const server = await start();
    assert.match(server.output(), /BCRYPT_ALLOW_TEST_COST is set: passwords are hashed at BCRYPT_COST=4, below the floor of 10/);
    const { token } = await newUser(server, "cheap-hash");
    assert.equal((await me(server, token)).status, 200);
  });
});
