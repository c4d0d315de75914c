/**
 * Direct SQL on a test server's database, SQLite file or PostgreSQL, for what the API cannot do:
 * making rows old. Statements use `?` placeholders and quoted identifiers, valid on both.
 */
import Database from "better-sqlite3";
import path from "node:path";
import pg from "pg";
import type { Server } from "./server";

/** A timestamp in the text form Prisma stores in SQLite, which PostgreSQL also parses. */
export const sqlTimestamp = (date: Date) => date.toISOString().replace("Z", "+00:00");

export async function runSql<Row = Record<string, unknown>>(server: Server, sql: string, params: unknown[] = []): Promise<Row[]> {
  if (server.databaseUrl) {
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as Row[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(server.dataDir, "app.db"), { fileMustExist: true, timeout: 10_000 });
  try {
    const statement = db.prepare(sql);
    if (statement.reader) return statement.all(...params) as Row[];
    statement.run(...params);
    return [];
  } finally {
    db.close();
  }
}
