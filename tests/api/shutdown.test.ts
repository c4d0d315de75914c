/**
 * Stopping an instance the way an orchestrator or a load balancer's drain does (SIGTERM to the start
 * script): the request in flight completes, new connections are refused, the database is closed
 * (PostgreSQL: no connection left; SQLite: the WAL checkpointed and removed), the process exits 0, and
 * the next start finds everything in place.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { readOutbox } from "../helpers/mail";
import { appConnections } from "../helpers/postgres";
import { DATABASE, signup, startServer, uniqueEmail, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  // A slow hash (about a second per sign-in) keeps a login in flight while the signal arrives.
  server = await startServer({ BCRYPT_COST: "14" });
});
after(() => server?.close());

test("SIGTERM lets the in-flight request finish, closes the database and exits 0", async () => {
  const email = uniqueEmail("shutdown");
  await signup(server, email, "password-shutdown-1");
  if (server.databaseUrl) assert.ok((await appConnections(server.databaseUrl)) > 0, "the pool is open");

  const started = Date.now();
  const inFlight = server.api("/api/v1/login/access-token", {
    method: "POST",
    form: { username: email, password: "password-shutdown-1" },
  });
  await new Promise((r) => setTimeout(r, 150));
  const exitCode = await server.signal("SIGTERM");
  const login = await inFlight;

  assert.equal(login.status, 200, login.text);
  assert.equal(typeof login.body.access_token, "string");
  assert.equal(exitCode, 0, server.output());
  assert.match(server.output(), /SIGTERM: shutting down, finishing 1 in-flight request/);
  assert.match(server.output(), /Stopped \([^)]*close database\)\./, "the database was closed last");
  assert.ok(Date.now() - started < 15_000, "no waiting on the grace period");

  await assert.rejects(fetch(`${server.url}/api/health`), "nothing listens any more");
  if (DATABASE === "postgresql") {
    assert.equal(await appConnections(server.databaseUrl!), 0, "every pooled connection was closed");
  } else {
    // Closing the last connection checkpoints the write-ahead log into the database file and removes it.
    assert.ok(fs.existsSync(path.join(server.dataDir, "app.db")));
    assert.ok(!fs.existsSync(path.join(server.dataDir, "app.db-wal")), "the WAL was checkpointed on close");
  }

  await server.restart();
  const me = await server.api("/api/v1/users/me", { token: login.body.access_token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.email, email);
});

test("mail queued just before the whole process group is stopped still goes out", async () => {
  // The first mail of a process loads the mail thread's modules; an orchestrator that signals every
  // process of the group (as this harness does) must not cut that short.
  const email = uniqueEmail("mail-at-shutdown");
  await signup(server, email, "password-shutdown-2");
  await server.stop();
  const sent = (await readOutbox(server.dataDir)).filter((m) => m.to.includes(email));
  assert.deepEqual(
    sent.map((m) => m.subject),
    ["Sign-in system - Confirm your email address"],
    `no verification mail in the outbox:\n${server.output().slice(-2000)}`,
  );
  assert.doesNotMatch(server.output(), /not sent/);
});
