/**
 * The process's keys. The current signing key (lib/auth/signing-keys.ts) signs; its public half is
 * registered in the `signing_keys` table before its first token, so every instance can verify tokens
 * signed by any other (several instances mid-rotation) and by keys rotated out here.
 *
 * Published (GET /.well-known/jwks.json): the current key, and every registered key that signed a token
 * still live, so a rotated-out key stays published exactly until the last token it signed expires.
 */
import type { SigningKey as SigningKeyRow } from "@prisma/client";
import { getConfig } from "../config";
import { getDb, isUniqueViolation } from "../db/client";
import { getKeyring } from "./secret";
import type { Verifiers } from "./tokens";
import {
  loadOrCreateSigningKey,
  toSigningKey,
  verificationKeyOf,
  type PublicJwk,
  type SigningAlg,
  type SigningKey,
} from "./signing-keys";

type VerificationKey = { alg: SigningAlg; key: CryptoKey };

type KeySet = {
  current: Promise<SigningKey>;
  /** kid → verification key: this process's own, and those read from the table when a token named them. */
  known: Map<string, Promise<VerificationKey>>;
  /** kid → when the table did not have it: not asked again for a while. */
  missing: Map<string, number>;
};

/** A kid is a SHA-256 JWK thumbprint; anything else is not looked up. */
const KID_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** A kid the table did not have is refused without asking again for this long... */
const MISS_MEMORY_MS = 5_000;
/** ...and at most this many are remembered. */
const MAX_MISSES = 1_000;

const KEY_SET = Symbol.for("signin-system.key-set");
const holder = globalThis as unknown as { [KEY_SET]?: KeySet };

function keySet(): KeySet {
  if (!holder[KEY_SET]) {
    const current = (async () => {
      const config = getConfig();
      const key = await toSigningKey(loadOrCreateSigningKey(config.dataDir, config.signingKey, config.signingAlg));
      await register(key.publicJwk);
      return key;
    })();
    const set: KeySet = { current, known: new Map(), missing: new Map() };
    holder[KEY_SET] = set;
    // A failure (database down) is retried by the next request rather than remembered.
    current.then(
      (key) => set.known.set(key.kid, verificationKeyOf(key.publicJwk)),
      () => {
        if (holder[KEY_SET] === set) holder[KEY_SET] = undefined;
      },
    );
  }
  return holder[KEY_SET];
}

async function register(jwk: PublicJwk): Promise<void> {
  const db = getDb();
  if (await db.signingKey.findUnique({ where: { kid: jwk.kid }, select: { kid: true } })) return;
  try {
    await db.signingKey.create({ data: { kid: jwk.kid, alg: jwk.alg, publicJwk: JSON.stringify(jwk) } });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // another instance registered it first
  }
}

export function currentSigningKey(): Promise<SigningKey> {
  return keySet().current;
}

const parseRow = (row: Pick<SigningKeyRow, "publicJwk">): PublicJwk => JSON.parse(row.publicJwk) as PublicJwk;

/**
 * The key a token's `kid` names, when it is one of ours: this instance's, another instance's, or one
 * rotated out. A kid not known yet is read from the table by its primary key (another instance's new
 * key, or a key from before this process started); a miss is remembered briefly.
 */
export async function verificationKey(kid: string): Promise<VerificationKey | undefined> {
  const set = keySet();
  await set.current;
  const known = set.known.get(kid);
  if (known) return known;
  if (!KID_SHAPE.test(kid)) return undefined;
  const missedAt = set.missing.get(kid);
  if (missedAt !== undefined && Date.now() - missedAt < MISS_MEMORY_MS) return undefined;
  const row = await getDb().signingKey.findUnique({ where: { kid }, select: { publicJwk: true } });
  if (!row) {
    if (set.missing.size >= MAX_MISSES) set.missing.clear();
    set.missing.set(kid, Date.now());
    return undefined;
  }
  const key = verificationKeyOf(parseRow(row));
  set.known.set(kid, key);
  return key;
}

/**
 * The public keys a verifier needs now: the current one and every registered one that signed a token
 * still live (one indexed lookup per registered key; there are as many as there were rotations).
 */
export async function publishedKeys(): Promise<PublicJwk[]> {
  const current = await currentSigningKey();
  const db = getDb();
  const now = new Date();
  const rows = await db.signingKey.findMany({ where: { kid: { not: current.kid } }, orderBy: { createdAt: "desc" } });
  const live = await Promise.all(
    rows.map((row) => db.accessToken.findFirst({ where: { kid: row.kid, expiresAt: { gt: now } }, select: { id: true } })),
  );
  return [current.publicJwk, ...rows.filter((_, i) => live[i]).map(parseRow)];
}

let verifiers: Verifiers | undefined;

/** When this process started, in JWT seconds: tokens issued since name the configured issuer. */
const PROCESS_STARTED_AT = Math.floor(performance.timeOrigin / 1000);

/** What the bearer check verifies with: our asymmetric keys, and the HS256 secrets of older tokens. */
export function accessTokenVerifiers(): Verifiers {
  verifiers ??= {
    asymmetric: verificationKey,
    legacy: getKeyring(),
    issuer: { name: getConfig().issuer, enforcedFrom: PROCESS_STARTED_AT },
  };
  return verifiers;
}
