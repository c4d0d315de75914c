/**
 * Users: sign-up, profile changes, password changes and the superuser's CRUD. Every user leaves the
 * server through `toUserPublic`, which drops the password hash and everything else internal.
 */
import crypto from "node:crypto";
import type { Prisma, User } from "@prisma/client";
import { getConfig } from "../config";
import { getDb, isUniqueViolation, rawSql } from "../db/client";
import { errors } from "../http/errors";
import { hashPassword } from "../auth/passwords";
import { reserveEmailChange } from "../auth/throttle";
import { confirmPassword } from "./password-sign-in";
import type { Authenticated } from "../auth/current-user";
import { requireRecentAuthentication, type Proof } from "./reauthentication";
import { changeEmailAtOnce, requestEmailChange } from "./email-change";
import type {
  PrivateUserCreateInput,
  SignupInput,
  UpdateMeInput,
  UserCreateInput,
  UserListItemT,
  UserListQueryInput,
  UserPublicT,
  UserUpdateInput,
} from "../schemas";
import { listSessions, revokeAllTokens, revokeToken } from "./sessions";
import { recordAuthEvent } from "./audit";
import type { ClientInfo } from "../http/client";
import { refuseCommonPassword } from "../auth/common-passwords";
import { issueEmailToken, PASSWORD_LINKS, revokeEmailTokens, VERIFY_LINKS } from "./email-tokens";
import { isVerified, issueVerificationLink, queueEmailChangedMails, queueVerificationLinkMail } from "./email-verification";
import { queueInvitation, queuePasswordChangedNotice } from "./password-recovery";

export function toUserPublic(user: User): UserPublicT {
  return {
    id: user.id,
    email: user.email,
    full_name: user.name,
    is_active: user.isActive,
    is_superuser: user.isSuperuser,
    is_verified: isVerified(user),
    created_at: user.createdAt.toISOString(),
  };
}

// The template's two wordings: creating an account (sign-up, `POST /users`) and changing one's email.
const emailTaken = () => errors.conflict("The user with this email already exists in the system");
const newEmailTaken = () => errors.conflict("User with this email already exists");

/** Runs a write that may hit the unique email index; a race between two sign-ups still gives 409. */
async function uniqueEmail<T>(write: () => Promise<T>, taken = emailTaken): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}

/**
 * Creates a user. By default as a superuser does (`POST /users`): an active user is mailed an invitation
 * with a link to choose their own password (no password is ever mailed); the password is optional.
 * Sign-up mails a verification link instead; the first superuser gets no mail and counts as verified.
 */
export async function createUser(
  input: UserCreateInput,
  {
    checkCommon = true,
    welcome = "invitation",
  }: { checkCommon?: boolean; welcome?: "invitation" | "verification" | "verified" | "none" } = {},
): Promise<User> {
  if (checkCommon && input.password) refuseCommonPassword(input.password, "password");
  const hashedPassword = input.password ? await hashPassword(input.password, getConfig().bcryptCost) : null;
  // The user and its first link are one transaction: a write that fails (a full disk, a lost database)
  // leaves neither, so an error answer never hides a half-made account. The mail goes once it committed.
  const { user, mail } = await uniqueEmail(() =>
    getDb().$transaction(async (tx) => {
      const user = await tx.user.create({
        data: {
          email: input.email,
          hashedPassword,
          name: input.full_name ?? null,
          isActive: input.is_active,
          isSuperuser: input.is_superuser,
          emailVerified: welcome === "verified" ? new Date() : null,
        },
      });
      if (welcome === "invitation" && user.isActive) {
        const token = await issueEmailToken(user, "invite", { tx });
        return { user, mail: () => queueInvitation(user, token) };
      }
      if (welcome === "verification") {
        const link = await issueVerificationLink(user, tx);
        if ("token" in link) return { user, mail: () => queueVerificationLinkMail(user, link.token) };
      }
      return { user, mail: null };
    }),
  );
  mail?.();
  return user;
}

