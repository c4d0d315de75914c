/**
 * The production server process (started by scripts/start.ts): Next.js's request handler on a plain
 * node:http server, so that this process owns its shutdown. On SIGTERM or SIGINT it stops accepting
 * connections, lets in-flight requests finish (up to SHUTDOWN_GRACE_MS), runs the app's shutdown steps
 * (flush pending last-used times, close the database pool: lib/shutdown.ts) and exits 0.
 *
 * Before Next.js sees a request, this process also
 * - decides who the client is: the socket's address, or what trusted proxies (TRUST_PROXY) say in
 *   X-Forwarded-For/-Proto/-Host, and replaces those headers with that decision, so that nothing behind
 *   it (lib/http/client.ts, Auth.js, the HSTS header rule, the same-origin check) can read a value a
 *   client chose;
 * - answers a path whose percent-encoding does not decode with 400 (Next.js would answer 500).
 *
 * Plain JavaScript on purpose: it runs without tsx, beside the compiled app in .next.
 * Usage: node scripts/serve.mjs <port> <hostname> [<TRUST_PROXY as parsed by lib/config.ts, in JSON>]
 */
import http from "node:http";
import path from "node:path";
import next from "next";
import { compileTrust, resolveForwarding } from "../lib/http/trust-proxy.mjs";

// Whatever this process creates (and the SQLite files it opens) stays owner-only, as in scripts/start.ts.
process.umask(0o077);

const SHUTDOWN_GRACE_MS = 10_000;
// lib/shutdown.ts keeps the app's shutdown steps here (a global, because the app is a separate bundle).
const HOOKS = Symbol.for("signin-system.shutdown-hooks");

const [portArg, hostname = "127.0.0.1", trustArg = "false"] = process.argv.slice(2);
const port = Number(portArg);
const trust = compileTrust(JSON.parse(trustArg));

/** The headers that name the client, its protocol and host: only this process sets them for Next.js. */
const FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded"];

function applyForwarding(req) {
  const { clientAddress, proto, host, port: forwardedPort } = resolveForwarding(req, trust);
  for (const name of FORWARDING_HEADERS) delete req.headers[name];
  // One address, the decided one. The others, when absent, Next.js fills in from the socket and Host.
  req.headers["x-forwarded-for"] = clientAddress;
  if (proto) req.headers["x-forwarded-proto"] = proto;
  if (host) req.headers["x-forwarded-host"] = host;
  if (forwardedPort) req.headers["x-forwarded-port"] = forwardedPort;
}

/** True when the path's percent-encoding is not valid UTF-8 (`%ff`, a cut-off `%E0%A4%A`). */
function malformedPath(url) {
  const pathname = (url ?? "/").replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "").split("?")[0];
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

const BAD_PATH_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bad request · Sign-in system</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1f2328}
main{max-width:28rem;margin:15vh auto;padding:2rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}
h1{font-size:1.4rem;margin-top:0}a{color:#0969da}</style></head>
<body><main><h1>Malformed URL path</h1><p>This address is not a valid URL: its percent-encoding does not decode.</p>
<p><a href="/">Go to the home page</a></p></main></body></html>
`;

/** 400 for a path that does not decode: the API's JSON error shape under /api, a small page elsewhere. */
function refuseMalformedPath(req, res) {
  console.warn(`400 Malformed URL path: ${req.method} ${String(req.url).slice(0, 200)}`);
  const isApi = /^\/api(\/|$|\?)/.test(req.url ?? "");
  res.writeHead(400, {
    "content-type": isApi ? "application/json" : "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    ...(isApi ? {} : { "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" }),
  });
  res.end(isApi ? JSON.stringify({ detail: "Malformed URL path" }) : BAD_PATH_PAGE);
}

const root = path.resolve(import.meta.dirname, "..");

const app = next({ dev: false, dir: root, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

/**
 * Next.js sends a response's headers on their own (`res.flushHeaders()`) just before it writes the
 * body's first chunk, so every answer cost two writes to the socket, and two TCP segments, where one
 * does. Holding the socket's writes until the end of that tick sends the headers together with the
 * first chunk, and with the end of a body that is already complete (every API answer), in one write.
 * A streamed page still goes out chunk by chunk: only the headers wait, for the chunk that follows them.
 */
class CoalescingResponse extends http.ServerResponse {
  flushHeaders() {
    this.cork();
    process.nextTick(() => this.uncork());
    super.flushHeaders();
  }
}

let inFlight = 0;
const server = http.createServer({ ServerResponse: CoalescingResponse }, (req, res) => {
  inFlight++;
  res.once("close", () => inFlight--);
  if (malformedPath(req.url)) return refuseMalformedPath(req, res);
  applyForwarding(req);
  handle(req, res).catch((error) => {
    console.error(error);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end();
    }
  });
});

await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, hostname, () => resolve(undefined));
});

let shuttingDown = false;
async function shutDown(signal) {
  if (shuttingDown) return; // a process group gets the signal twice (from the shell and the parent)
  shuttingDown = true;
  console.log(`${signal}: shutting down, finishing ${inFlight} in-flight request(s)…`);
  const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  // Keep-alive connections that go idle after close() would otherwise linger until their timeout.
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  clearTimeout(force);
  clearInterval(idle);
  await app.close().catch((error) => console.error(error)); // runs Next.js's pending after() work
  const hooks = [...(globalThis[HOOKS]?.values() ?? [])].sort((a, b) => a.order - b.order);
  const done = [];
  for (const hook of hooks) {
    try {
      await hook.run();
      done.push(hook.name);
    } catch (error) {
      console.error(`shutdown: ${hook.name} failed:`, error instanceof Error ? error.message : error);
    }
  }
  console.log(`Stopped${done.length ? ` (${done.join(", ")})` : ""}.`);
  process.exit(0);
}
process.on("SIGTERM", () => void shutDown("SIGTERM"));
process.on("SIGINT", () => void shutDown("SIGINT"));
