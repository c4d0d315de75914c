/**
 * The one Prisma client of the process. SQLite (the embedded default) goes through the better-sqlite3
 * driver adapter; the adapter is chosen from DATABASE_URL's scheme.
 */
import fs from "node:fs";
import path from "node:path";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { getConfig } from "./config";

function createClient(): PrismaClient {
  const config = getConfig();
  if (config.sqlitePath === null) {
    throw new Error("DATABASE_URL points at PostgreSQL, which this build does not support yet");
  }
  fs.mkdirSync(path.dirname(config.sqlitePath), { recursive: true, mode: 0o700 });
  // better-sqlite3 waits up to `timeout` ms for a lock instead of failing with SQLITE_BUSY at once.
  const adapter = new PrismaBetterSQLite3({ url: `file:${config.sqlitePath}`, timeout: 10_000 });
  return new PrismaClient({ adapter });
}

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/** Lazily created so that importing a module never opens the database (Next.js imports at build). */
export function getDb(): PrismaClient {
  globalForPrisma.prisma ??= createClient();
  return globalForPrisma.prisma;
}

/** True when `error` is Prisma's unique-constraint violation (P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