/** Sign-up mails a verification link, unless EMAIL_VERIFICATION=off (the FastAPI template's behaviour). */
export function signUp(input: SignupInput): Promise<User> {
  const welcome = getConfig().mail.verification === "off" ? "none" : "verification";
  return createUser({ ...input, is_active: true, is_superuser: false }, { welcome });
}

/**
 * The FastAPI template's local-only `POST /private/users/` (served only with API_COMPAT=fastapi-template
 * and ENVIRONMENT=local): an active account, no mail, and, as there, no common-password check.
 */
export function createLocalUser(input: PrivateUserCreateInput): Promise<User> {
  return createUser({ ...input, is_active: true, is_superuser: false }, { checkCommon: false, welcome: "none" });
}

/**
 * A changed address is unverified until its new link is used: the earlier verification links die with
 * the old address, in the same write.
 */
function emailChangeData(user: Pick<User, "email">, email: string | undefined) {
  return email !== undefined && email !== user.email ? { email, emailVerified: null } : { email };
}

/**
 * The user's own profile change. A new name applies at once. A new email needs a fresh proof of the
 * password (`current_password`, or a recent re-authentication: lib/accounts/reauthentication.ts), is
 * rate-limited (taken or not) and only asked for: it takes effect when the new address confirms it
 * (lib/accounts/email-change.ts). Returns the user and, when a change was asked, the address it waits for.
 * With API_COMPAT=fastapi-template the new email applies at once, before the name (a taken one is a 409
 * that changes nothing), and nothing waits.
 */
export async function updateMe(
  auth: Authenticated,
  input: UpdateMeInput,
  client: ClientInfo,
): Promise<{ user: User; pendingEmail: string | null }> {
  const user = auth.user;
  const newEmail = input.email !== undefined && input.email !== user.email ? input.email : null;
  if (newEmail) {
    await requireRecentAuthentication(auth, { password: input.current_password, client });
    try {
      await reserveEmailChange(user.id);
    } catch (error) {
      await recordAuthEvent({ type: "email_change_throttled", userId: user.id, email: newEmail, client });
      throw error;
    }
  }
  const atOnce = newEmail !== null && getConfig().templateCompat.emailChangeAtOnce;
  const current = atOnce ? await changeEmailAtOnce(user, newEmail, client) : user;
  const updated =
    input.full_name !== undefined
      ? await getDb().user.update({ where: { id: user.id }, data: { name: input.full_name } })
      : current;
  if (newEmail && !atOnce) await requestEmailChange(updated, newEmail, client);
  return { user: updated, pendingEmail: atOnce ? null : newEmail };
}

/** Changes the password and revokes every other token of the user; the calling token stays valid. */
export async function changePassword(
  user: User,
  currentTokenId: string,
  input: { current_password: string; new_password: string },
  client: ClientInfo,
): Promise<{ revoked: number }> {
  const refuseSamePassword = async () => {
    if (input.current_password !== input.new_password) return;
    await recordAuthEvent({ type: "password_change_refused", userId: user.id, method: "password_change", client });
    throw errors.badRequest("New password cannot be the same as the current one");
  };
  // Refused before the current password is checked, so the answer says nothing about it (sending one
  // guess as both fields would otherwise confirm it). API_COMPAT=fastapi-template keeps the template's
  // order: the current password first (a wrong one is `Incorrect password`, and counts toward the throttle).
  const currentPasswordFirst = getConfig().templateCompat.currentPasswordFirst;
  if (!currentPasswordFirst) await refuseSamePassword();
  refuseCommonPassword(input.new_password, "new_password");
  // The throttled, audited check every password re-check goes through (429 when throttled).
  if (!(await confirmPassword(user, input.current_password, client, "password_change"))) {
    throw errors.badRequest("Incorrect password");
  }
  if (currentPasswordFirst) await refuseSamePassword();
  const hashedPassword = await hashPassword(input.new_password, getConfig().bcryptCost);
  const result = await getDb().$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { hashedPassword } });
    await revokeEmailTokens(user.id, PASSWORD_LINKS, tx);
    return revokeAllTokens(user.id, { except: currentTokenId, tx });
  });
  await recordAuthEvent({ type: "password_changed", userId: user.id, client });
  queuePasswordChangedNotice(user);
  return result;
}

