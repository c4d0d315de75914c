/**
 * Provider accounts linked to a user (Auth.js's `Account` rows): each one signs in as the user without
 * the password, and survives password changes and signing out everywhere. So the user can see them
 * (the profile, and the answers of those two actions) and remove them.
 */
import type { Account } from "@prisma/client";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import type { LinkedAccountPublicT } from "../schemas";
import { recordAuthEvent } from "./audit";
import { revokeAllTokens } from "./sessions";
import type { Authenticated } from "../auth/current-user";
import { requireRecentAuthentication, type Proof } from "./reauthentication";
import { refuseRemovingLastWayIn, removeWayIn } from "./ways-in";

function providerName(provider: string): string {
  if (provider === "oidc") return getConfig().oidc?.name ?? "OpenID Connect";
  return provider;
}

function toLinkedAccountPublic(account: Account): LinkedAccountPublicT {
  return {
    id: `${account.provider}:${account.providerAccountId}`,
    provider: account.provider,
    provider_name: providerName(account.provider),
    provider_account_id: account.providerAccountId,
    linked_at: account.createdAt.toISOString(),
  };
}

export async function listLinkedAccounts(userId: string): Promise<LinkedAccountPublicT[]> {
  const accounts = await getDb().account.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });
  return accounts.map(toLinkedAccountPublic);
}

/**
 * Removes one of the user's linked accounts (`<provider>:<provider account id>`), after a fresh proof
 * (lib/accounts/reauthentication.ts): a linked account is a way in, and a stolen token must not be able to
 * rearrange them. Whoever holds that provider account may already be signed in through it, so every
 * other token and browser sign-in of the user ends too (the calling one stays, like a password change).
 * The last way to sign in is kept (lib/accounts/ways-in.ts): an account without a password may unlink its
 * provider when a passkey still signs in, never when nothing would.
 */
export async function unlinkAccount(
  auth: Authenticated,
  id: string,
  proof: Proof & { client: ClientInfo },
): Promise<{ revoked: number }> {
  const userId = auth.user.id;
  const colon = id.indexOf(":");
  const where = { provider: id.slice(0, colon), providerAccountId: id.slice(colon + 1) };
  const db = getDb();
  const account = colon > 0 ? await db.account.findFirst({ where: { ...where, userId } }) : null;
  if (!account) throw errors.notFound("Linked account not found");
  await refuseRemovingLastWayIn(userId, "provider");
  await requireRecentAuthentication(auth, proof);
  const result = await removeWayIn(userId, "provider", async (tx) => {
    await tx.account.delete({ where: { provider_providerAccountId: where } });
    return revokeAllTokens(userId, { except: auth.tokenId, tx });
  });
  await recordAuthEvent({ type: "account_unlinked", userId, method: account.provider, client: proof.client });
  return result;
}
