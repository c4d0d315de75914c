import { after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaClient } from "@prisma/client";
import { sqliteAdapter } from "../../lib/db/adapters";
import { isStorageFull } from "../../lib/db/errors";

const root = path.resolve(import.meta.dirname, "..", "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-full-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A real SQLite file with every migration applied, as `npm start` leaves it (WAL). */
function migratedDatabase(): string {
  const file = path.join(dir, "app.db");
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
