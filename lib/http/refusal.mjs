/**
 * The answers the server process (scripts/serve.mjs) gives itself, before Next.js sees a request: a
 * path that does not decode, a body over its limit, a method or request target the app does not serve.
 * Under /api (and /.well-known) in the API's JSON error shape, `{"detail": ...}`; elsewhere a small HTML
 * page. One log line each, never a stack trace: these are the client's mistakes.
 *
 * Plain JavaScript: scripts/serve.mjs runs without a TypeScript loader.
 */
import http from "node:http";

/** True when the answer for this path is JSON (the API, Auth.js, the well-known documents). */
export function answersInJson(pathname) {
  return /^\/(api|\.well-known)(\/|$)/.test(pathname);
}

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, explanation) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Sign-in system</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1f2328}
main{max-width:28rem;margin:15vh auto;padding:2rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}
h1{font-size:1.4rem;margin-top:0}a{color:#0969da}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(explanation)}</p>
<p><a href="/">Go to the home page</a></p></main></body></html>
`;
}

/**
 * @typedef {{ status: number, detail: string, title?: string, explanation?: string, json: boolean, headers?: Record<string, string> }} Refusal
 */

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
};
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * A refusal's status, headers and body: `detail` is the JSON answer's, and the page's heading unless
 * `title` is given; `explanation` is the page's text (`detail` when absent).
 * @param {Refusal} refusal
 */
export function refusalResponse({ status, detail, title, explanation, json, headers = {} }) {
  const body = json ? JSON.stringify({ detail }) : page(title ?? detail, explanation ?? detail);
  return {
    status,
    headers: {
      "content-type": json ? "application/json" : "text/html; charset=utf-8",
      "content-length": String(Buffer.byteLength(body)),
      ...SECURITY_HEADERS,
      ...(json ? {} : { "content-security-policy": PAGE_POLICY }),
      ...headers,
    },
    body,
  };
}

/** Shortens what a client sent for the log: at most 200 characters, control characters escaped. */
export function forTheLog(text) {
  return JSON.stringify(String(text).slice(0, 200)).slice(1, -1);
}

/** How long a connection refused with its body unread keeps discarding what the client still sends. */
const LINGER_MS = 2000;

/**
 * Makes Node close `socket` after the response the way a server closes a connection whose request it
 * did not read to the end (nginx's "lingering close"): its side first (FIN), then, still discarding
 * what arrives, the rest once the client has closed or after LINGER_MS. Closed at once, with unread
 * data in its buffer, the kernel would reset the connection, and a client still sending its body would
 * see the reset (EPIPE, ECONNRESET) instead of the 413.
 * @param {import("node:net").Socket} socket
 */
function lingerBeforeClosing(socket) {
  // Node calls destroySoon() when a `Connection: close` response has been written (resOnFinish).
  socket.destroySoon = function destroyAfterLingering() {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    this.once("close", () => clearTimeout(timer));
  };
}

/**
 * Answers `res` with the refusal and logs one line. A request whose body is not read (a 413) closes
 * its connection (`Connection: close`): the rest of the body would otherwise be taken for the next request.
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 * @param {Refusal} refusal
 */
export function refuse(req, res, refusal) {
  console.warn(`${refusal.status} ${refusal.detail}: ${forTheLog(req.method)} ${forTheLog(req.url)}`);
  const { status, headers, body } = refusalResponse(refusal);
  if (headers.connection === "close" && req.socket) lingerBeforeClosing(req.socket);
  res.writeHead(status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * The same on a bare socket, for requests Node's parser refused before there was a response object
 * (`clientError`): written as raw HTTP/1.1, then the connection is closed.
 * @param {import("node:net").Socket} socket
 * @param {Refusal} refusal
 * @param {string} what the request line as far as it was read, for the log
 */
export function refuseOnSocket(socket, refusal, what) {
  console.warn(`${refusal.status} ${refusal.detail}: ${forTheLog(what)}`);
  const { status, headers, body } = refusalResponse(refusal);
  const head = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? "Error"}`, ...Object.entries({ ...headers, connection: "close" }).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${head.join("\r\n")}\r\n\r\n${body}`);
}
