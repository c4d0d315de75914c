/**
 * TRUST_PROXY: which peers may speak for the client in X-Forwarded-For, X-Forwarded-Proto and
 * X-Forwarded-Host. The rules are Express's `trust proxy` ones, through the library Express uses
 * (proxy-addr): off by default; `true` trusts every hop; a number N trusts the N nearest hops; a
 * comma-separated list trusts those addresses and CIDR ranges (IPv4 and IPv6, and proxy-addr's names
 * `loopback`, `linklocal`, `uniquelocal`).
 *
 * Plain JavaScript so that both lib/config/index.ts (which validates the setting) and scripts/serve.mjs (which
 * applies it to every request, and runs without a TypeScript loader) use this one definition.
 */
import net from "node:net";
import proxyaddr from "proxy-addr";

/** proxy-addr's names for address ranges. */
const PRESETS = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * Parses the TRUST_PROXY value into `false | true | number | string[]`; throws an Error whose message
 * says what is wrong.
 * @param {string | undefined} raw
 */
export function parseTrustProxy(raw) {
  const value = (raw ?? "").trim();
  if (value === "" || value.toLowerCase() === "false") return false;
  if (value.toLowerCase() === "true") return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 32) throw new Error("a hop count must be at most 32");
    return hops === 0 ? false : hops;
  }
  const list = value.split(",").map((s) => s.trim()).filter(Boolean);
  try {
    // proxy-addr would also take inet_aton shorthands ("1" is 0.0.0.1): only written-out addresses here.
    const loose = list.find((entry) => !PRESETS.has(entry) && net.isIP(entry.split("/")[0]) === 0);
    if (loose) throw new Error(`invalid IP address: ${loose}`);
    proxyaddr.compile(list);
  } catch (error) {
    throw new Error(
      "must be true, false, a hop count, or a comma-separated list of proxy addresses and CIDR ranges " +
        `(or loopback, linklocal, uniquelocal): ${error instanceof Error ? error.message : error}`,
    );
  }
  return list;
}

/**
 * The trust function for proxy-addr: (address, hop index from the right, 0 = the socket's peer) → trusted?
 * @param {false | true | number | string[]} setting
 * @returns {(address: string, hop: number) => boolean}
 */
export function compileTrust(setting) {
  if (setting === true) return () => true;
  if (typeof setting === "number") return (_address, hop) => hop < setting;
  if (Array.isArray(setting)) return proxyaddr.compile(setting);
  return () => false;
}

/** "::ffff:192.0.2.1" (an IPv4 client on a dual-stack socket) as "192.0.2.1". */
const unmap = (address) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address);

/** The first value of a comma-separated header (what the proxy nearest the client wrote), or null. */
function firstValue(value) {
  const text = Array.isArray(value) ? value[0] : value;
  const first = text?.split(",")[0]?.trim();
  return first || null;
}

/**
 * What the request's forwarding headers may be believed to say, under `trust`:
 * - `clientAddress`: walking X-Forwarded-For from the right (the socket's peer first), the first address
 *   that is not trusted, or the furthest one when all are (proxy-addr's rule); the socket's address when
 *   the peer is not trusted, whatever the client wrote.
 * - `proto`, `host`, `port`: X-Forwarded-Proto/-Host/-Port, only when the socket's peer is trusted (as
 *   Express reads them), and only when well-formed; otherwise null.
 * @param {import("node:http").IncomingMessage} req
 * @param {(address: string, hop: number) => boolean} trust
 */
export function resolveForwarding(req, trust) {
  const peer = req.socket.remoteAddress ?? "";
  const peerTrusted = peer !== "" && trust(peer, 0);
  // [socket's peer, X-Forwarded-For right to left…], as far as trust reaches.
  const chain = peerTrusted ? proxyaddr.all(req, trust) : [peer];
  let clientAddress = peer;
  // A trusted proxy relays what is left of the header as it came: skip anything there that is not an address.
  for (let i = chain.length - 1; i >= 0; i--) {
    if (net.isIP(chain[i])) {
      clientAddress = chain[i];
      break;
    }
  }
  if (!peerTrusted) return { clientAddress: unmap(clientAddress), proto: null, host: null, port: null };
  const proto = firstValue(req.headers["x-forwarded-proto"])?.toLowerCase() ?? null;
  const host = firstValue(req.headers["x-forwarded-host"]);
  const port = firstValue(req.headers["x-forwarded-port"]);
  return {
    clientAddress: unmap(clientAddress),
    proto: proto === "http" || proto === "https" ? proto : null,
    host: host && host.length <= 255 && /^[a-z0-9.\-_]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(host) ? host : null,
    port: port && /^\d{1,5}$/.test(port) ? port : null,
  };
}
