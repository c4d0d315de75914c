/**
 * The SQLite and PostgreSQL schemas must define the same models, field for field (names, types,
 * optionality, defaults, mappings, relations, indexes): the app is typed against one and runs on both.
 * Each has its own migrations folder, locked to its provider.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "..");
const SCHEMAS = { sqlite: "prisma/schema.prisma", postgresql: "prisma/postgresql/schema.prisma" } as const;

type Blocks = Record<string, string[]>;

/** Every block (`model X { … }`, `generator …`, `datasource …`) as its lines, comments and spacing dropped. */
function parseBlocks(file: string): Blocks {
  const source = fs.readFileSync(path.join(root, file), "utf8");
  const blocks: Blocks = {};
  let current: string[] | null = null;
  for (const raw of source.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim().replace(/\s+/g, " ");
    if (!line) continue;
    const open = /^(model|enum|type|view|generator|datasource) (\w+) \{$/.exec(line);
    if (open) {
      assert.equal(current, null, `${file}: block inside a block at "${line}"`);
      current = blocks[`${open[1]} ${open[2]}`] = [];
    } else if (line === "}") {
      assert.notEqual(current, null, `${file}: unmatched "}"`);
      current = null;
    } else {
      assert.notEqual(current, null, `${file}: "${line}" is outside any block`);
      current!.push(line);
    }
  }
  return blocks;
}

const withoutConfigBlocks = (blocks: Blocks) =>
  Object.fromEntries(Object.entries(blocks).filter(([name]) => !/^(generator|datasource) /.test(name)));

test("the SQLite and PostgreSQL schemas define the same models and fields", () => {
  const sqlite = withoutConfigBlocks(parseBlocks(SCHEMAS.sqlite));
  const postgresql = withoutConfigBlocks(parseBlocks(SCHEMAS.postgresql));
  assert.ok(Object.keys(sqlite).length >= 7, `expected the app's models, found ${Object.keys(sqlite).join(", ")}`);
  assert.ok("model User" in sqlite && "model AccessToken" in sqlite && "model LoginThrottle" in sqlite);
  // deepEqual shows a field-level diff when someone edits one schema and not the other.
  assert.deepEqual(postgresql, sqlite);
});

test("each schema names its provider, and the PostgreSQL client is generated apart from the SQLite one", () => {
  const sqlite = parseBlocks(SCHEMAS.sqlite);
  const postgresql = parseBlocks(SCHEMAS.postgresql);
  assert.ok(sqlite["datasource db"]?.includes('provider = "sqlite"'));
  assert.ok(postgresql["datasource db"]?.includes('provider = "postgresql"'));
  for (const blocks of [sqlite, postgresql]) {
    assert.ok(blocks["generator client"]?.includes('engineType = "client"'), "the JS engine: no binary download");
  }
  // lib/db/client.ts imports the PostgreSQL client by this name.
  assert.ok(postgresql["generator client"]?.includes('output = "../../node_modules/.prisma/client-postgresql"'));
  assert.ok(!sqlite["generator client"]?.some((l) => l.startsWith("output")), "SQLite keeps @prisma/client");
});

test("each schema has its own migrations, locked to its provider", () => {
  for (const [provider, schema] of Object.entries(SCHEMAS)) {
    const folder = path.join(root, path.dirname(schema), "migrations");
    const lock = fs.readFileSync(path.join(folder, "migration_lock.toml"), "utf8");
    assert.match(lock, new RegExp(`provider = "${provider}"`), `${folder}/migration_lock.toml`);
    const migrations = fs.readdirSync(folder).filter((f) => fs.statSync(path.join(folder, f)).isDirectory());
    assert.ok(migrations.length > 0, `${folder} has no migrations`);
    const sql = migrations.map((m) => fs.readFileSync(path.join(folder, m, "migration.sql"), "utf8")).join("\n");
    // Every mapped table of the schema is created by its migrations.
    const tables = [...fs.readFileSync(path.join(root, schema), "utf8").matchAll(/@@map\("(\w+)"\)/g)].map((m) => m[1]);
    for (const table of tables) assert.match(sql, new RegExp(`CREATE TABLE "${table}"`), `${provider}: ${table}`);
  }
});
