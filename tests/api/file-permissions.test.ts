/**
 * The data folder holds every password hash and token row (SQLite) and the signing secret: no other
 * local account may read it. A fresh start creates the folder 0700 and the database files 0600; a start
 * on a folder left readable (an older version, a copy, an umask of 022) fixes it and says so.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { DATABASE, startServer, type Server } from "../helpers/server";

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

/** The files start-up must keep owner-only: the SQLite database and its WAL files, and the secret. */
function privateFiles(dataDir: string): string[] {
  const names = ["auth-secret", ...(DATABASE === "sqlite" ? ["app.db", "app.db-wal", "app.db-shm"] : [])];
  return names.map((n) => path.join(dataDir, n));
}

let parent: string;
let dataDir: string;
let server: Server;
before(async () => {
  // A data folder that does not exist yet, below a folder of the test's own, so start-up creates it.
  parent = fs.mkdtempSync(path.join(os.tmpdir(), "signin-perms-"));
  fs.chmodSync(parent, 0o755);
  dataDir = path.join(parent, "data");
  server = await startServer({ DATA_DIR: dataDir });
});
after(async () => {
  await server?.close();
  fs.rmSync(parent, { recursive: true, force: true });
});

test("a fresh start creates the data folder 0700 and the database and secret files 0600", async () => {
  // The WAL files exist once the server has written; a sign-up makes sure it has.
  assert.equal((await server.api("/api/v1/users/signup", { method: "POST", json: { email: "perm@example.com", password: "perm-password-123" } })).status, 201);
  assert.equal(octal(mode(dataDir)), "0700");
  for (const file of privateFiles(dataDir)) {
    assert.ok(fs.existsSync(file), `${file} exists`);
    assert.equal(octal(mode(file)), "0600", file);
  }
});

test("a start on a readable folder and database makes them owner-only and says so", async () => {
  await server.stop();
  fs.chmodSync(dataDir, 0o755);
  for (const file of privateFiles(dataDir)) if (fs.existsSync(file)) fs.chmodSync(file, 0o644);
  const before = server.output().length;
  await server.restart();
  const output = server.output().slice(before);

  assert.equal(octal(mode(dataDir)), "0700");
  for (const file of privateFiles(dataDir)) if (fs.existsSync(file)) assert.equal(octal(mode(file)), "0600", file);
  assert.match(output, new RegExp(`${escape(dataDir)} was 0755, now 0700`), output);
  if (DATABASE === "sqlite") {
    assert.match(output, new RegExp(`${escape(path.join(dataDir, "app.db"))} was 0644, now 0600`), output);
  }
});

function escape(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
