/**
 * Password hashing and checking (bcrypt). Pure: the cost comes from the caller.
 * bcrypt itself runs in worker threads (./bcrypt-pool), never on the thread that serves requests.
 */
import { getBcryptPool } from "./bcrypt-pool";
import { MAX_PASSWORD_BYTES } from "../schemas/password-policy";

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

/**
 * One bcrypt hash per allowed cost (BCRYPT_COST is 10 to 16, and 4 to 9 on test servers: lib/config/index.ts)
 * of a random password that was thrown away: checking a password against it costs exactly what checking
 * a real hash of that cost does, and nothing can match it. Fixed here rather than computed at run time,
 * so that even the first unknown email a process sees costs no more than a wrong password (computing it
 * then took one extra hash: that one answer was twice as slow).
 */
export const DUMMY_HASHES: Readonly<Record<number, string>> = {
  4: "$2b$04$qCkBmWTOA49KYrO6pX5VZe9Uy3hL.7l8nc5knAl6e3QjvIH3vqRuO",
  5: "$2b$05$FQoemPmH/JkFUDAjeba/cO7UTmTBH.BYPIaO..uQyh.lBkNl5gKWe",
  6: "$2b$06$EIZpHa.U1dzeAMzTpJs3XuM6YWEI5W6f1tRJ0Du5BJcuK8CooRuQW",
  7: "$2b$07$DQ5j3guPr0/PYwwzYBlHTOGg70ZrWyhWufbSg9bbpUiqAIQglpZli",
  8: "$2b$08$i3gCt/7vqr3tvVwXtN2hXuu0SSbvjdK0UTxHn9a1G2/Ea6ilXzGam",
  9: "$2b$09$/qFQaOfDvppHWkAZar36J.tj2utl5zlYKPKtx9rhqNxMNcWqAwQH6",
  10: "$2b$10$9U0Mj6nB9QYOtN2dpaW.A.ct7g0ePuRLCOZK4lb9zQjEduKkULkRW",
  11: "$2b$11$/TeOvnAYLXmBHTf5Q43GB.26RE5D7zxyQkLcX1yfe4fS5EaWj.AsS",
  12: "$2b$12$oAn0X4kbIQqTW8Su1rL6yu0H1s2Zws10DtTv.rJUnQ5ZNoRCs8woG",
  13: "$2b$13$jzNmzJnI..TQVL3Vxr1saOK2igST4DcOUg0ABcVIh1nU9muvJAfD.",
  14: "$2b$14$hl9gmt5/EznGzL84iViw7O38vmK.OBHr4pvWan8wqBAe/fjDbEWOG",
  15: "$2b$15$J6hcl4CfT9D7vNws38LPNew9ay0c4IcGvPfCd.LfMxoUttuvgcSQO",
  16: "$2b$16$Iy.HUNJQZJ1S6kVoxY/siejvcN7ek.z.pE4yxgojEPUrwpHZe6RqG",
};

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
  const dummy = DUMMY_HASHES[cost];
  if (!dummy) throw new RangeError(`no dummy hash for bcrypt cost ${cost} (allowed: 4 to 16)`);
  await verifyPassword(password, dummy);
  return false;
}