/**
 * Deletes the caller's own account, after a fresh proof of the password: `password` in the request
 * (the settings page always sends it) or a recent re-authentication. A token alone is not enough.
 */
export async function deleteMe(auth: Authenticated, proof: Proof & { client: ClientInfo }): Promise<void> {
  if (auth.user.isSuperuser) throw errors.forbidden("Super users are not allowed to delete themselves");
  await requireRecentAuthentication(auth, proof);
  // Tokens, accounts and sessions go with the user (ON DELETE CASCADE).
  await getDb().user.delete({ where: { id: auth.user.id } });
}

/**
 * The superuser's list: a page of users, optionally those whose email or name contains `q`
 * (case-insensitive), by creation time; each with when it was last active (its newest token's last use
 * or issue), found for the whole page in one grouped query.
 */
export async function listUsers(
  query: Pick<UserListQueryInput, "skip" | "limit"> & Partial<UserListQueryInput>,
): Promise<{ data: UserListItemT[]; count: number }> {
  const db = getDb();
  const q = query.q?.trim();
  const direction = query.order === "created_desc" ? "desc" : "asc";
  let users: User[];
  let count: number;
  if (q) {
    // The search is a LIKE that the text must match literally: Prisma's `contains` leaves `%` and `_` as
    // wildcards (`q=%` matched everyone) and SQLite's LIKE has no escape character unless the statement
    // names one, so the statement is ours. PostgreSQL compares case-sensitively unless asked (ILIKE);
    // SQLite's LIKE already ignores ASCII case. Emails are stored lower-case.
    const { sql, postgres } = rawSql();
    const literal = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const like = postgres ? sql`ILIKE` : sql`LIKE`;
    const matches = sql`("email" ${like} ${literal(q.toLowerCase())} ESCAPE '\\' OR "full_name" ${like} ${literal(q)} ESCAPE '\\')`;
    const order = direction === "desc" ? sql`DESC` : sql`ASC`;
    const [page, total] = await Promise.all([
      db.$queryRaw<{ id: string }[]>`SELECT "id" FROM "users" WHERE ${matches}
        ORDER BY "created_at" ${order}, "id" ${order} LIMIT ${query.limit} OFFSET ${query.skip}`,
      db.$queryRaw<{ count: number | bigint }[]>`SELECT COUNT(*) AS "count" FROM "users" WHERE ${matches}`,
    ]);
    const byId = new Map((await db.user.findMany({ where: { id: { in: page.map((r) => r.id) } } })).map((u) => [u.id, u]));
    users = page.map((r) => byId.get(r.id)).filter((u): u is User => u !== undefined);
    count = Number(total[0]?.count ?? 0);
  } else {
    [users, count] = await Promise.all([
      db.user.findMany({
        orderBy: [{ createdAt: direction }, { id: direction }],
        skip: query.skip,
        take: query.limit,
      }),
      db.user.count(),
    ]);
  }
  const activity = users.length
    ? await db.accessToken.groupBy({
        by: ["userId"],
        where: { userId: { in: users.map((u) => u.id) } },
        _max: { lastUsedAt: true, createdAt: true },
      })
    : [];
  const lastActive = new Map(
    activity.map((row) => {
      const times = [row._max.lastUsedAt, row._max.createdAt].filter((t): t is Date => t !== null);
      return [row.userId, times.length ? new Date(Math.max(...times.map((t) => t.getTime()))) : null];
    }),
  );
  return {
    data: users.map((u) => ({ ...toUserPublic(u), last_active_at: lastActive.get(u.id)?.toISOString() ?? null })),
    count,
  };
}

