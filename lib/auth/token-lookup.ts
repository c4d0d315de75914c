/**
 * The request hot path's one query: an access token's row joined with its user (and its refresh-token
 * family's revocation, by primary key), as a single indexed
 * SQL statement. Prisma's `findUnique({ include: { user: true } })` sends two statements on SQLite
 * (relation joins are not available there) and its query compiler (engineType "client") spends about
 * 1 ms of CPU per call planning them.
 *
 * On PostgreSQL the statement goes through Prisma's `$queryRaw` (the pool's round trip dominates). On
 * SQLite, where every query runs on the request thread, it goes to the database file directly: one
 * read-only better-sqlite3 connection with the statement prepared once, about 20 µs against about
 * 300 µs through Prisma's raw-query path (bench/). In WAL mode a reader sees every committed write
 * at once, so a revocation is refused on the very next request, as through Prisma.
 *
 * On SQLite the records read are also remembered, for as long as the database has not changed since.
 * `PRAGMA data_version` changes whenever any other connection, in this process or another, commits:
 * reading it costs about a third of the row's read (most of the row's cost is building the 23-column
 * row and parsing its dates), and a changed version forgets every remembered record. So a
 * revocation, a deactivation or a rename is seen on the next request exactly as before, while a
 * token used again between two writes skips the row. The version is read before the row, so a commit
 * in between can only make a record be read again, never be kept too long.
 *
 * The rows are mapped to Prisma's own `AccessToken` and `User` types with every field spelled out, so
 * a field added to either model fails the type check here until it is added to the statement.
 * Identifiers are double-quoted and the one parameter is bound: valid SQLite and PostgreSQL.
 */
import Database from "better-sqlite3";
import { Prisma, type AccessToken, type User } from "@prisma/client";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { onShutdown } from "../runtime/shutdown";

/** The token's row, its user, and when its refresh-token family (if any) was revoked. */
export type TokenWithUser = AccessToken & { user: User; familyRevokedAt: Date | null };

type Row = Record<string, unknown>;

// Prisma's raw queries return timestamps as Date and booleans as booleans; better-sqlite3 returns the
// stored text ("2026-11-24T06:07:30.000+00:00", offset included) and 0/1.
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(typeof v === "bigint" ? Number(v) : (v as string)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === BigInt(1) || v === "1" || v === "true";
const text = (v: unknown): string => String(v);
const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const SELECT = `
  SELECT t."id", t."user_id", t."created_at", t."expires_at", t."revoked_at", t."last_used_at",
         t."user_agent", t."ip", t."method", t."session_id", t."family_id", t."kid",
         t."reauthenticated_at",
         f."revoked_at" AS "f_revoked_at",
         u."email" AS "u_email", u."hashed_password" AS "u_hashed_password", u."full_name" AS "u_full_name",
         u."email_verified" AS "u_email_verified", u."image" AS "u_image", u."is_active" AS "u_is_active",
         u."is_superuser" AS "u_is_superuser", u."created_at" AS "u_created_at", u."updated_at" AS "u_updated_at"
  FROM "access_tokens" t JOIN "users" u ON u."id" = t."user_id"
  LEFT JOIN "refresh_families" f ON f."id" = t."family_id"
  WHERE t."id" = `;

/** Records remembered while the database is unchanged; when full, the oldest makes room. */
const MAX_REMEMBERED = 10_000;

type SqliteLookup = {
  select: Database.Statement<[string], Row>;
  dataVersion: Database.Statement<[], number>;
  /** The data_version the remembered records were read at. */
  version: number;
  remembered: Map<string, TokenWithUser>;
  close: () => void;
};
const LOOKUP = Symbol.for("signin-system.sqlite-token-lookup");
const holder = globalThis as unknown as { [LOOKUP]?: SqliteLookup };

function sqliteLookup(file: string): SqliteLookup {
  if (!holder[LOOKUP]) {
    // Opened on first use, after start-up has created and migrated the file.
    const connection = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
    holder[LOOKUP] = {
      select: connection.prepare<[string], Row>(`${SELECT}?`),
      dataVersion: connection.prepare<[], number>("PRAGMA data_version").pluck(),
      version: -1,
      remembered: new Map(),
      close: () => connection.close(),
    };
    onShutdown("close token-lookup connection", () => holder[LOOKUP]?.close(), 90);
  }
  return holder[LOOKUP];
}

function findInSqlite(file: string, tokenId: string): TokenWithUser | null {
  const lookup = sqliteLookup(file);
  const version = lookup.dataVersion.get()!;
  if (version !== lookup.version) {
    lookup.remembered.clear();
    lookup.version = version;
  }
  const known = lookup.remembered.get(tokenId);
  if (known) return known;
  const row = lookup.select.get(tokenId);
  if (!row) return null;
  const record = toRecord(row);
  if (lookup.remembered.size >= MAX_REMEMBERED) lookup.remembered.delete(lookup.remembered.keys().next().value!);
  lookup.remembered.set(tokenId, record);
  return record;
}

export async function findTokenWithUser(tokenId: string): Promise<TokenWithUser | null> {
  const { sqlitePath } = getConfig();
  if (sqlitePath !== null) return findInSqlite(sqlitePath, tokenId);
  const rows = await getDb().$queryRaw<Row[]>(Prisma.sql([SELECT, ""], tokenId));
  return rows[0] ? toRecord(rows[0]) : null;
}

/** A row as Prisma's types, frozen: a remembered record is shared by every request that uses the token. */
function toRecord(r: Row): TokenWithUser {
  const user: User = {
    id: text(r.user_id),
    email: text(r.u_email),
    hashedPassword: textOrNull(r.u_hashed_password),
    name: textOrNull(r.u_full_name),
    emailVerified: dateOrNull(r.u_email_verified),
    image: textOrNull(r.u_image),
    isActive: bool(r.u_is_active),
    isSuperuser: bool(r.u_is_superuser),
    createdAt: date(r.u_created_at),
    updatedAt: date(r.u_updated_at),
  };
  const token: AccessToken = {
    id: text(r.id),
    userId: text(r.user_id),
    createdAt: date(r.created_at),
    expiresAt: date(r.expires_at),
    revokedAt: dateOrNull(r.revoked_at),
    lastUsedAt: dateOrNull(r.last_used_at),
    userAgent: textOrNull(r.user_agent),
    ip: textOrNull(r.ip),
    method: text(r.method),
    sessionId: textOrNull(r.session_id),
    familyId: textOrNull(r.family_id),
    kid: textOrNull(r.kid),
    reauthenticatedAt: dateOrNull(r.reauthenticated_at),
  };
  return Object.freeze({ ...token, user: Object.freeze(user), familyRevokedAt: dateOrNull(r.f_revoked_at) });
}
