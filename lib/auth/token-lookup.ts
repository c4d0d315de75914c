/**
 * The request hot path's one query: an access token's row joined with its user, as a single indexed
 * SQL statement. Prisma's `findUnique({ include: { user: true } })` sends two statements on SQLite
 * (relation joins are not available there) and its query compiler (engineType "client") spends about
 * 1 ms of CPU per call planning them; this statement costs about a fifth of that (see bench/).
 *
 * The rows are mapped to Prisma's own `AccessToken` and `User` types with every field spelled out, so
 * a field added to either model fails the type check here until it is added to the statement.
 * Identifiers are double-quoted and the parameter goes through Prisma.sql: valid SQLite and PostgreSQL.
 */
import { Prisma, type AccessToken, type User } from "@prisma/client";
import { getDb } from "../db";

export type TokenWithUser = AccessToken & { user: User };

type Row = Record<string, unknown>;

// The adapters return DATETIME/timestamp columns as Date and BOOLEAN columns as booleans; the
// fallbacks cover drivers that hand back strings or numbers instead.
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(typeof v === "bigint" ? Number(v) : (v as string)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === BigInt(1) || v === "1" || v === "true";
const text = (v: unknown): string => String(v);
const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export async function findTokenWithUser(tokenId: string): Promise<TokenWithUser | null> {
  const rows = await getDb().$queryRaw<Row[]>(Prisma.sql`
    SELECT t."id", t."user_id", t."created_at", t."expires_at", t."revoked_at", t."last_used_at",
           t."user_agent", t."ip", t."method", t."session_id",
           u."email" AS "u_email", u."hashed_password" AS "u_hashed_password", u."full_name" AS "u_full_name",
           u."email_verified" AS "u_email_verified", u."image" AS "u_image", u."is_active" AS "u_is_active",
           u."is_superuser" AS "u_is_superuser", u."created_at" AS "u_created_at", u."updated_at" AS "u_updated_at"
    FROM "access_tokens" t JOIN "users" u ON u."id" = t."user_id"
    WHERE t."id" = ${tokenId}`);
  const r = rows[0];
  if (!r) return null;
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
  };
  return { ...token, user };
}
