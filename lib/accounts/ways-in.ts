/**
 * The last way in: no change a user makes may leave their account with nothing to sign in with.
 *
 * A way in is what signs in on its own: the password, each linked provider account (OpenID Connect), each
 * passkey. An authenticator app (TOTP) and its recovery codes only complete a sign-in that one of those
 * began, so turning them off never takes a way in away and does not come here. A mailed reset link is not counted:
 * it is how a locked-out user gets back in, not a way to sign in.
 *
 * The rule is checked twice: before the removal asks for a fresh proof (`refuseRemovingLastWayIn`: no one
 * is asked for a password to be told no), and again inside the removal's transaction, after taking the
 * user's row (`removeWayIn`), so two removals racing (the last two passkeys removed at once) cannot both
 * pass: the second waits for the first, then counts what is left.
 */
import type { Prisma } from "@prisma/client";
import { getDb } from "../db/client";
import { errors } from "../http/errors";

type Tx = Prisma.TransactionClient;

/** What a removal takes away: a passkey or a linked provider account. */
export type Removal = "passkey" | "provider";

const LAST_WAY_IN: Record<Removal, string> = {
  passkey: "This passkey is the only way to sign in to this account; add another passkey or link a provider before removing it",
  provider: "This is the only way to sign in to this account; it cannot be removed",
};

/** How many ways in the user has: the password (0 or 1), linked provider accounts, passkeys. */
async function countWaysIn(db: Tx, userId: string): Promise<number> {
  // One after the other: a transaction's queries share one connection.
  const user = await db.user.findUnique({ where: { id: userId }, select: { hashedPassword: true } });
  const providers = await db.account.count({ where: { userId } });
  const passkeys = await db.passkey.count({ where: { userId } });
  return (user?.hashedPassword ? 1 : 0) + providers + passkeys;
}

/** 409 when removing one `removal` would leave the user no way in (the early answer, before any proof is asked). */
export async function refuseRemovingLastWayIn(userId: string, removal: Removal): Promise<void> {
  if ((await countWaysIn(getDb(), userId)) <= 1) throw errors.conflict(LAST_WAY_IN[removal]);
}

/**
 * Runs `remove` in a transaction that first takes the user's row (concurrent removals of one account
 * run one after the other), and rolls it back with 409 when it left the account no way in.
 */
export async function removeWayIn<T>(userId: string, removal: Removal, remove: (tx: Tx) => Promise<T>): Promise<T> {
  return getDb().$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { updatedAt: new Date() } });
    const result = await remove(tx);
    if ((await countWaysIn(tx, userId)) === 0) throw errors.conflict(LAST_WAY_IN[removal]);
    return result;
  });
}
