/**
 * Tokens across server restarts: the generated secret is reused, revocations are kept, AUTH_SECRET can
 * be rotated with AUTH_SECRET_PREVIOUS, and a short AUTH_SECRET stops start-up.
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
    await login(server, email, password);
  });
});

describe("with AUTH_SECRET", () => {
  test("rotation: the old secret in AUTH_SECRET_PREVIOUS still verifies; dropping it invalidates", async () => {
    const oldSecret = "old-secret-".padEnd(40, "o");
    const newSecret = "new-secret-".padEnd(40, "n");
    const server = await start({ AUTH_SECRET: oldSecret });
    assert.ok(!fs.existsSync(path.join(server.dataDir, "auth-secret")), "no secret file when AUTH_SECRET is set");
    const { token: oldToken, email, password } = await newUser(server, "rotation");
    assert.equal((await me(server, oldToken)).status, 200);

    await server.restart({ AUTH_SECRET: newSecret, AUTH_SECRET_PREVIOUS: oldSecret });
    assert.equal((await me(server, oldToken)).status, 200, "a token signed with the previous secret");
    const newToken = await login(server, email, password);
    assert.equal((await me(server, newToken)).status, 200);

    await server.restart({ AUTH_SECRET: newSecret });
    const res = await me(server, oldToken);
    assert.equal(res.status, 401, res.text);
    assert.deepEqual(res.body, { detail: "Could not validate credentials", reason: "invalid" });
    assert.equal((await me(server, newToken)).status, 200, "a token signed with the current secret");
  });

  test("an AUTH_SECRET shorter than 32 bytes stops start-up with a message naming it", async () => {
    const { code, output } = await runStartExpectingFailure({ AUTH_SECRET: "x".repeat(31) });
    assert.notEqual(code, null, `the server started anyway:\n${output}`);
    assert.notEqual(code, 0, output);
    assert.match(output, /AUTH_SECRET/);
    assert.ok(!output.includes("x".repeat(31)), "the secret itself must not be printed");
  });
});
