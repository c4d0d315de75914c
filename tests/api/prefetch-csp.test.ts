/**
 * Every HTML page carries the nonce Content-Security-Policy, prefetches included: a browser keeps a
 * prefetched page and shows it on navigation, so one served without the policy would run without it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startServer, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

const PREFETCH_HEADERS: Record<string, string>[] = [
  {},
  { purpose: "prefetch" },
  { "sec-purpose": "prefetch" },
  { "next-router-prefetch": "1" },
  { purpose: "prefetch", "next-router-prefetch": "1" },
];

test("pages fetched as prefetches carry the CSP, and their scripts its nonce", async () => {
  for (const page of ["/", "/login", "/signup", "/profile", "/docs"]) {
    for (const headers of PREFETCH_HEADERS) {
      const label = `${page} ${JSON.stringify(headers)}`;
      const res = await fetch(`${server.url}${page}`, { headers: { accept: "text/html", ...headers } });
      assert.equal(res.status, 200, label);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/, label);
      const csp = res.headers.get("content-security-policy") ?? "";
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      assert.ok(nonce, `${label}: CSP ${JSON.stringify(csp)}`);
      assert.match(csp, /frame-ancestors 'none'/, label);
      const html = await res.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      assert.ok(scripts.length > 0, label);
      for (const tag of scripts) assert.ok(tag.includes(`nonce="${nonce}"`), `${label}: ${tag}`);
    }
  }
});
