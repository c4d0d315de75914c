import { getDb } from "../lib/db";
import { checkHealth } from "../lib/health";
import { requireActiveUser } from "../lib/auth/current-user";
import { verifyAccessToken } from "../lib/auth/tokens";
import { getKeyring } from "../lib/auth/secret";
import { issueAccessToken } from "../lib/sessions";
const db = getDb();
const u = await db.user.create({ data: { email: "m" + Date.now() + "@x.com" } });
const { access_token } = await issueAccessToken(u.id, { userAgent: "x", ip: null });
const req = () => new Request("http://x/api/v1/users/me", { headers: { authorization: `Bearer ${access_token}` } });
const rec = await verifyAccessToken(access_token, getKeyring());
const jti = rec.ok ? rec.claims.jti : "";
const variants: Record<string, () => Promise<unknown>> = {
  health: () => checkHealth(),
  jose: () => verifyAccessToken(access_token, getKeyring()),
  include: () => db.accessToken.findUnique({ where: { id: jti }, include: { user: true } }),
  joseThenInclude: async () => { const v = await verifyAccessToken(access_token, getKeyring()); if (!v.ok) throw 1; return db.accessToken.findUnique({ where: { id: v.claims.jti }, include: { user: true } }); },
  reqUser: () => requireActiveUser(req()),
};
const mode = process.argv[2] ?? "seq";
for (let round = 0; round < 3; round++) {
  const line: string[] = [];
  for (const [name, fn] of Object.entries(variants)) {
    const N = 2000, C = mode === "seq" ? 1 : 20; let i = 0;
    const c0 = process.cpuUsage(); const t0 = performance.now();
    await Promise.all(Array.from({ length: C }, async () => { while (i++ < N) await fn(); }));
    const c = process.cpuUsage(c0);
    line.push(`${name} ${((c.user + c.system) / N).toFixed(0)}/${((performance.now() - t0) * 1000 / N).toFixed(0)}`);
  }
  console.log(line.join("  "));
}
process.exit(0);
