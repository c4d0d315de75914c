/**
 * A streamed (chunked, no Content-Length) multipart body over the API's 64 KiB limit, to the two
 * endpoints that take a form (the token endpoint and the revocation endpoint), is answered 413 at once,
 * and nothing of it stays: a few hundred such requests leave the server's memory where it was and no
 * request in flight. (It used to be never answered, each one kept in memory after the client left.)
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { groupProcesses } from "../helpers/processes";
import { rawRequest, requestHead } from "../helpers/raw-http";
import { startServer, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

const BOUNDARY = "----streamed-body-memory";
/** 16 KiB of one multipart field, sent as a chunk again and again: 256 KiB in all unless answered sooner. */
const CHUNK = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="username"\r\n\r\n${"u".repeat(16 * 1024 - 100)}\r\n`);
const CHUNKS = 16;

/** The server process (scripts/serve.mjs) of the server's process group. */
function serverProcessId(): number {
  const found = groupProcesses(server.pid()!).find((p) => p.command.includes("serve.mjs"));
  assert.ok(found, "the server process");
  return found.pid;
}

function rssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kib / 1024;
}

async function sendMany(path: string, total: number, concurrency: number): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  const one = async () => {
    try {
      const res = await rawRequest(
        server.port,
        requestHead("POST", path, { "content-type": `multipart/form-data; boundary=${BOUNDARY}`, "transfer-encoding": "chunked" }),
        { timeoutMs: 5000, streamChunks: { chunk: CHUNK, max: CHUNKS, chunked: true } },
      );
      const key = `${res.status} ${res.status === 413 ? JSON.parse(res.body).detail : res.body.slice(0, 80)}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    } catch (error) {
      const key = `no answer: ${(error as Error).message.slice(0, 60)}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
  };
  for (let sent = 0; sent < total; sent += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, total - sent) }, one));
  }
  return outcomes;
}

test("hundreds of streamed multipart bodies over the limit: each answered 413, memory and in-flight count come back", async () => {
  const pid = serverProcessId();
  // A first round grows the heap and the allocator's pools to what this load needs (memory a process
  // rarely hands back); what a second, larger round adds on top is what requests keep.
  // Measured: the server process levels off after about 400 such requests (here 167 → 207 → 211 → 212 →
  // 212 MiB, rounds of 200), where the bug kept about 0.4 MiB of each for good.
  await sendMany("/api/v1/login/access-token", 300, 50);
  await sendMany("/api/v1/login/revoke", 100, 50);
  await new Promise((r) => setTimeout(r, 2000));
  const rssBefore = rssMiB(pid);

  const token = await sendMany("/api/v1/login/access-token", 300, 50);
  const revoke = await sendMany("/api/v1/login/revoke", 100, 50);
  await new Promise((r) => setTimeout(r, 2000));
  const rssAfter = rssMiB(pid);
  console.log(`RSS of the server process: ${rssBefore.toFixed(1)} MiB after 400 requests, ${rssAfter.toFixed(1)} MiB after 400 more`);
  console.log(`token endpoint: ${JSON.stringify([...token])}; revocation: ${JSON.stringify([...revoke])}`);

  assert.deepEqual([...token], [["413 Request body is larger than 64 KiB", 300]]);
  assert.deepEqual([...revoke], [["413 Request body is larger than 64 KiB", 100]]);
  // 400 × 256 KiB went out (100 MiB; the server reads at most 64 KiB of each); the bug kept about
  // 160 MiB of 400 such requests. From one round to the next the heap's working room moved by 5–21 MiB
  // on this machine (shared, noisy): a third of the bug's growth is the line.
  assert.ok(rssAfter - rssBefore < 48, `RSS grew from ${rssBefore.toFixed(1)} to ${rssAfter.toFixed(1)} MiB`);

  assert.equal((await server.api("/api/health")).status, 200, "the server still answers");
  assert.equal(await server.signal("SIGTERM"), 0, server.output());
  assert.match(server.output(), /SIGTERM: shutting down, finishing 0 in-flight request\(s\)/, "nothing left in flight");
});
