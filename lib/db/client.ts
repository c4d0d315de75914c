/**
 * The one Prisma client of the process, for the database DATABASE_URL names: SQLite (the embedded
 * default) through the better-sqlite3 driver adapter, PostgreSQL through the pg adapter and a pool of
 * at most DATABASE_POOL_SIZE connections.
 *
 * Each provider has its own generated client (prisma/schema.prisma → @prisma/client,
 * prisma/postgresql/schema.prisma → .prisma/client-postgresql). Their models are identical
 * (tests/unit/schemas.test.ts), so the rest of the app is typed against the SQLite client and uses
 * only what both providers support.
 */
import { Prisma, PrismaClient } from "@prisma/client";
import { Prisma as PostgresPrisma, PrismaClient as PostgresPrismaClient } from ".prisma/client-postgresql";
import { getConfig } from "../config";
import { postgresAdapter, sqliteAdapter } from "./adapters";
import { onShutdown } from "../runtime/shutdown";

function createClient(): PrismaClient {
  const config = getConfig();
  if (config.sqlitePath !== null) return new PrismaClient({ adapter: sqliteAdapter(config.sqlitePath) });
  // Same models, same API for everything the app uses; only the generated type names differ.
  return new PostgresPrismaClient({ adapter: postgresAdapter(config) }) as unknown as PrismaClient;
}

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/** Lazily created so that importing a module never opens the database (Next.js imports at build). */
export function getDb(): PrismaClient {
  if (!globalForPrisma.prisma) {
    const client = createClient();
    globalForPrisma.prisma = client;
    // Last of the shutdown steps: ends the pool (PostgreSQL) or closes the file (SQLite).
    onShutdown("close database", () => client.$disconnect(), 100);
  }
  return globalForPrisma.prisma;
}

/**
 * Raw-SQL building for the client in use (`sql`, `join`), and which database it speaks to: each
 * generated client accepts only fragments made by its own runtime.
 */
export function rawSql(): { sql: typeof Prisma.sql; join: typeof Prisma.join; postgres: boolean } {
  const postgres = getConfig().sqlitePath === null;
  const P = (postgres ? PostgresPrisma : Prisma) as typeof Prisma;
  return { sql: P.sql, join: P.join, postgres };
}

/** True when `error` is Prisma's unique-constraint violation (P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
