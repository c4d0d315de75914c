// Prisma CLI configuration: the JavaScript schema engine through a driver adapter, so `generate` and
// `migrate deploy` work offline. The database comes from the app's own configuration module.
import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { getConfig } from "./lib/config";

const config = getConfig();

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    if (config.sqlitePath === null) throw new Error("PostgreSQL is not configured yet");
    fs.mkdirSync(path.dirname(config.sqlitePath), { recursive: true, mode: 0o700 });
    return new PrismaBetterSQLite3({ url: `file:${config.sqlitePath}` });
  },
});
