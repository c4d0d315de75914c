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

const root = path.resolve(import.meta.dirname, "..");

const app = next({ dev: false, dir: root, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

let inFlight = 0;
const server = http.createServer((req, res) => {
  inFlight++;
  res.once("close", () => inFlight--);
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
