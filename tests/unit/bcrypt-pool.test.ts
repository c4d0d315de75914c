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
 * CPU time this thread (the event loop's) has used so far, in ms: what it ran, however busy the machine.
 * Node.js 23.9+ says; on Node.js 22, Linux's /proc does (in 10 ms ticks; the main thread's id is the pid).
 */
function threadCpuMs(): number {
  if (typeof process.threadCpuUsage === "function") {
    const { user, system } = process.threadCpuUsage();
    return (user + system) / 1000;
  }
  const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  // After "(comm) ": [11] utime, [12] stime, in clock ticks of 10 ms.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Runs `work` while a 5 ms timer re-arms itself (up to 40 times: on a starved machine the work takes
 * many seconds, and thousands of ticks would cost this thread CPU of their own): how many times the
 * timer fired meanwhile, and how much CPU this thread spent. Both count events, not wall time, so a
 * busy machine cannot fake a stall.
 */
async function whileTicking<T>(work: () => T | Promise<T>) {
  const MAX_TICKS = 40;
  let ticks = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    ticks++;
    if (ticks < MAX_TICKS) timer = setTimeout(tick, 5);
  };
  timer = setTimeout(tick, 5);
  const cpuBefore = threadCpuMs();
  try {
    const result = await work();
    return { result, ticks, cpuMs: threadCpuMs() - cpuBefore };
  } finally {
    clearTimeout(timer);
  }
}

test("8 hashes at cost 12 leave the event loop free: timers keep firing, and the hashing costs it no CPU", async (t) => {
  await hashPassword("starts the pool's threads", 4);
  // The baseline, in this run: one hash on this thread, as a pool that failed to hand work off would do
  // it. No timer fires while it runs, and this thread pays the whole hash.
  const onThread = await whileTicking(() => bcrypt.hashSync("hashed on the event loop", 12));
  assert.equal(onThread.ticks, 0);

  const passwords = Array.from({ length: 8 }, (_, i) => `password number ${i}`);
  const pooled = await whileTicking(() => Promise.all(passwords.map((p) => hashPassword(p, 12))));
  for (const [i, hash] of pooled.result.entries()) {
    assert.match(hash, /^\$2b\$12\$/);
    // Checked by bcryptjs here, on this thread, independently of the pool.
    assert.equal(bcrypt.compareSync(passwords[i]!, hash), true);
  }
  t.diagnostic(
    `one hash on this thread: ${onThread.cpuMs.toFixed(0)} ms of its CPU, 0 ticks; ` +
      `8 in the pool: ${pooled.cpuMs.toFixed(0)} ms of its CPU, ${pooled.ticks} ticks`,
  );
  // Hashed here, the eight would cost this thread eight baselines of CPU, however the work was spread in time.
  assert.ok(
    pooled.cpuMs < onThread.cpuMs / 2,
    `the event loop spent ${pooled.cpuMs.toFixed(0)} ms of CPU on 8 pooled hashes; one hash on it costs ${onThread.cpuMs.toFixed(0)} ms`,
  );
  // And it ran in between: the 5 ms timer fired during the hashes (about a second of work), which it
  // cannot do while a hash holds the thread. A few times is plenty even when the OS starves this process.
  assert.ok(pooled.ticks >= 3, `the timer fired only ${pooled.ticks} times while 8 hashes ran`);
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
