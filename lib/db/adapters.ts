/**
 * The driver adapters for DATABASE_URL's database, shared by the app (lib/db/client.ts) and the Prisma CLI
 * (prisma.config.ts). Imports no generated client, so the CLI can load it before `prisma generate`.
 */
import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { Mutex } from "async-mutex";
import type Database from "better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Config } from "../config";

type SqlDriverAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;
type Transaction = Awaited<ReturnType<SqlDriverAdapter["startTransaction"]>>;
/** The one connection, which the better-sqlite3 adapter keeps as `client` on itself and on every transaction. */
type Connection = Pick<Database.Database, "inTransaction" | "prepare">;
const connectionOf = (queryable: SqlDriverAdapter | Transaction) => (queryable as unknown as { client: Connection }).client;

/**
 * The process has one SQLite connection, shared by every request, and the adapter serializes only
 * transactions on it: a plain query of another request ran on the connection while a transaction was
 * open, so it read the transaction's uncommitted rows, and the transaction's rollback silently undid
 * its acknowledged write. Here every statement outside a transaction waits for the open one to end, so a
 * transaction has the connection to itself (tests/unit/sqlite-adapter.test.ts).
 *
 * And a transaction begins IMMEDIATE, taking the file's write lock (waiting out the busy timeout for
 * another process's writer) before it reads. A deferred one read first; when another process (a second
 * server on the same file) committed before its first write, SQLite refused that write at once with
 * SQLITE_BUSY_SNAPSHOT ("database is locked"), since the snapshot it had read was stale, and the request
 * failed. In-process it costs nothing: transactions were already one at a time.
 */
function oneTransactionAtATime(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const connection = connectionOf(adapter);
  const prepare = connection.prepare.bind(connection);
  connection.prepare = ((sql: string) => prepare(sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql)) as Connection["prepare"];

  const mutex = new Mutex();
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  const executeScript = adapter.executeScript.bind(adapter);
  adapter.queryRaw = (query) => mutex.runExclusive(() => queryRaw(query));
  adapter.executeRaw = (query) => mutex.runExclusive(() => executeRaw(query));
  adapter.executeScript = (script) => mutex.runExclusive(() => executeScript(script));

  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const release = await mutex.acquire();
    let transaction: Transaction;
    try {
      transaction = releasingTransactionLocks(await startTransaction(isolationLevel));
    } catch (error) {
      release();
      throw error;
    }
    for (const end of ["commit", "rollback"] as const) {
      const ended = transaction[end].bind(transaction);
      transaction[end] = async () => {
        try {
          await ended();
        } finally {
          release(); // once: async-mutex ignores a second call
        }
      };
    }
    return transaction;
  };
  return adapter;
}

/**
 * better-sqlite3's adapter serializes the transactions of its one connection with a lock that a
 * transaction holds until Prisma tells it the transaction ended. Prisma 6.19 ends one by running COMMIT
 * or ROLLBACK and tells the adapter only when that statement succeeded, so a failed COMMIT or ROLLBACK
 * kept the lock for good, and every later write of the process waited for it forever. A full disk does
 * exactly that: SQLITE_FULL in a statement without a statement journal (an INSERT without RETURNING,
 * `createMany`, a raw write) makes SQLite roll the whole transaction back itself, so the ROLLBACK that
 * follows fails ("no transaction is active"); and in WAL mode a COMMIT that cannot write its frames fails
 * with SQLITE_FULL. So the transaction now always ends: the connection is rolled back when it is still
 * in the transaction, the lock is released, and a ROLLBACK whose work SQLite already did is no error.
 */
function releasingTransactionLocks(transaction: Transaction): Transaction {
  const executeRaw = transaction.executeRaw.bind(transaction);
  const connection = connectionOf(transaction);
  transaction.executeRaw = async (query) => {
    if (query.sql !== "COMMIT" && query.sql !== "ROLLBACK") return executeRaw(query);
    try {
      return await executeRaw(query);
    } catch (error) {
      try {
        if (connection.inTransaction) await executeRaw({ sql: "ROLLBACK", args: [], argTypes: [] });
      } finally {
        // Prisma calls neither commit() nor rollback() after a failed end; rollback() frees the locks.
        await transaction.rollback();
      }
      if (query.sql === "ROLLBACK") return 0;
      throw error;
    }
  };
  return transaction;
}

class SQLiteAdapterFactory extends PrismaBetterSQLite3 {
  override async connect() {
    return oneTransactionAtATime(await super.connect());
  }
}

/** The SQLite file's adapter; creates the data folder on first use. */
export function sqliteAdapter(sqlitePath: string) {
  fs.mkdirSync(path.dirname(sqlitePath), { recursive: true, mode: 0o700 });
  // better-sqlite3 waits up to `timeout` ms for a lock instead of failing with SQLITE_BUSY at once.
  return new SQLiteAdapterFactory({ url: `file:${sqlitePath}`, timeout: 10_000 });
}

/** A pool of at most `maxConnections` (DATABASE_POOL_SIZE for the app) PostgreSQL connections. */
export function postgresAdapter(config: Config, maxConnections = config.databasePoolSize, allowExitOnIdle = false) {
  return new PrismaPg({
    connectionString: config.databaseUrl,
    max: maxConnections,
    allowExitOnIdle,
    // Shown in pg_stat_activity, so an operator can tell this app's connections apart.
    application_name: "signin-system",
    // A request waits this long for a free connection, then fails, instead of queueing forever.
    connectionTimeoutMillis: allowExitOnIdle ? 0 : 10_000,
    idleTimeoutMillis: allowExitOnIdle ? 100 : 30_000,
  });
}

/**
 * The adapter the Prisma CLI migrates through (prisma.config.ts): one connection. On PostgreSQL the
 * schema engine reads the system catalogs, whose `name`-typed columns (and a few other internal types)
 * @prisma/adapter-pg 6.19 refuses ("Column type 'name' could not be deserialized", prisma/orm#27403).
 * Their values arrive as text, so the CLI process reports them as text. The app itself never reads
 * the catalogs and does not get this patch.
 */
export function migrationAdapter(config: Config) {
  if (config.sqlitePath !== null) return sqliteAdapter(config.sqlitePath);
  reportCatalogTypesAsText();
  // The CLI never closes the pool; an idle connection must not keep it running.
  return postgresAdapter(config, 2, true);
}

// OIDs of PostgreSQL's internal text-like types: "char", name, regproc, pg_node_tree, aclitem,
// regclass, regtype (pg_type.h).
const CATALOG_TEXT_TYPES = new Set([18, 19, 24, 194, 1033, 2205, 2206]);
const TEXT_OID = 25;
let catalogTypesPatched = false;

function reportCatalogTypesAsText() {
  if (catalogTypesPatched) return;
  catalogTypesPatched = true;
  type Field = { dataTypeID: number };
  const proto = (pg as unknown as { Result: { prototype: { addFields(fields: Field[]): void } } }).Result.prototype;
  const addFields = proto.addFields;
  proto.addFields = function (this: unknown, fields: Field[]) {
    for (const field of fields) if (CATALOG_TEXT_TYPES.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    addFields.call(this, fields);
  };
}
