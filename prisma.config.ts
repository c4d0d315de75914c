// Prisma CLI configuration: the JavaScript schema engine through a driver adapter, so `generate` and
// `migrate deploy` work offline. DATABASE_URL's scheme picks the schema, its migrations folder and the
// adapter (file: → SQLite, postgresql:// → PostgreSQL), read through the app's own configuration module.
// `npm run db:generate` generates both clients whatever DATABASE_URL says (lib/db/client.ts imports both).
import { defineConfig } from "prisma/config";
import { getConfig } from "./lib/config";
import { migrationAdapter } from "./lib/db/adapters";

const config = getConfig();
const folder = config.databaseProvider === "postgresql" ? "prisma/postgresql" : "prisma";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: `${folder}/schema.prisma`,
  migrations: { path: `${folder}/migrations` },
  adapter: async () => migrationAdapter(config),
});
