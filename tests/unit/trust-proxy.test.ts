/**
 * TRUST_PROXY: parsing (as lib/config/index.ts validates it) and the decision scripts/serve.mjs makes per
 * request, Express's rules: X-Forwarded-For is walked from the right, and only as far as trust goes.
 */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { test } from "node:test";
import { ConfigError, parseConfig } from "../../lib/config";
import { compileTrust, parseTrustProxy, resolveForwarding, type TrustProxySetting } from "../../lib/config/trust-proxy.mjs";

test("TRUST_PROXY values: off, true, a hop count, a list of addresses and CIDR ranges", () => {
  assert.equal(parseTrustProxy(undefined), false);
  assert.equal(parseTrustProxy(""), false);
  assert.equal(parseTrustProxy("false"), false);
  assert.equal(parseTrustProxy("0"), false);
  assert.equal(parseTrustProxy("true"), true);
  assert.equal(parseTrustProxy("2"), 2);
  assert.deepEqual(parseTrustProxy("10.0.0.0/8, 127.0.0.1,fd00::/8 ,loopback"), ["10.0.0.0/8", "127.0.0.1", "fd00::/8", "loopback"]);
  for (const bad of ["yes", "10.0.0.0/33", "300.1.1.1", "nginx", "1,2", "-1", "1000"]) {
    assert.throws(() => parseTrustProxy(bad), Error, bad);
  }
});

test("a bad TRUST_PROXY stops start-up naming the variable", () => {
  assert.equal(parseConfig({}).trustProxy, false);
  assert.deepEqual(parseConfig({ TRUST_PROXY: "10.1.2.3" }).trustProxy, ["10.1.2.3"]);
  assert.throws(() => parseConfig({ TRUST_PROXY: "the proxy" }), (e: unknown) => e instanceof ConfigError && /TRUST_PROXY/.test(e.message));
});

function decide(setting: TrustProxySetting, peer: string, headers: Record<string, string> = {}) {
  const req = { socket: { remoteAddress: peer }, connection: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
  return resolveForwarding(req, compileTrust(setting));
}

test("untrusted peers: the socket's address, and no forwarded protocol or host", () => {
  const headers = { "x-forwarded-for": "10.0.0.1", "x-forwarded-proto": "https", "x-forwarded-host": "evil.example" };
  assert.deepEqual(decide(false, "127.0.0.1", headers), { clientAddress: "127.0.0.1", proto: null, host: null, port: null });
  assert.deepEqual(decide(["10.0.0.0/8"], "192.0.2.1", headers).clientAddress, "192.0.2.1");
  assert.equal(decide(false, "::ffff:192.0.2.1").clientAddress, "192.0.2.1");
});

test("trusted peers: X-Forwarded-For from the right, as far as trust reaches", () => {
  const xff = { "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.2" };
  assert.equal(decide(["10.0.0.0/8"], "10.0.0.1", xff).clientAddress, "203.0.113.7");
  assert.equal(decide(1, "10.0.0.1", xff).clientAddress, "10.0.0.2");
  assert.equal(decide(2, "10.0.0.1", xff).clientAddress, "203.0.113.7");
  assert.equal(decide(true, "10.0.0.1", xff).clientAddress, "6.6.6.6");
  assert.equal(decide(["fd00::/8"], "fd00::1", { "x-forwarded-for": "2001:db8::5" }).clientAddress, "2001:db8::5");
  assert.equal(decide(["loopback"], "127.0.0.1", {}).clientAddress, "127.0.0.1");
  // What a trusted proxy passed on unchanged from the client but is no address is skipped.
  assert.equal(decide(true, "10.0.0.1", { "x-forwarded-for": "not-an-ip, 203.0.113.7" }).clientAddress, "203.0.113.7");
});

test("trusted peers: the first X-Forwarded-Proto and -Host, when well-formed", () => {
  const ok = decide(["loopback"], "127.0.0.1", { "x-forwarded-proto": "HTTPS, http", "x-forwarded-host": "app.example:8443, x" });
  assert.equal(ok.proto, "https");
  assert.equal(ok.host, "app.example:8443");
  const bad = decide(["loopback"], "127.0.0.1", { "x-forwarded-proto": "javascript", "x-forwarded-host": "a/b@evil" });
  assert.equal(bad.proto, null);
  assert.equal(bad.host, null);
});