/**
 * `GET /users/{user_id}`, the template's rule: a user reads itself; any other id needs a superuser (403
 * before the lookup, so a normal user learns nothing of which ids exist).
 */
export async function readUserById(actor: User, id: string): Promise<User> {
  if (id === actor.id) return actor;
  if (!actor.isSuperuser) throw errors.notSuperuser();
  return getUserById(id);
}

export async function getUserById(id: string): Promise<User> {
  const user = await getDb().user.findUnique({ where: { id } });
  if (!user) throw errors.notFound("The user with this id does not exist in the system");
  return user;
}

export const SUPERUSER_RULES = {
  deactivateSelf: "You cannot deactivate your own account: ask another superuser",
  demoteSelf: "You cannot remove your own superuser role: ask another superuser",
  deleteSelf: "Super users are not allowed to delete themselves",
  lastSuperuser: "This is the last active superuser: make another user an active superuser first",
} as const;

type Tx = Prisma.TransactionClient;

/**
 * Runs `write` in a transaction that refuses (409) when `targetId` is the last active superuser, and
 * that concurrent changes to superusers cannot both pass: two superusers demoting each other at the
 * same moment leave one. PostgreSQL: the active superusers' rows are locked first (in id order, so two
 * such transactions queue rather than deadlock), and the second sees the first's change once it waits
 * its turn. SQLite: a write first takes the database's single write lock for the whole transaction, so
 * the second transaction starts its reads only after the first committed.
 */
async function keepingOneSuperuser<T>(targetId: string, write: (tx: Tx) => Promise<T>): Promise<T> {
  const { sql, postgres } = rawSql();
  return getDb().$transaction(async (tx) => {
    let activeSuperusers: { id: string }[];
    if (postgres) {
      activeSuperusers = await tx.$queryRaw<{ id: string }[]>(
        sql`SELECT id FROM users WHERE is_superuser = true AND is_active = true ORDER BY id FOR UPDATE`,
      );
    } else {
      await tx.$executeRaw(sql`UPDATE users SET is_superuser = is_superuser WHERE id = ${targetId}`);
      activeSuperusers = await tx.$queryRaw<{ id: string }[]>(
        sql`SELECT id FROM users WHERE is_superuser = 1 AND is_active = 1`,
      );
    }
    if (activeSuperusers.length <= 1 && activeSuperusers.some((row) => row.id === targetId)) {
      throw errors.conflict(SUPERUSER_RULES.lastSuperuser);
    }
    return write(tx);
  });
}

/**
 * A superuser's change to any account. A new password or a deactivation revokes every token and ends
 * every browser sign-in of the user, so it takes effect everywhere at once, and a later reactivation
 * brings none of them back (stolen ones included): the user signs in again. Nobody deactivates or
 * demotes themselves, nor the last active superuser (409). Another user's email changes at once (audited,
 * both addresses mailed); the superuser's own email or password needs a fresh proof, as for anyone.
 */
