/**
 * The SQLite adapter (lib/db/adapters.ts) on real files: the process's one connection is shared by every
 * request, so a transaction must have it to itself, other processes on the same file must wait for a
 * transaction rather than break it, and a transaction that fails for lack of space must let go of it.
 */
import { spawn } from "node:child_process";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Prisma, PrismaClient } from "@prisma/client";
import { sqliteAdapter } from "../../lib/db/adapters";
import { isDatabaseUnavailable, isStorageFull } from "../../lib/db/errors";

const root = path.resolve(import.meta.dirname, "..", "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-full-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A real SQLite file with every migration applied, as `npm start` leaves it (WAL). */
function migratedDatabase(name = "app.db"): string {
  const file = path.join(dir, name);
  const db = new Database(file);
  const migrations = path.join(root, "prisma", "migrations");
  for (const name of fs.readdirSync(migrations).filter((n) => /^\d/.test(n)).sort()) {
    db.exec(fs.readFileSync(path.join(migrations, name, "migration.sql"), "utf8"));
  }
  db.pragma("journal_mode = WAL");
  db.close();
  return file;
}

/** `work`'s outcome, or "hung" when it has not settled within `ms`. */
async function within<T>(ms: number, work: Promise<T>): Promise<T | "hung"> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), ms)));
  try {
    return await Promise.race([work, hung]);
  } finally {
    clearTimeout(timer);
  }
}

test("a transaction that fails for lack of space releases the connection: later writes proceed", async () => {
  const db = new PrismaClient({ adapter: sqliteAdapter(migratedDatabase()) });
  after(() => db.$disconnect());
  // A "full disk": the file may not grow past the pages it has (the pragma holds for this connection).
  const [pages] = await db.$queryRawUnsafe<{ page_count: bigint }[]>("PRAGMA page_count");
  await db.$queryRawUnsafe(`PRAGMA max_page_count = ${pages!.page_count}`);
  const big = "x".repeat(200_000);

  // createMany's INSERT has no statement journal, so SQLITE_FULL rolls the whole transaction back, and
  // the ROLLBACK Prisma then runs fails: the statement that used to leave the lock held.
  const failed = await within(5000, db.$transaction((tx) => tx.user.createMany({ data: [{ email: "a@example.com", name: big }] })).catch((e: unknown) => e));
  assert.notEqual(failed, "hung");
  assert.ok(isStorageFull(failed), `SQLITE_FULL is recognised as a full disk: ${String(failed)}`);

  // Space returns; the next transactions must not wait for a lock nobody holds.
  await db.$queryRawUnsafe("PRAGMA max_page_count = 1073741823");
  for (const email of ["b@example.com", "c@example.com"]) {
    const created = await within(5000, db.$transaction((tx) => tx.user.create({ data: { email } })));
    assert.notEqual(created, "hung", "a transaction after the failed one hung on the adapter's lock");
  }
  assert.deepEqual((await db.user.findMany({ orderBy: { email: "asc" } })).map((u) => u.email), ["b@example.com", "c@example.com"]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a request's write is never undone by another request's rolled-back transaction, nor sees its rows", async () => {
  const db = new PrismaClient({ adapter: sqliteAdapter(migratedDatabase("shared.db")) });
  after(() => db.$disconnect());
  const inside = db
    .$transaction(async (tx) => {
      await tx.user.create({ data: { email: "inside@example.com" } });
      await sleep(200);
      throw new Error("the transaction's own business says roll back");
    })
    .catch(() => "rolled back");
  await sleep(50);
  // Another request, meanwhile, on the same client (as every request of the process is).
  const seen = await db.user.findMany({ select: { email: true } });
  await db.user.create({ data: { email: "outside@example.com" } });
  assert.equal(await inside, "rolled back");
  assert.deepEqual(seen, [], "a read outside the transaction saw its uncommitted row");
  assert.deepEqual((await db.user.findMany({ select: { email: true } })).map((u) => u.email), ["outside@example.com"], "an acknowledged write was lost");
});

/** Another process writing the same file (as a second server does), with the app's 10 s busy timeout. */
function writeFromAnotherProcess(file: string): Promise<number> {
  const script = `const db = new (require("better-sqlite3"))(process.argv[1], { timeout: 10000 });
    db.prepare("UPDATE login_throttles SET hour_failures = hour_failures + 1 WHERE key = 'k'").run();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script, file], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

test("another process's commit between a transaction's read and its write makes the write wait, not fail", async () => {
  const file = migratedDatabase("two-processes.db");
  const db = new PrismaClient({ adapter: sqliteAdapter(file) });
  after(() => db.$disconnect());
  const now = new Date();
  await db.loginThrottle.create({ data: { key: "k", failures: 0, hourFailures: 0, hourStartedAt: now } });

  let other: Promise<number> | undefined;
  const outcome = await db
    .$transaction(async (tx) => {
      const row = await tx.loginThrottle.findUniqueOrThrow({ where: { key: "k" } });
      other = writeFromAnotherProcess(file);
      // The other process either commits now (a transaction that only read so far does not stop it) or
      // waits for this one; give it time to do the former.
      await Promise.race([other, sleep(1500)]);
      await tx.loginThrottle.update({ where: { key: "k" }, data: { failures: row.failures + 1 } });
      return "committed";
    })
    .catch((error: unknown) => error);
  assert.equal(outcome, "committed", `the transaction failed: ${String(outcome)}`);
  assert.equal(await other, 0, "the other process's write failed");
  const row = await db.loginThrottle.findUniqueOrThrow({ where: { key: "k" } });
  assert.deepEqual([row.failures, row.hourFailures], [1, 1], "both writes landed");
});

test("SQLite's busy answers count as the database being unavailable (503), whatever their extended code", () => {
  // The shape Prisma gives them: a known request error whose code is SQLite's own (no P-code, no cause).
  for (const code of ["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED"]) {
    const error = new Prisma.PrismaClientKnownRequestError("database is locked", { code, clientVersion: Prisma.prismaVersion.client, meta: { modelName: "LoginThrottle" } });
    assert.ok(isDatabaseUnavailable(error), code);
  }
  const conflict = new Prisma.PrismaClientKnownRequestError("UNIQUE constraint failed", { code: "SQLITE_CONSTRAINT_UNIQUE", clientVersion: Prisma.prismaVersion.client });
  assert.ok(!isDatabaseUnavailable(conflict));
});
