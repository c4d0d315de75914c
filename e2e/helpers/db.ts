/** Reads a dedicated server's SQLite file directly (read-only), to see what the server stored. */
import { createRequire } from "node:module";

type Statement = { all: (...params: unknown[]) => unknown[] };
type Database = { prepare: (sql: string) => Statement; close: () => void };
type DatabaseConstructor = new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => Database;

const require = createRequire(__filename);
const BetterSqlite3 = require("better-sqlite3") as DatabaseConstructor;

export function queryDb<Row>(file: string, sql: string, ...params: unknown[]): Row[] {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as Row[];
  } finally {
    db.close();
  }
}
