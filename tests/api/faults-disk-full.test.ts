/**
 * A full disk under SQLite, with two server processes (WEB_CONCURRENCY=2): the data folder is a small
 * tmpfs that the test fills to the last byte. Writes are refused with 507, `Retry-After` and one log
 * line, leave no row (the user and its first link are one transaction), readiness answers 503, and once
 * space is freed every process writes again without a restart (a failed COMMIT or ROLLBACK used to keep
 * the SQLite adapter's transaction lock, so one process then hung on every write).
 *
 * Mounting needs root (CI runs as root); elsewhere the test is skipped and says why. SQLite only: a
 * PostgreSQL server's disk is not the app's.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import { DATABASE, startServer, uniqueEmail, type Server } from "../helpers/server";

const TMPFS_SIZE = "24m";
const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), "signin-disk-full-"));

/** Mounts the tmpfs; a reason to skip when this machine cannot. */
function mountTmpfs(): string | false {
  if (DATABASE !== "sqlite") return "the disk-full case is SQLite's (a PostgreSQL server's disk is not the app's)";
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${TMPFS_SIZE},mode=0700`, "tmpfs", mountPoint], { encoding: "utf8" });
  if (mounted.status !== 0) {
    return `cannot mount a tmpfs here (needs root and mount): ${(mounted.stderr || mounted.error?.message || "").trim()}`;
  }
  return false;
}

const skip = mountTmpfs();
const dataDir = path.join(mountPoint, "data");
const filler = path.join(mountPoint, "filler");
let server: Server;

before(async () => {
  if (skip) return;
  server = await startServer({ DATA_DIR: dataDir, WEB_CONCURRENCY: "2" });
});
after(async () => {
  await server?.close();
  if (!skip) spawnSync("umount", [mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

/** Writes `filler` until the filesystem refuses another byte. */
function fillDisk() {
  const fd = fs.openSync(filler, "a");
  try {
    for (let chunk = 1024 * 1024; chunk >= 1; chunk = Math.floor(chunk / 2)) {
      const block = Buffer.alloc(chunk);
      for (;;) {
        try {
          fs.writeSync(fd, block);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
          break;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string } | "timeout";

/** A sign-up on a connection of its own (so the cluster hands it to either process), given up after `ms`. */
function signUpOnNewConnection(email: string, ms = 20_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ email, password: "full-disk-password-1" });
    const req = http.request(`${server.url}/api/v1/users/signup`, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve("timeout");
    }, ms);
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode!, headers: res.headers, body: text });
      });
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

function usersWithEmails(emails: string[]): string[] {
  const db = new Database(path.join(dataDir, "app.db"), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT "email" FROM "users" WHERE "email" IN (${emails.map(() => "?").join(",")})`).all(...emails);
    return (rows as { email: string }[]).map((r) => r.email);
  } finally {
    db.close();
  }
}

test("a full disk: 507 with Retry-After and no row, readiness 503, and every process writes again once space returns", { skip }, async () => {
  assert.equal((await server.api("/api/health")).status, 200);
  fillDisk();

  const refusedEmails = Array.from({ length: 6 }, () => uniqueEmail("full"));
  const refused = await Promise.all(refusedEmails.map((email) => signUpOnNewConnection(email)));
  for (const reply of refused) {
    assert.notEqual(reply, "timeout", "a sign-up on a full disk hung");
    if (reply === "timeout") continue;
    assert.equal(reply.status, 507, reply.body);
    assert.match(JSON.parse(reply.body).detail, /storage is full: nothing was saved/);
    assert.equal(reply.headers["retry-after"], "30");
  }
  const health = await server.api("/api/health");
  assert.equal(health.status, 503, health.text);
  assert.match(health.body.detail, /Storage nearly full/);
  assert.equal((await server.api("/api/health/live")).status, 200, "liveness must not restart a process that waits for space");

  fs.rmSync(filler);
  assert.deepEqual(usersWithEmails(refusedEmails), [], "a sign-up answered 507 was written anyway");
  assert.equal((await server.api("/api/health")).status, 200, "readiness recovers with the space");

  // Both processes (each sign-up on a new connection, handed out in turn) write again, promptly.
  const laterEmails = Array.from({ length: 6 }, () => uniqueEmail("after-full"));
  const later = await Promise.all(laterEmails.map((email) => signUpOnNewConnection(email)));
  assert.deepEqual(later.map((r) => (r === "timeout" ? "timeout" : r.status)), laterEmails.map(() => 201), server.output());
  assert.deepEqual(usersWithEmails(laterEmails).sort(), [...laterEmails].sort());

  const output = server.output();
  const logLines = output.split("\n").filter((line) => /Storage full, write refused: /.test(line));
  assert.equal(logLines.length, refusedEmails.length, `one log line per refused write:\n${output}`);
  assert.doesNotMatch(output, /Unhandled error in API handler/, "a full disk is not logged as a bug");
});
