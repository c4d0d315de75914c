import assert from "node:assert/strict";
import { getDb } from "../lib/db";
import { findTokenWithUser } from "../lib/auth/token-lookup";
const db = getDb();
const u = await db.user.create({ data: { email: "eq" + Date.now() + "@x.com", hashedPassword: "$2b$xx", name: "Ñame 😀", emailVerified: new Date(1234567890123), image: "img", isSuperuser: true } });
const u2 = await db.user.create({ data: { email: "eq2" + Date.now() + "@x.com", isActive: false } });
const t1 = await db.accessToken.create({ data: { id: "a" + Date.now(), userId: u.id, expiresAt: new Date(Date.now() + 1e6), revokedAt: new Date(), lastUsedAt: new Date(Date.now() - 5000), userAgent: "ua", ip: "1.2.3.4", method: "session", sessionId: "s1" } });
const t2 = await db.accessToken.create({ data: { id: "b" + Date.now(), userId: u2.id, expiresAt: new Date(Date.now() + 1e6) } });
for (const id of [t1.id, t2.id]) {
  const a = await db.accessToken.findUnique({ where: { id }, include: { user: true } });
  const b = await findTokenWithUser(id);
  assert.deepStrictEqual(b, a);
}
assert.equal(await findTokenWithUser("nope"), null);
console.log("equal");
process.exit(0);
