import { PAGE_BODY_LIMIT } from "./lib/http/body-limits.mjs";

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The API answers with and without a trailing slash (the FastAPI template's client calls
  // `/api/v1/users/`), and a redirected CORS preflight fails in the browser. Pages keep one canonical
  // URL: proxy.ts redirects them.
  skipTrailingSlashRedirect: true,
  // Source maps for the server bundle (never served: they sit beside the server's own files in .next/server).
  // They let bench/profile.ts name our functions in a CPU profile, and `node --enable-source-maps`
  // turn a production stack trace back into lib/… and app/… lines. Build time only; the code is the same.
  // Server actions: the pages' body limit (lib/http/body-limits.mjs), which the server process
  // (scripts/serve.mjs) already applies to every page before Next.js reads a body; Next.js's default is 1 MB.
  experimental: { serverSourceMaps: true, serverActions: { bodySizeLimit: PAGE_BODY_LIMIT } },
  // Native and engine packages stay out of the bundle and load from node_modules at run time.
  // `npm test` type-checks the project (`npm run typecheck`: route types, then tsc on the same tsconfig)
  // just before it builds, and says so with BUILD_TYPECHECKED=1: the build then skips its own second
  // pass over the same files (about 20 s). A plain `npm run build` still type-checks.
  typescript: { ignoreBuildErrors: process.env.BUILD_TYPECHECKED === "1" },
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pg",
    "@prisma/client",
    // The PostgreSQL client generated from prisma/postgresql/schema.prisma (see lib/db/client.ts).
    ".prisma/client-postgresql",
    "bcryptjs",
  ],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
      {
        // HSTS only when the browser reached us over HTTPS (a TLS-terminating proxy says so in
        // X-Forwarded-Proto, which scripts/serve.mjs lets through only from a proxy TRUST_PROXY names): sent
        // over plain HTTP it would be ignored, and on localhost it would stick.
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "(?:.*,\\s*)?https(?:\\s*,.*)?" }],
        headers: [{ key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }],
      },
    ];
  },
};

export default nextConfig;
