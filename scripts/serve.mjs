/**
 * The production server process (started by scripts/start.ts): Next.js's request handler on a plain
 * node:http server, so that this process owns its shutdown. On SIGTERM or SIGINT it stops accepting
 * connections, lets in-flight requests finish (up to SHUTDOWN_GRACE_MS), runs the app's shutdown steps
 * (flush pending last-used times, close the database pool: lib/runtime/shutdown.ts) and exits 0.
 *
 * Before Next.js sees a request, this process also
 * - decides who the client is: the socket's address, or what trusted proxies (TRUST_PROXY) say in
 *   X-Forwarded-For/-Proto/-Host, and replaces those headers with that decision, so that nothing behind
 *   it (lib/http/client.ts, Auth.js, the HSTS header rule, the same-origin check) can read a value a
 *   client chose;
 * - answers what Next.js would answer with a 500, a bare 400 or not at all: a method it does not serve
 *   (TRACE, PROPFIND, FOO: 405 with Allow), a request target that is not a path (`*`: 400), a path whose
 *   percent-encoding does not decode (400), a request Node's parser refused (lib/http/request-line.mjs);
 * - refuses a body over its route family's limit with 413 before anything reads it, whether its length
 *   is declared, announced (Expect: 100-continue) or unknown (chunked: held until complete, up to the
 *   limit) (lib/http/body-limits.mjs, lib/http/held-body.mjs);
 * all of them in the API's JSON error shape under /api, a small page elsewhere (lib/http/refusal.mjs).
 *
 * Plain JavaScript on purpose: it runs without tsx, beside the compiled app in .next.
 * Usage: node scripts/serve.mjs <port> <hostname> [<TRUST_PROXY as parsed by lib/config/index.ts, in JSON>]
 *   [reuse-port: listen with SO_REUSEPORT, beside the other server processes of scripts/cluster.mjs]
 */
import cluster from "node:cluster";
import http from "node:http";
import path from "node:path";
import next from "next";
import { bodyLimitFor, describeLimit } from "../lib/http/body-limits.mjs";
import { BodyHoldingRequest } from "../lib/http/held-body.mjs";
import { answersInJson, refuse, refuseOnSocket } from "../lib/http/refusal.mjs";
import { originFormOf, pathOf, rawPathOf, requestLineOf, requestLineRefusal } from "../lib/http/request-line.mjs";
import { compileTrust, resolveForwarding } from "../lib/config/trust-proxy.mjs";

// Whatever this process creates (and the SQLite files it opens) stays owner-only, as in scripts/start.ts.
process.umask(0o077);

const SHUTDOWN_GRACE_MS = 10_000;
// lib/runtime/shutdown.ts keeps the app's shutdown steps here (a global, because the app is a separate bundle).
const HOOKS = Symbol.for("signin-system.shutdown-hooks");

