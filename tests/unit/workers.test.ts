import { test } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import { ConfigError, parseConfig } from "../../lib/config";
import { planWorkers, splitEvenly } from "../../lib/runtime/workers";

test("WEB_CONCURRENCY: one server process per core by default, 1 to 256, whole numbers", () => {
  assert.equal(parseConfig({}).webConcurrency, os.availableParallelism());
  assert.equal(parseConfig({ WEB_CONCURRENCY: "3" }).webConcurrency, 3);
  assert.equal(parseConfig({ WEB_CONCURRENCY: "" }).webConcurrency, os.availableParallelism());
  for (const bad of ["0", "-1", "1.5", "many", "257"]) {
    assert.throws(() => parseConfig({ WEB_CONCURRENCY: bad }), (e: unknown) => e instanceof ConfigError && /WEB_CONCURRENCY/.test(e.message));
  }
  assert.equal(parseConfig({}).bcryptThreads, null);
  assert.equal(parseConfig({ BCRYPT_THREADS: "2" }).bcryptThreads, 2);
  assert.throws(() => parseConfig({ BCRYPT_THREADS: "0" }), /BCRYPT_THREADS/);
});

test("the cores' bcrypt threads and the instance's connections are shared out among the processes", () => {
  const plan = (env: Record<string, string>, cores: number) => planWorkers(parseConfig(env), cores);
  // One process: every core, the whole pool (as before there were several).
  assert.deepEqual(plan({ WEB_CONCURRENCY: "1" }, 8), [{ bcryptThreads: 8, databasePoolSize: 10 }]);
  // One per core: one thread each, so the pools together match the cores.
  assert.deepEqual(plan({ WEB_CONCURRENCY: "2" }, 2), [
    { bcryptThreads: 1, databasePoolSize: 5 },
    { bcryptThreads: 1, databasePoolSize: 5 },
  ]);
  assert.deepEqual(plan({ WEB_CONCURRENCY: "3", DATABASE_POOL_SIZE: "10" }, 8).map((w) => w.bcryptThreads), [3, 3, 2]);
  assert.deepEqual(plan({ WEB_CONCURRENCY: "3", DATABASE_POOL_SIZE: "10" }, 8).map((w) => w.databasePoolSize), [4, 3, 3]);
  // More processes than cores or connections: each still gets one.
  assert.deepEqual(plan({ WEB_CONCURRENCY: "4", DATABASE_POOL_SIZE: "2" }, 2), Array(4).fill({ bcryptThreads: 1, databasePoolSize: 1 }));
  // An explicit BCRYPT_THREADS is per process.
  assert.deepEqual(plan({ WEB_CONCURRENCY: "2", BCRYPT_THREADS: "3" }, 2).map((w) => w.bcryptThreads), [3, 3]);
  assert.deepEqual(splitEvenly(7, 7), Array(7).fill(1));
});
