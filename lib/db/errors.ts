/**
 * Telling "the database is unavailable" (down, restarting, unreachable, out of connections, locked
 * too long) apart from a bug, so the API can answer 503 with Retry-After, which load balancers and
 * clients retry, instead of 500. Prisma reports these in several shapes: its own P1xxx codes, P2024
 * (no free pool connection in time), driver-adapter errors with a `kind` and, from PostgreSQL, a
 * SQLSTATE, and SQLite's own busy codes. Pure: imports nothing, so the error mapping can use it anywhere.
 */

/** Prisma error codes that mean the database could not be used at all. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1003", "P1008", "P1010", "P1011", "P1017", "P2024"]);

/** Driver-adapter error kinds that mean the same. */
const ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "DatabaseDoesNotExist",
  "DatabaseAccessDenied",
  "AuthenticationFailed",
  "ConnectionClosed",
  "TlsConnectionError",
  "TooManyConnections",
  "SocketTimeout", // SQLite: the file stayed locked past the busy timeout
]);

/**
 * PostgreSQL SQLSTATEs: 08 connection exception, 28 invalid authorization, 53 insufficient resources,
 * 57P01–57P05 shutdown, crash, "cannot connect now", 55000 with "not currently accepting connections",
 * 3D000 database does not exist.
 */
function unavailableSqlState(code: string, message: string): boolean {
  return /^(08|28|53|57P0)/.test(code) || code === "3D000" || (code === "55000" && /accepting connections/.test(message));
}

/**
 * SQLite's own codes, which Prisma passes on as the error's code when the adapter has no kind for them:
 * SQLITE_BUSY_SNAPSHOT and the other extended busy codes (plain SQLITE_BUSY arrives as SocketTimeout).
 */
const SQLITE_BUSY_CODE = /^SQLITE_(BUSY|LOCKED)/;

/** Messages of the pg driver itself, which carry no code. */
const DRIVER_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|ECONNREFUSED|ECONNRESET/;

type Cause = { kind?: unknown; originalCode?: unknown; originalMessage?: unknown; code?: unknown; message?: unknown };

function adapterCause(error: Record<string, unknown>): Cause | undefined {
  const direct = error.cause as Cause | undefined;
  if (direct && typeof direct === "object" && "kind" in direct) return direct;
  const meta = error.meta as { driverAdapterError?: { cause?: Cause } } | undefined;
  return meta?.driverAdapterError?.cause;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Record<string, unknown>;
  if (typeof e.code === "string" && (PRISMA_CODES.has(e.code) || SQLITE_BUSY_CODE.test(e.code))) return true;
  const cause = adapterCause(e);
  if (cause) {
    if (typeof cause.kind === "string" && ADAPTER_KINDS.has(cause.kind)) return true;
    const code = String(cause.originalCode ?? cause.code ?? "");
    const message = String(cause.originalMessage ?? cause.message ?? e.message ?? "");
    if (cause.kind === "postgres" && unavailableSqlState(code, message)) return true;
  }
  return typeof e.message === "string" && DRIVER_MESSAGES.test(e.message);
}

/** The storage under the database or the data folder is full: SQLite's SQLITE_FULL, the OS's ENOSPC. */
const STORAGE_FULL_CODES = new Set(["SQLITE_FULL", "ENOSPC"]);
const STORAGE_FULL_MESSAGE = /database or disk is full|ENOSPC|no space left on device/i;

export function isStorageFull(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 5; depth++) {
    const r = e as Record<string, unknown>;
    const cause = adapterCause(r);
    if ([r.code, cause?.originalCode, cause?.code].some((c) => typeof c === "string" && STORAGE_FULL_CODES.has(c))) return true;
    if (typeof r.message === "string" && STORAGE_FULL_MESSAGE.test(r.message)) return true;
    e = r.cause;
  }
  return false;
}