const [portArg, hostname = "127.0.0.1", trustArg = "false", portSharing = "own-port"] = process.argv.slice(2);
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
function malformedPath(pathname) {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

const MALFORMED_PATH = {
  status: 400,
  detail: "Malformed URL path",
  explanation: "This address is not a valid URL: its percent-encoding does not decode.",
};

/** 413 for a body over its route family's limit (lib/http/body-limits.mjs); the body is never read. */
function bodyTooLarge(limit, pathname) {
  return {
    status: 413,
    title: "Request too large",
    detail: `Request body is larger than ${describeLimit(limit)}`,
    explanation: `This request's body is larger than ${describeLimit(limit)}, the most this address accepts.`,
    json: answersInJson(pathname),
    // The unread rest of the body is still on the connection: it cannot carry another request.
    headers: { connection: "close" },
  };
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

/**
 * Everything this process decides before Next.js sees a request, in order: the request line (method and
 * target), the path's encoding, the body's size, the client's address. `expectsContinue`: the client
 * waits for "100 Continue" before sending its body, which it gets only once the checks passed.
 */
async function serveRequest(req, res, expectsContinue) {
  const lineRefusal = requestLineRefusal(req.method, req.url);
  if (lineRefusal) return refuse(req, res, lineRefusal);
  req.url = originFormOf(req.url); // an absolute URL (`GET http://host/path`) becomes its path
  const pathname = pathOf(req.url);
  if (malformedPath(rawPathOf(req.url))) return refuse(req, res, { ...MALFORMED_PATH, json: answersInJson(pathname) });
  if (!req.headers.host) {
    // HTTP/1.1 requires Host (RFC 9112 §3.2: 400 without one); HTTP/1.0 may leave it out: this server's own.
    if (req.httpVersion !== "1.0") return refuse(req, res, { status: 400, detail: "Missing Host header", json: answersInJson(pathname) });
    req.headers.host = listeningHost;
  }

  const { limit } = bodyLimitFor(pathname);
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return refuse(req, res, bodyTooLarge(limit, pathname));
  if (expectsContinue) res.writeContinue();
  if (req.headers["transfer-encoding"] !== undefined) {
    // No length said: the body is held here until it ends within the limit, or refused once past it.
    const outcome = await new Promise((resolve) => {
      req.holdBody(limit).then(resolve);
      res.once("close", () => resolve("gone"));
    });
    if (outcome === "gone") return;
    if (outcome === "too-large") return refuse(req, res, bodyTooLarge(limit, pathname));
    req.releaseBody();
  }

  applyForwarding(req);
  await handle(req, res);
}

let inFlight = 0;
function onRequest(req, res, expectsContinue = false) {
  inFlight++;
  res.once("close", () => inFlight--);
  serveRequest(req, res, expectsContinue).catch((error) => {
    console.error(error);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end();
    }
  });
}

/** The Host of a request that named none (HTTP/1.0). */
const listeningHost = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;

const server = http.createServer(
  // requireHostHeader: a missing Host is answered in serveRequest, with a body saying so (Node's own 400 has none).
  { IncomingMessage: BodyHoldingRequest, ServerResponse: CoalescingResponse, requireHostHeader: false },
  onRequest,
);
// Expect: 100-continue: a body over the limit is refused before the client sends it.
server.on("checkContinue", (req, res) => onRequest(req, res, true));
// CONNECT (a tunnel) is not served; without a listener Node would drop the connection unanswered.
server.on("connect", (req, socket) => {
  const refusal = requestLineRefusal("CONNECT", req.url);
  if (refusal) refuseOnSocket(socket, refusal, `CONNECT ${req.url}`);
  else socket.destroy();
});
/**
 * A request Node's parser refused (a method it does not know, such as FOO or a lower-case `get`; a
 * malformed header; headers too large; too slow): answered like the others, with a body saying why,
 * where Node would write a bare status line.
 */
server.on("clientError", (error, socket) => {
  if (error.code === "ECONNRESET" || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const { method, target, line } = requestLineOf(error.rawPacket);
  const json = target !== null && answersInJson(pathOf(originFormOf(target) ?? "/"));
  let refusal = null;
  if (error.code === "HPE_HEADER_OVERFLOW") refusal = { status: 431, detail: "Request header fields too large", json };
  else if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") refusal = { status: 408, detail: "Request timeout", json };
  else if (error.code === "HPE_INVALID_METHOD" && method !== null) refusal = requestLineRefusal(method, target);
  refuseOnSocket(socket, refusal ?? { status: 400, detail: "Malformed request", json }, line || error.code);
});

await new Promise((resolve, reject) => {
  server.once("error", reject);
  // A socket of this process's own (exclusive: outside node:cluster's sharing), one of the port's
  // SO_REUSEPORT group; scripts/cluster.mjs says why.
  const reusePort = portSharing === "reuse-port";
  server.listen({ port, host: hostname, reusePort, exclusive: reusePort }, () => resolve(undefined));
});
// Under scripts/cluster.mjs: the primary counts the processes that listen.
if (cluster.isWorker) process.send?.({ serverListening: true });

let shuttingDown = false;
async function shutDown(signal) {
  if (shuttingDown) return; // a process group gets the signal twice (from the shell and the parent)
  shuttingDown = true;
  console.log(`${signal}: shutting down, finishing ${inFlight} in-flight request(s)…`);
  const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  // Keep-alive connections that go idle after close() would otherwise linger until their timeout.
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  // Connections the kernel already queued on this process's socket were sent before the stop: with a
  // socket per process (SO_REUSEPORT, scripts/cluster.mjs) closing it would reset them, so one turn of
  // the event loop accepts them first (libuv accepts every pending connection when the socket is readable).
  await new Promise((resolve) => setTimeout(resolve, 20));
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
