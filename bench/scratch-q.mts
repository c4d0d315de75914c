import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
const db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: "file:/tmp/qdb/app.db" }) });
const t = (await db.accessToken.findFirst())!;
const variants: Record<string, () => Promise<unknown>> = {
  select1: () => db.$queryRawUnsafe("SELECT 1"),
  include: () => db.accessToken.findUnique({ where: { id: t.id }, include: { user: true } }),
  tokenOnly: () => db.accessToken.findUnique({ where: { id: t.id } }),
  rawJoin: () => db.$queryRaw`SELECT t.*, u.* FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ${t.id}`,
};
for (let round = 0; round < 3; round++) {
  for (const [name, fn] of Object.entries(variants)) {
    const N = 4000, C = 50; let i = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: C }, async () => { while (i++ < N) await fn(); }));
    console.log(round, name.padEnd(10), ((performance.now() - t0) * 1000 / N).toFixed(1), "µs/op");
  }
}
console.log(await variants.rawJoin!());
