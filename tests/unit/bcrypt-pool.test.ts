import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import bcrypt from "bcryptjs";
import { BcryptPool, closeBcryptPool, getBcryptPool } from "../../lib/auth/bcrypt-pool";
import { hashPassword, verifyPassword } from "../../lib/auth/passwords";

const require = createRequire(import.meta.url);
// These tests measure the event loop and the threads, not load shedding (tests/unit/bcrypt-queue.test.ts):
// on a busy shared machine 8 hashes at cost 12 can take longer than the process pool's default max wait.
process.env.BCRYPT_QUEUE_MAX_WAIT_SECONDS = "600";
const root = path.resolve(import.meta.dirname, "..", "..");

after(() => closeBcryptPool());

/**
 * Nanoseconds this thread has spent runnable but waiting for a CPU (Linux: schedstat of the main
 * thread, whose id is the process id); null where the kernel does not say.
 */
function runQueueWaitNs(): number | null {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").trim().split(/\s+/);
    const wait = Number(fields[1]);
    return Number.isFinite(wait) ? wait : null;
  } catch {
    return null;
  }
}

/**
 * Runs `work` while a 5 ms timer re-arms itself, and returns how late the timer fired at worst: `raw`
 * as seen, and `own` without the time the OS kept this thread waiting for a CPU (on a machine shared
 * with other busy processes that wait alone can reach tens of ms, though the event loop was idle).
 */
async function timerLateness<T>(work: () => Promise<T>) {
  const PERIOD = 5;
  let raw = 0;
  let own = 0;
  let ticks = 0;
  let running = true;
  let expected = performance.now() + PERIOD;
  let waited = runQueueWaitNs();
  const tick = () => {
    const now = performance.now();
    const late = now - expected;
    const waitedNow = runQueueWaitNs();
    const osDelay = waited !== null && waitedNow !== null ? (waitedNow - waited) / 1e6 : 0;
    raw = Math.max(raw, late);
    own = Math.max(own, late - osDelay);
    ticks++;
    if (!running) return;
    waited = runQueueWaitNs();
    expected = performance.now() + PERIOD;
    setTimeout(tick, PERIOD);
  };
  setTimeout(tick, PERIOD);
  try {
    return { result: await work(), raw, own, ticks };
  } finally {
    running = false;
  }
}

test("8 hashes at cost 12 leave the event loop free (a timer is never 20 ms late)", async (t) => {
  // Hashing on this thread would make the timer at least one hash late (~250 ms at cost 12), in every
  // attempt and whatever the OS does. A busy neighbour can still delay one attempt's timer: the loop
  // is free when one of three attempts stays under 20 ms.
  const passwords = Array.from({ length: 8 }, (_, i) => `password number ${i}`);
  const attempts: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const { result: hashes, raw, own, ticks } = await timerLateness(() =>
      Promise.all(passwords.map((p) => hashPassword(p, 12))),
    );
    assert.ok(ticks > 10, `the timer ticked only ${ticks} times`);
    for (const [i, hash] of hashes.entries()) {
      assert.match(hash, /^\$2b\$12\$/);
      // Checked by bcryptjs here, on this thread, independently of the pool.
      assert.equal(bcrypt.compareSync(passwords[i]!, hash), true);
    }
    attempts.push(`${own.toFixed(1)} ms (${raw.toFixed(1)} ms including waits for a CPU)`);
    if (own < 20) return t.diagnostic(`worst timer lateness: ${attempts.join(", ")}`);
  }
  assert.fail(`the event loop stalled while hashing; worst timer lateness per attempt: ${attempts.join(", ")}`);
});

test("hashes from the pool verify, through the pool and through bcryptjs", async () => {
  const hash = await hashPassword("correct horse battery", 10);
  assert.equal(await verifyPassword("correct horse battery", hash), true);
  assert.equal(await verifyPassword("correct horse batterY", hash), false);
  assert.equal(bcrypt.compareSync("correct horse battery", hash), true);
  // And hashes made elsewhere verify in the pool.
  const foreign = bcrypt.hashSync("made on this thread", 10);
  assert.equal(await verifyPassword("made on this thread", foreign), true);
});

test("the pool is sized to the machine and never starts more workers than that", async () => {
  const pool = getBcryptPool();
  assert.equal(pool.size, os.availableParallelism());
  const small = new BcryptPool({ size: 2 });
  try {
    const jobs = Array.from({ length: 5 }, (_, i) => small.run({ op: "hash", password: `pw-${i}-xxxxx`, cost: 10 }));
    assert.deepEqual(small.stats(), { workers: 2, busy: 2, queued: 3 });
    const hashes = await Promise.all(jobs);
    assert.equal(new Set(hashes).size, 5);
    assert.deepEqual(small.stats(), { workers: 2, busy: 0, queued: 0 });
  } finally {
    await small.close();
  }
});

test("a bcrypt error rejects its own task and the pool keeps working", async () => {
  await assert.rejects(verifyPassword("password", `$3b$10$${"a".repeat(53)}`), /Invalid salt version/);
  assert.equal(await verifyPassword("password", await hashPassword("password", 10)), true);
});

test("closing the pool rejects what is pending; the next hash starts a new pool", async () => {
  const pending = assert.rejects(hashPassword("closed before it finished", 12), /closed/);
  await closeBcryptPool();
  await pending;
  assert.equal(await verifyPassword("again", await hashPassword("again", 10)), true);
});

test("an idle pool does not keep a process alive, from any working directory", () => {
  // A fresh process that hashes and verifies, then has nothing left to do, must exit on its own;
  // started outside the project, the worker still finds bcryptjs.
  const script = `
    const { hashPassword, verifyPassword } = require(${JSON.stringify(path.join(root, "lib/auth/passwords.ts"))});
    hashPassword("exits by itself", 10)
      .then((hash) => verifyPassword("exits by itself", hash))
      .then((ok) => console.log(ok ? "verified" : "mismatch"));
  `;
  const child = spawnSync(process.execPath, [require.resolve("tsx/cli"), "--eval", script], {
    cwd: os.tmpdir(),
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(child.signal, null, `the process did not exit by itself: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), "verified");
});