export async function updateUser(auth: Authenticated, id: string, input: UserUpdateInput, client: ClientInfo): Promise<User> {
  const actor = auth.user;
  if (input.password) refuseCommonPassword(input.password, "password");
  const target = await getUserById(id);
  const emailChanged = input.email !== undefined && input.email !== target.email;
  // A superuser's own credentials through the admin path need the same fresh proof as through /users/me.
  if (actor.id === target.id && (emailChanged || input.password)) await requireRecentAuthentication(auth, { client });
  if (actor.id === target.id && input.is_active === false) throw errors.conflict(SUPERUSER_RULES.deactivateSelf);
  if (actor.id === target.id && input.is_superuser === false) throw errors.conflict(SUPERUSER_RULES.demoteSelf);
  const data: Prisma.UserUpdateInput = {
    ...emailChangeData(target, input.email),
    name: input.full_name,
    isActive: input.is_active,
    isSuperuser: input.is_superuser,
  };
  if (input.password) data.hashedPassword = await hashPassword(input.password, getConfig().bcryptCost);
  const revoke = Boolean(input.password) || input.is_active === false;
  const write = async (tx: Tx) => {
    const updated = await tx.user.update({ where: { id }, data });
    if (revoke) await revokeAllTokens(id, { tx });
    if (input.password) await revokeEmailTokens(id, PASSWORD_LINKS, tx);
    if (emailChanged) await revokeEmailTokens(id, VERIFY_LINKS, tx);
    return updated;
  };
  const losesSuperuser = input.is_active === false || input.is_superuser === false;
  const updated = await uniqueEmail(
    () => (losesSuperuser ? keepingOneSuperuser(id, write) : getDb().$transaction(write)),
    newEmailTaken,
  );
  if (emailChanged) {
    // No confirmation step for an administrator's change, but on the record: who did it, from where.
    await recordAuthEvent({ type: "email_changed_by_admin", userId: target.id, email: updated.email, method: "admin", client });
    await queueEmailChangedMails(updated, target.email);
  }
  return updated;
}

/** The template's answers: 404 `User not found`, 403 for oneself (as `DELETE /users/me`). */
export async function deleteUser(actor: User, id: string): Promise<void> {
  const target = await getDb().user.findUnique({ where: { id } });
  if (!target) throw errors.notFound("User not found");
  if (actor.id === target.id) throw errors.forbidden(SUPERUSER_RULES.deleteSelf);
  await keepingOneSuperuser(id, (tx) => tx.user.delete({ where: { id } }));
}

/** Another user's live sessions, for a superuser (none of them is the caller's "current"). */
export async function listUserSessions(id: string) {
  await getUserById(id);
  return listSessions(id, "");
}

/** A superuser revokes one of another user's sessions (404 when it is not that user's live session). */
export async function revokeUserSession(id: string, sessionId: string, client: ClientInfo): Promise<void> {
  await getUserById(id);
  await revokeToken(id, sessionId, client);
}

/**
 * Creates the first superuser (FIRST_SUPERUSER) only while there is no superuser at all: once one
 * exists, renaming or deleting that address must not bring a second, unasked-for superuser back on the
 * next start. Two instances starting together on an empty database both try the same address, and the
 * unique email index lets one of them create it. Returns the generated password when none was
 * configured, so start-up can print it once.
 */
export async function ensureFirstSuperuser(): Promise<{
  created: boolean;
  email: string;
  /** Why nothing was created: a superuser exists, or the address belongs to an ordinary account. */
  skipped?: "superuser-exists" | "email-taken";
  generatedPassword?: string;
}> {
  const { firstSuperuser: email, firstSuperuserPassword } = getConfig();
  const db = getDb();
  if (await db.user.findFirst({ where: { isSuperuser: true }, select: { id: true } })) {
    return { created: false, email, skipped: "superuser-exists" };
  }
  // No superuser, but the address is an ordinary account: never promote it (whoever holds it is not
  // known to be the operator).
  const holder = await db.user.findUnique({ where: { email }, select: { isSuperuser: true } });
  if (holder) return { created: false, email, skipped: holder.isSuperuser ? "superuser-exists" : "email-taken" };
  const generatedPassword = firstSuperuserPassword ? undefined : crypto.randomBytes(12).toString("base64url");
  try {
    await createUser({
      email,
      password: firstSuperuserPassword ?? generatedPassword!,
      full_name: "Administrator",
      is_active: true,
      is_superuser: true,
    }, { checkCommon: false, welcome: "verified" }); // the operator's own choice, set in the environment
  } catch (error) {
    // Another instance starting at the same moment created it first.
    if (error instanceof Error && "status" in error && error.status === 409) {
      return { created: false, email, skipped: "superuser-exists" };
    }
    throw error;
  }
  return { created: true, email, generatedPassword };
}
