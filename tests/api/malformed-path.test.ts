/**
 * A path whose percent-encoding does not decode to UTF-8 (`%ff`, a cut-off `%E0%A4%A`) is bad input:
 * 400, never a 500. API paths answer in the API's JSON error shape; pages answer with an HTML page.
 * Sent with node:http so that the path reaches the server exactly as written.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { startServer, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: string };

function raw(method: string, rawPath: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: server.port, method, path: rawPath, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const API_PATHS: [string, string][] = [
  ["DELETE", "/api/v1/users/%ff"],
  ["GET", "/api/v1/users/%ff"],
  ["PATCH", "/api/v1/users/%E0%A4%A"],
  ["GET", "/api/v1/users/%E0%A4%A"],
  ["DELETE", "/api/v1/sessions/%ff"],
  ["GET", "/api/v1/nonexistent/%ff"],
  ["POST", "/api/v1/login/%ff"],
  ["GET", "/api/v1/%c0%af"],
  ["GET", "/api/auth/%ff"],
  ["POST", "/api/auth/callback/%ff"],
  ["GET", "/api/health/%ff"],
  ["GET", "/api/openapi.json/%ff"],
  ["GET", "/api/%ff"],
  ["GET", "/api/v1/users/%ff?x=1"],
];

test("every API prefix answers a malformed path with 400 and a JSON detail", async () => {
  for (const [method, p] of API_PATHS) {
    const res = await raw(method, p);
    assert.equal(res.status, 400, `${method} ${p}: ${res.status} ${res.body}`);
    assert.match(res.headers["content-type"] ?? "", /^application\/json/, `${method} ${p}`);
    assert.deepEqual(JSON.parse(res.body), { detail: "Malformed URL path" }, `${method} ${p}`);
    assert.match(res.headers["cache-control"] ?? "", /no-store/, `${method} ${p}`);
  }
});

test("a page with a malformed path answers 400 with an HTML page", async () => {
  for (const p of ["/profile/%ff", "/%ff", "/login/%E0%A4%A", "/docs%ff"]) {
    const res = await raw("GET", p, { accept: "text/html" });
    assert.equal(res.status, 400, `${p}: ${res.status} ${res.body.slice(0, 200)}`);
    assert.match(res.headers["content-type"] ?? "", /^text\/html/, p);
    assert.match(res.body, /Malformed URL path/, p);
    assert.match(res.body, /href="\/"/, p);
    assert.equal(res.headers["x-content-type-options"], "nosniff", p);
  }
});

test("each refusal is one log line, and well-encoded paths are untouched", async () => {
  const marker = "/api/v1/users/%ff%fe-log-check";
  const before = server.output().length;
  await raw("GET", marker);
  await new Promise((r) => setTimeout(r, 200));
  const logged = server.output().slice(before).split("\n").filter((l) => l.includes("%ff%fe-log-check"));
  assert.equal(logged.length, 1, server.output().slice(before));
  assert.doesNotMatch(server.output().slice(before), /\n\s+at /, "no stack trace");

  // Valid percent-encoding still reaches the app: an encoded letter, an encoded multi-byte character.
  assert.equal((await raw("GET", "/api/v1/users/%4De")).status, 401);
  assert.equal((await raw("GET", "/api/v1/users/%E2%9C%93")).status, 401);
  assert.equal((await raw("GET", "/api/health")).status, 200);
  assert.equal((await raw("GET", "/login")).status, 200);
});
