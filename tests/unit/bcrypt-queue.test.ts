import { test } from "node:test";
import assert from "node:assert/strict";
import { BcryptPool } from "../../lib/auth/bcrypt-pool";
import { OverloadedError } from "../../lib/http/errors";

/** Settles every promise; a refusal is reported as the error with the ms it took, a result as "ok". */
async function outcomes(jobs: Promise<unknown>[]) {
  const start = performance.now();
  return Promise.all(
    jobs.map((job) =>
      job.then(
        () => ({ ok: true as const, ms: performance.now() - start }),
        (error: unknown) => ({ ok: false as const, error, ms: performance.now() - start }),
      ),
    ),
  );
}

test("past the queue limit a job is refused at once with 503 and Retry-After; the queued ones still run", async () => {
  const pool = new BcryptPool({ size: 1, queueLimit: 2, maxWaitMs: 60_000 });
  try {
    const results = await outcomes(Array.from({ length: 5 }, () => pool.run({ op: "hash", password: "pw", cost: 10 })));
    assert.deepEqual(results.map((r) => r.ok), [true, true, true, false, false]);
    for (const refused of results.slice(3)) {
      assert.ok(refused.ok === false && refused.error instanceof OverloadedError, String(!refused.ok && refused.error));
      assert.equal(refused.error.status, 503);
      assert.match(String(refused.error.detail), /busy checking passwords/);
      assert.match(refused.error.headers["Retry-After"]!, /^[1-9]\d*$/);
      // Refused when asked, not after the queue ahead of it ran.
      assert.ok(refused.ms < results[0]!.ms, `refused after ${refused.ms} ms, the first job took ${results[0]!.ms} ms`);
    }
    assert.equal(pool.stats().queued, 0);
  } finally {
    await pool.close();
  }
});

test("a job that waited maxWaitMs for a thread is refused then, not left waiting", async () => {
  const pool = new BcryptPool({ size: 1, maxWaitMs: 100, queueLimit: 100 });
  try {
    // Cost 14 takes far longer than 100 ms, so the second job cannot get the thread in time.
    const [first, second] = await outcomes([
      pool.run({ op: "hash", password: "pw", cost: 14 }),
      pool.run({ op: "hash", password: "pw", cost: 10 }),
    ]);
    assert.equal(first!.ok, true);
    assert.ok(second!.ok === false && second!.error instanceof OverloadedError);
    assert.ok(second!.ms >= 90 && second!.ms < first!.ms, `refused after ${second!.ms} ms; the first took ${first!.ms} ms`);
  } finally {
    await pool.close();
  }
});

test("by default the queue holds what the threads get through within the max wait", async () => {
  const pool = new BcryptPool({ size: 2, maxWaitMs: 5000 });
  try {
    assert.equal(pool.queueLimit(), 40, "2 threads × 5 s ÷ the first estimate of 250 ms a job");
    await pool.run({ op: "hash", password: "pw", cost: 10 });
    const jobMs = pool.measuredJobMs();
    assert.equal(pool.queueLimit(), Math.max(1, Math.floor((2 * 5000) / jobMs)), "follows the measured job time");
    assert.equal(new BcryptPool({ size: 2 }).queueLimit(), Infinity, "no bound unless one is asked for");
  } finally {
    await pool.close();
  }
});
