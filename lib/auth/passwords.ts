/**
 * Password hashing and checking (bcrypt). Pure: the cost comes from the caller.
 * bcrypt itself runs in worker threads (./bcrypt-pool), never on the thread that serves requests.
 */
import { getBcryptPool } from "./bcrypt-pool";
import { MAX_PASSWORD_BYTES } from "./password-policy";

export function hashPassword(password: string, cost: number): Promise<string> {
  return getBcryptPool().run({ op: "hash", password, cost });
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  // A password bcrypt would truncate can never be the one that was stored (the policy refused it),
  // but its first 72 bytes might match: refuse it outright.
  if (Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES) {
    return getBcryptPool()
      .run({ op: "compare", password: "", hash })
      .then(() => false);
  }
  return getBcryptPool().run({ op: "compare", password, hash });
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * Checks a password against a user's hash, or, when there is no such user (or no password), against a
 * dummy hash of the same cost, so an unknown email costs the same time as a wrong password.
 */
export async function verifyPasswordOrDummy(
  password: string,
  hash: string | null | undefined,
  cost: number,
): Promise<boolean> {
  if (hash) return verifyPassword(password, hash);
  let dummy = dummyHashes.get(cost);
  if (!dummy) {
    dummy = hashPassword("dummy password that never matches", cost);
    // A failed hash is not remembered: the next unknown email tries again.
    dummy.catch(() => dummyHashes.delete(cost));
    dummyHashes.set(cost, dummy);
  }
  await verifyPassword(password, await dummy);
  return false;
}
