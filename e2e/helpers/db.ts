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

/**
 * Changes a row the API cannot (an account made passwordless, as one that signed up through its
 * provider), in the shared e2e server's SQLite file (E2E_DATA_DIR).
 */
export function changeDb(sql: string, ...params: unknown[]): void {
  const Writable = BetterSqlite3 as unknown as new (file: string, options?: { fileMustExist?: boolean; timeout?: number }) => {
    prepare: (sql: string) => { run: (...params: unknown[]) => unknown };
    close: () => void;
  };
  const db = new Writable(`${process.env.E2E_DATA_DIR}/app.db`, { fileMustExist: true, timeout: 10_000 });
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}
