/**
 * Pruning: at start-up (and hourly) the server deletes rows that no longer decide anything: access
 * tokens expired over a day ago, spent throttle counters, audit events past AUDIT_RETENTION_DAYS. Live
 * tokens, recent events and running throttles stay. Rows are made old directly in the database.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runSql, sqlTimestamp } from "../helpers/database";
import { login, newUser, startServer, uniqueEmail, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer({ AUDIT_RETENTION_DAYS: "30" });
});
after(() => server?.close());

const jti = (token: string): string => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).jti;
const daysAgo = (days: number) => sqlTimestamp(new Date(Date.now() - days * 24 * 60 * 60 * 1000));
const count = async (sql: string, params: unknown[]) =>
  Number((await runSql<{ n: number | string }>(server, sql, params))[0]?.n);

test("start-up prunes expired tokens, spent throttle counters and old audit events, and keeps the rest", async () => {
  const { token: live, email, password } = await newUser(server, "pruning");
  const stale = await login(server, email, password);
  // One failure for an account nobody is attacking any more, one for an account still under attack.
  const spentEmail = uniqueEmail("spent");
  const activeEmail = uniqueEmail("active");
  for (const username of [spentEmail, activeEmail]) {
    const res = await server.api("/api/v1/login/access-token", { method: "POST", form: { username, password: "wrong-password-1" } });
    assert.equal(res.status, 400, res.text);
  }
  const eventsBefore = (await server.api("/api/v1/users/me/events", { token: live })).body;
  assert.ok(eventsBefore.count >= 2, JSON.stringify(eventsBefore));

  // Make rows old: the stale token expired 2 days ago, the spent counter's last failure was 2 days
  // ago, and all but the newest of this user's events are 31 days old (retention: 30).
  await runSql(server, `UPDATE "access_tokens" SET "expires_at" = ?, "created_at" = ? WHERE "id" = ?`, [daysAgo(2), daysAgo(3), jti(stale)]);
  // Its login's refresh token, too, expired unused 2 days ago.
  const staleFamily = (await runSql<{ family_id: string }>(server, `SELECT "family_id" FROM "access_tokens" WHERE "id" = ?`, [jti(stale)]))[0]!.family_id;
  await runSql(server, `UPDATE "refresh_families" SET "idle_expires_at" = ?, "created_at" = ? WHERE "id" = ?`, [daysAgo(2), daysAgo(3), staleFamily]);
  await runSql(
    server,
    `UPDATE "login_throttles" SET "updated_at" = ?, "last_failure_at" = ?, "hour_started_at" = ? WHERE "key" = ?`,
    [daysAgo(2), daysAgo(2), daysAgo(2), `account:${spentEmail}`],
  );
  const newest = eventsBefore.data[0].id as string;
  await runSql(server, `UPDATE "auth_events" SET "created_at" = ? WHERE "user_id" = ? AND "id" <> ?`, [
    daysAgo(31),
    (await server.api("/api/v1/users/me", { token: live })).body.id,
    newest,
  ]);

  await server.restart();

  assert.match(
    server.output(),
    /Pruned 1 expired access tokens, 1 expired refresh-token families, 1 spent throttle counters, \d+ audit events past retention\./,
  );
  assert.equal(await count(`SELECT count(*) AS n FROM "refresh_families" WHERE "id" = ?`, [staleFamily]), 0);
  assert.equal(await count(`SELECT count(*) AS n FROM "access_tokens" WHERE "id" = ?`, [jti(stale)]), 0);
  assert.equal(await count(`SELECT count(*) AS n FROM "access_tokens" WHERE "id" = ?`, [jti(live)]), 1);
  assert.equal(await count(`SELECT count(*) AS n FROM "login_throttles" WHERE "key" = ?`, [`account:${spentEmail}`]), 0);
  assert.equal(await count(`SELECT count(*) AS n FROM "login_throttles" WHERE "key" = ?`, [`account:${activeEmail}`]), 1);

  // What the user sees: the live token still works, its sign-in is listed, only the recent event is left.
  assert.equal((await server.api("/api/v1/users/me", { token: live })).status, 200);
  const sessions = await server.api("/api/v1/sessions", { token: live });
  assert.equal(sessions.body.count, 1, sessions.text);
  const events = (await server.api("/api/v1/users/me/events", { token: live })).body;
  assert.deepEqual(events.data.map((e: { id: string }) => e.id), [newest], `${JSON.stringify(events.data)}\n${server.output().split("\n").filter((l) => /mail/i.test(l)).join("\n")}`);
});
