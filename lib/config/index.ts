/**
 * The only module that reads `process.env`. Every setting is validated with zod once, on first use;
 * a bad value stops start-up with a message that names the variable.
 */
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { parseTrustProxy, type TrustProxySetting } from "./trust-proxy.mjs";

const MIN_SECRET_BYTES = 32;
/** The lowest BCRYPT_COST for stored passwords; below it (down to bcrypt's own floor, 4) only for tests. */
export const MIN_BCRYPT_COST = 10;
const MIN_TEST_BCRYPT_COST = 4;

const secret = z
  .string()
  .refine((s) => Buffer.byteLength(s, "utf8") >= MIN_SECRET_BYTES, {
    message: `must be at least ${MIN_SECRET_BYTES} bytes long (try: openssl rand -base64 48)`,
  });

const emptyAsUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/**
 * An origin as browsers send it in `Origin`: scheme, host and port, no path. The template's values often
 * end in "/" (`http://localhost:5173/`), which it strips too.
 */
function toOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`"${value}" is not a URL (e.g. http://localhost:5173)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`"${value}" must be http or https`);
  if (url.pathname !== "/" || url.search || url.hash || url.username) {
    throw new Error(`"${value}" must be an origin only (scheme://host[:port]), without a path`);
  }
  return url.origin;
}

const origin = z.string().transform((raw, ctx) => {
  try {
    return toOrigin(raw);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

/** BACKEND_CORS_ORIGINS: `a,b` or `["a","b"]`, as the template's settings accept. */
function parseOriginList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const text = raw.trim();
  let items: unknown[];
  if (text.startsWith("[")) {
    try {
      items = JSON.parse(text) as unknown[];
    } catch {
      throw new Error("is not a valid JSON list (e.g. [\"http://localhost:5173\"])");
    }
    if (!Array.isArray(items) || !items.every((i) => typeof i === "string")) throw new Error("must be a JSON list of strings");
  } else items = text.split(",");
  return [...new Set((items as string[]).map((i) => i.trim()).filter(Boolean).map(toOrigin))];
}

/**
 * A boolean in the spellings the FastAPI template's settings accept (pydantic): True/False, true/false,
 * 1/0, yes/no, on/off, any case.
 */
const booleanSetting = (fallback: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(["true", "false", "1", "0", "yes", "no", "on", "off"], { message: "must be true or false (True/False, 1/0, yes/no, on/off)" }))
      .transform((v) => ["true", "1", "yes", "on"].includes(v))
      .optional()
      .transform((v) => v ?? fallback),
  );

/** Token lifetimes in hours; fractions allowed so tests can use links that expire in seconds. */
const hours = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(24 * 365).default(fallback));

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default(".data")),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^(file:|postgres(ql)?:\/\/)/, { message: "must start with file: (SQLite) or postgresql://" })
      .optional(),
  ),
  // PostgreSQL connections each instance keeps open at most (SQLite ignores it). Sum over all instances
  // must stay under the server's max_connections (100 by default).
  DATABASE_POOL_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(500).default(10)),
  AUTH_SECRET: z.preprocess(emptyAsUndefined, secret.optional()),
  AUTH_SECRET_PREVIOUS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))
      .pipe(z.array(secret))
      .default([]),
  ),
  ACCESS_TOKEN_EXPIRE_MINUTES: z.preprocess(
    emptyAsUndefined,
    // Fractions are allowed so tests can use tokens that live a few seconds.
    z.coerce.number().positive().max(60 * 24 * 365).default(30),
  ),
  // Refresh tokens (lib/accounts/refresh-tokens.ts): a family lives at most REFRESH_TOKEN_EXPIRE_DAYS from
  // its password login, and dies sooner when it goes unused for REFRESH_TOKEN_IDLE_DAYS. Fractions are
  // allowed so tests can use families that live a few seconds.
  REFRESH_TOKEN_EXPIRE_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(3650).default(30)),
  REFRESH_TOKEN_IDLE_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(3650).default(7)),
  // Access tokens are signed with an asymmetric key (lib/auth/signing-keys.ts): EdDSA (Ed25519) or ES256
  // (P-256). AUTH_SIGNING_KEY is the private key as a JWK or PEM (PKCS #8); without it, one is generated
  // in DATA_DIR on first start and reused.
  AUTH_SIGNING_ALG: z.preprocess(emptyAsUndefined, z.enum(["EdDSA", "ES256"]).optional()),
  AUTH_SIGNING_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
  // The app's public URL (Auth.js reads it too): the tokens' `iss` and the metadata's `issuer`. Without
  // it, the issuer is the URL the start-up banner prints (HOSTNAME and PORT), never a request's Host.
  AUTH_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  // 10 at least; 4 to 9 only with BCRYPT_ALLOW_TEST_COST (checked in parseConfig, which sees both).
  BCRYPT_COST: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number()
      .int()
      .min(MIN_TEST_BCRYPT_COST, { message: `must be at least ${MIN_BCRYPT_COST} (${MIN_TEST_BCRYPT_COST}, bcrypt's own floor, on test servers)` })
      .max(16)
      .default(12),
  ),
  // Test servers only: lets BCRYPT_COST go below 10 so a suite's thousands of hashes cost little CPU.
  // Start-up says so loudly (scripts/start.ts); never set it where real passwords are stored.
  BCRYPT_ALLOW_TEST_COST: booleanSetting(false),
  // Server processes `npm start` runs on the one port (scripts/cluster.mjs); one per core by default.
  WEB_CONCURRENCY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(256).optional()),
  // bcrypt worker threads per server process; by default `npm start` shares the cores out among them.
  BCRYPT_THREADS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(256).optional()),
  // Load shedding (lib/auth/bcrypt-pool.ts): how long a password check may wait for a bcrypt thread, and
  // how many may wait at once per process (by default what the threads get through in that time).
  BCRYPT_QUEUE_MAX_WAIT_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(600).default(5)),
  BCRYPT_QUEUE_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_000_000).optional()),
  // Brute-force throttling (lib/auth/throttle.ts). The defaults are the policy; tests shrink the delays.
  LOGIN_THROTTLE_WINDOW_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(86_400).default(900)),
  LOGIN_THROTTLE_BASE_DELAY_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(3600).default(30)),
  LOGIN_THROTTLE_MAX_DELAY_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(86_400).default(900)),
  LOGIN_THROTTLE_ACCOUNT_FAILURES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1000).default(10)),
  LOGIN_THROTTLE_ACCOUNT_HOURLY_MAX: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100).default(100)),
  LOGIN_THROTTLE_IP_FAILURES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100_000).default(100)),
  // How long the audit trail keeps events (lib/db/maintenance.ts prunes older ones).
  AUDIT_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3650).default(90)),
  FIRST_SUPERUSER: z.preprocess(emptyAsUndefined, z.email().default("admin@example.com")),
  FIRST_SUPERUSER_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(8).optional()),
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(65535).default(3000)),
  HOSTNAME: z.preprocess(emptyAsUndefined, z.string().default("127.0.0.1")),
  // Which peers may speak for the client in X-Forwarded-For/-Proto/-Host (lib/config/trust-proxy.mjs):
  // none by default, so a client cannot choose its own address, protocol or host.
  TRUST_PROXY: z.string().optional().transform((raw, ctx): TrustProxySetting => {
    try {
      return parseTrustProxy(raw);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  }),
  // A generic OpenID Connect provider for the browser sign-in; on when issuer, id and secret are set.
  AUTH_OIDC_ISSUER: z.preprocess(emptyAsUndefined, z.url().optional()),
  AUTH_OIDC_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().optional()),
  AUTH_OIDC_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
  AUTH_OIDC_NAME: z.preprocess(emptyAsUndefined, z.string().max(60).default("OpenID Connect")),
  // Whether a provider sign-in whose ID token says (`amr`) that the provider checked several factors
  // counts as this app's second factor too (docs/mfa.md). False: accounts with a second factor always
  // give it after a provider sign-in.
  AUTH_OIDC_TRUST_AMR: booleanSetting(true),
  // Whether the token endpoint takes the password followed by the current TOTP code in its password field,
  // for clients that know only the password form (the template's frontend; docs/mfa.md).
  AUTH_MFA_CODE_IN_PASSWORD: booleanSetting(true),
  // Which accounts must have a second factor (docs/mfa.md): those without are sent to enrol at sign-in.
  MFA_REQUIRED: z.preprocess(
    (v) => (typeof v === "string" ? emptyAsUndefined(v.trim().toLowerCase()) : v),
    z.enum(["off", "superusers", "all"], { message: "must be off, superusers or all" }).default("off"),
  ),
  // Browser origins allowed to call the API from other pages (lib/http/cors.ts), as the FastAPI template
  // reads them: FRONTEND_HOST (the frontend's URL; also the base of links in mails) and
  // BACKEND_CORS_ORIGINS, comma-separated or a JSON list. None set: no cross-origin access at all.
  FRONTEND_HOST: z.preprocess(emptyAsUndefined, origin.optional()),
  BACKEND_CORS_ORIGINS: z.preprocess(emptyAsUndefined, z.string().optional()).transform((raw, ctx) => {
    try {
      return parseOriginList(raw);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  }),
  // Mail (lib/mail/): SMTP as the FastAPI template configures it; without SMTP_HOST, the outbox folder.
  SMTP_HOST: z.preprocess(emptyAsUndefined, z.string().optional()),
  SMTP_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(65535).default(587)),
  SMTP_USER: z.preprocess(emptyAsUndefined, z.string().optional()),
  SMTP_PASSWORD: z.preprocess(emptyAsUndefined, z.string().optional()),
  SMTP_TLS: booleanSetting(true),
  SMTP_SSL: booleanSetting(false),
  EMAILS_FROM_EMAIL: z.preprocess(emptyAsUndefined, z.email().optional()),
  EMAILS_FROM_NAME: z.preprocess(emptyAsUndefined, z.string().max(100).default("Sign-in system")),
  EMAIL_RESET_TOKEN_EXPIRE_HOURS: hours(1),
  EMAIL_VERIFY_TOKEN_EXPIRE_HOURS: hours(48),
  EMAIL_INVITE_TOKEN_EXPIRE_HOURS: hours(72),
  // An email change: the link to the new address confirms it; the one to the old address undoes it (and
  // signs out everywhere) for longer, so an owner who reads mail late can still take the account back.
  EMAIL_CHANGE_TOKEN_EXPIRE_HOURS: hours(24),
  EMAIL_CHANGE_CANCEL_EXPIRE_HOURS: hours(168),
  // "Sudo mode" (lib/accounts/reauthentication.ts): how long a fresh proof of the password lets a token make
  // sensitive changes (email, password, deleting the account, unlinking a sign-in method).
  REAUTH_MAX_AGE_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(1440).default(10)),
  EMAIL_VERIFICATION: z.preprocess(
    (v) => (typeof v === "string" ? emptyAsUndefined(v.trim().toLowerCase()) : v),
    z.enum(["off", "optional", "required"]).default("optional"),
  ),
  // Answers as the FastAPI template's backend gives them, for its frontend and its own test suite
  // (docs/fastapi-template.md): relaxes the rules listed in `Config.templateCompat`. Off by default.
  API_COMPAT: z.preprocess(
    (v) => (typeof v === "string" ? emptyAsUndefined(v.trim().toLowerCase()) : v),
    z.enum(["none", "fastapi-template"], { message: "must be none or fastapi-template" }).default("none"),
  ),
  // The template's own variable, read (and checked) only with API_COMPAT=fastapi-template, so that a value
  // a platform sets for its own purposes stops nothing else: `local` (its default) also serves its
  // local-only `POST /private/users/`.
  ENVIRONMENT: z.preprocess(
    (v) => (typeof v === "string" ? emptyAsUndefined(v.trim().toLowerCase()) : v),
    z.string().default("local"),
  ),
});

const TEMPLATE_ENVIRONMENTS = ["local", "staging", "production"] as const;
type TemplateEnvironment = (typeof TEMPLATE_ENVIRONMENTS)[number];

export type Env = z.infer<typeof EnvSchema>;

export type Config = {
  nodeEnv: Env["NODE_ENV"];
  dataDir: string;
  databaseUrl: string;
  databaseProvider: "sqlite" | "postgresql";
  /** Absolute path of the SQLite file, when the database is SQLite. */
  sqlitePath: string | null;
  /** Most PostgreSQL connections this process opens. */
  databasePoolSize: number;
  authSecret: string | undefined;
  authSecretPrevious: string[];
  accessTokenTtlSeconds: number;
  /** A refresh-token family's whole life, from its password login. */
  refreshTokenTtlSeconds: number;
  /** A refresh token unused this long expires (never beyond its family's life). */
  refreshTokenIdleSeconds: number;
  /** AUTH_SIGNING_ALG; null: the given key's own, or EdDSA for a generated one. */
  signingAlg: "EdDSA" | "ES256" | null;
  /** AUTH_SIGNING_KEY as given (JWK or PEM); parsed by lib/auth/signing-keys.ts. */
  signingKey: string | undefined;
  /** The origin of AUTH_URL, when set. */
  publicUrl: string | null;
  /**
   * Where this process listens, as the start-up banner prints it: `http://<HOSTNAME>:<PORT>`, with
   * "localhost" for a loopback or wildcard address.
   */
  listenUrl: string;
  /**
   * The `iss` of every access token, checked on every one presented, and the metadata's `issuer`:
   * AUTH_URL's origin, else `listenUrl`. From the configuration only, so no request can choose it.
   */
  issuer: string;
  bcryptCost: number;
  /** BCRYPT_ALLOW_TEST_COST: a test server, whose BCRYPT_COST may be below MIN_BCRYPT_COST. */
  bcryptTestCostAllowed: boolean;
  /** Server processes `npm start` runs (WEB_CONCURRENCY; default one per core). */
  webConcurrency: number;
  /** bcrypt threads of this process (BCRYPT_THREADS); null: one per core (lib/auth/bcrypt-pool.ts). */
  bcryptThreads: number | null;
  /** BCRYPT_QUEUE_MAX_WAIT_SECONDS and BCRYPT_QUEUE_LIMIT (null: derived from the threads and the hash time). */
  bcryptQueue: { maxWaitSeconds: number; limit: number | null };
  firstSuperuser: string;
  throttle: {
    windowSeconds: number;
    baseDelaySeconds: number;
    maxDelaySeconds: number;
    accountFailures: number;
    accountHourlyMax: number;
    ipFailures: number;
  };
  firstSuperuserPassword: string | undefined;
  auditRetentionDays: number;
  /** REAUTH_MAX_AGE_MINUTES: how long a re-authentication lets a token make sensitive changes. */
  reauthMaxAgeSeconds: number;
  port: number;
  hostname: string;
  /** TRUST_PROXY, parsed; applied to every request by the server process (scripts/serve.mjs). */
  trustProxy: TrustProxySetting;
  oidc: { issuer: string; clientId: string; clientSecret: string; name: string; trustAmr: boolean } | null;
  /** MFA_REQUIRED: whose accounts must enrol a second factor before they may do anything else. */
  mfaRequired: "off" | "superusers" | "all";
  /** AUTH_MFA_CODE_IN_PASSWORD: the token endpoint accepts `<password><6-digit TOTP code>` as the password. */
  mfaCodeInPassword: boolean;
  /** FRONTEND_HOST as an origin, when set. */
  frontendHost: string | undefined;
  /** Origins allowed cross-origin access to the API: FRONTEND_HOST and BACKEND_CORS_ORIGINS. */
  corsOrigins: string[];
  mail: {
    /** Null: no SMTP_HOST, every message goes to `outboxDir` as an .eml file. */
    smtp: { host: string; port: number; user?: string; password?: string; tls: boolean; ssl: boolean } | null;
    outboxDir: string;
    from: { email: string; name: string };
    resetTokenTtlSeconds: number;
    verifyTokenTtlSeconds: number;
    inviteTokenTtlSeconds: number;
    emailChangeTokenTtlSeconds: number;
    emailChangeCancelTtlSeconds: number;
    /**
     * "required": password sign-in, the token endpoint and session-token refuse unverified accounts;
     * "off": sign-up mails no verification link (as the FastAPI template), nothing is refused.
     */
    verification: "off" | "optional" | "required";
  };
  /**
   * API_COMPAT=fastapi-template: what it changes, one flag each (all false without it). lib/api/compat.ts
   * reshapes the answers; the services read the rest.
   */
  templateCompat: {
    /** Any: API_COMPAT=fastapi-template is set. */
    enabled: boolean;
    /** Sign-up and `POST /users/` answer 200 (not 201), and 400 (not 409) for a taken email. */
    templateStatuses: boolean;
    /** `PATCH /users/me/password` checks the current password before refusing the same password again. */
    currentPasswordFirst: boolean;
    /** A sign-in counts as a re-authentication for REAUTH_MAX_AGE_MINUTES after it ("sudo mode" from the login). */
    signInCountsAsReauthentication: boolean;
    /** `PATCH /users/me` changes the email at once (409 when taken) instead of mailing a confirmation link. */
    emailChangeAtOnce: boolean;
    /** `POST /private/users/` exists: API_COMPAT=fastapi-template and ENVIRONMENT=local, as in the template. */
    privateUsers: boolean;
    /** ENVIRONMENT, the template's variable (local, staging, production). */
    environment: TemplateEnvironment;
  };
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses an environment; exported so tests can check validation without touching process.env. */
export function parseConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "environment"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const oidcParts = [e.AUTH_OIDC_ISSUER, e.AUTH_OIDC_CLIENT_ID, e.AUTH_OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    throw new ConfigError(
      "Invalid configuration:\n  AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET must be set together",
    );
  }
  if (e.SMTP_HOST && !e.EMAILS_FROM_EMAIL) {
    throw new ConfigError(
      "Invalid configuration:\n  EMAILS_FROM_EMAIL: must be set with SMTP_HOST (the address mail is sent from)",
    );
  }
  if (e.SMTP_PASSWORD && !e.SMTP_USER) {
    throw new ConfigError("Invalid configuration:\n  SMTP_USER: must be set with SMTP_PASSWORD");
  }
  if (e.BCRYPT_COST < MIN_BCRYPT_COST && !e.BCRYPT_ALLOW_TEST_COST) {
    throw new ConfigError(
      `Invalid configuration:\n  BCRYPT_COST: must be at least ${MIN_BCRYPT_COST} (weaker hashes are refused; ` +
        "BCRYPT_ALLOW_TEST_COST=true allows 4 to 9 on test servers only)",
    );
  }
  const dataDir = path.resolve(cwd, e.DATA_DIR);
  const databaseUrl = e.DATABASE_URL ?? `file:${path.join(dataDir, "app.db")}`;
  const isSqlite = databaseUrl.startsWith("file:");
  const sqliteRaw = isSqlite ? databaseUrl.slice("file:".length).replace(/\?.*$/, "") : null;
  return {
    nodeEnv: e.NODE_ENV,
    dataDir,
    databaseUrl,
    databaseProvider: isSqlite ? "sqlite" : "postgresql",
    sqlitePath: sqliteRaw === null ? null : path.resolve(cwd, sqliteRaw),
    databasePoolSize: e.DATABASE_POOL_SIZE,
    authSecret: e.AUTH_SECRET,
    authSecretPrevious: e.AUTH_SECRET_PREVIOUS,
    accessTokenTtlSeconds: Math.max(1, Math.round(e.ACCESS_TOKEN_EXPIRE_MINUTES * 60)),
    refreshTokenTtlSeconds: Math.max(1, Math.round(e.REFRESH_TOKEN_EXPIRE_DAYS * 86_400)),
    refreshTokenIdleSeconds: Math.max(
      1,
      Math.round(Math.min(e.REFRESH_TOKEN_IDLE_DAYS, e.REFRESH_TOKEN_EXPIRE_DAYS) * 86_400),
    ),
    signingAlg: e.AUTH_SIGNING_ALG ?? null,
    signingKey: e.AUTH_SIGNING_KEY,
    publicUrl: e.AUTH_URL ? new URL(e.AUTH_URL).origin : null,
    listenUrl: listenUrl(e.HOSTNAME, e.PORT),
    issuer: e.AUTH_URL ? new URL(e.AUTH_URL).origin : listenUrl(e.HOSTNAME, e.PORT),
    bcryptCost: e.BCRYPT_COST,
    bcryptTestCostAllowed: e.BCRYPT_ALLOW_TEST_COST,
    webConcurrency: e.WEB_CONCURRENCY ?? os.availableParallelism(),
    bcryptThreads: e.BCRYPT_THREADS ?? null,
    bcryptQueue: { maxWaitSeconds: e.BCRYPT_QUEUE_MAX_WAIT_SECONDS, limit: e.BCRYPT_QUEUE_LIMIT ?? null },
    firstSuperuser: e.FIRST_SUPERUSER.toLowerCase(),
    throttle: {
      windowSeconds: e.LOGIN_THROTTLE_WINDOW_SECONDS,
      baseDelaySeconds: e.LOGIN_THROTTLE_BASE_DELAY_SECONDS,
      maxDelaySeconds: Math.max(e.LOGIN_THROTTLE_MAX_DELAY_SECONDS, e.LOGIN_THROTTLE_BASE_DELAY_SECONDS),
      accountFailures: e.LOGIN_THROTTLE_ACCOUNT_FAILURES,
      accountHourlyMax: e.LOGIN_THROTTLE_ACCOUNT_HOURLY_MAX,
      ipFailures: e.LOGIN_THROTTLE_IP_FAILURES,
    },
    firstSuperuserPassword: e.FIRST_SUPERUSER_PASSWORD,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    reauthMaxAgeSeconds: Math.max(1, Math.round(e.REAUTH_MAX_AGE_MINUTES * 60)),
    port: e.PORT,
    hostname: e.HOSTNAME,
    trustProxy: e.TRUST_PROXY,
    oidc:
      e.AUTH_OIDC_ISSUER && e.AUTH_OIDC_CLIENT_ID && e.AUTH_OIDC_CLIENT_SECRET
        ? {
            issuer: e.AUTH_OIDC_ISSUER,
            clientId: e.AUTH_OIDC_CLIENT_ID,
            clientSecret: e.AUTH_OIDC_CLIENT_SECRET,
            name: e.AUTH_OIDC_NAME,
            trustAmr: e.AUTH_OIDC_TRUST_AMR,
          }
        : null,
    mfaRequired: e.MFA_REQUIRED,
    mfaCodeInPassword: e.AUTH_MFA_CODE_IN_PASSWORD,
    frontendHost: e.FRONTEND_HOST,
    corsOrigins: [...new Set([...(e.FRONTEND_HOST ? [e.FRONTEND_HOST] : []), ...e.BACKEND_CORS_ORIGINS])],
    mail: {
      smtp: e.SMTP_HOST
        ? { host: e.SMTP_HOST, port: e.SMTP_PORT, user: e.SMTP_USER, password: e.SMTP_PASSWORD, tls: e.SMTP_TLS, ssl: e.SMTP_SSL }
        : null,
      outboxDir: path.join(dataDir, "outbox"),
      from: { email: e.EMAILS_FROM_EMAIL ?? "no-reply@localhost", name: e.EMAILS_FROM_NAME },
      resetTokenTtlSeconds: Math.max(1, Math.round(e.EMAIL_RESET_TOKEN_EXPIRE_HOURS * 3600)),
      verifyTokenTtlSeconds: Math.max(1, Math.round(e.EMAIL_VERIFY_TOKEN_EXPIRE_HOURS * 3600)),
      inviteTokenTtlSeconds: Math.max(1, Math.round(e.EMAIL_INVITE_TOKEN_EXPIRE_HOURS * 3600)),
      emailChangeTokenTtlSeconds: Math.max(1, Math.round(e.EMAIL_CHANGE_TOKEN_EXPIRE_HOURS * 3600)),
      emailChangeCancelTtlSeconds: Math.max(1, Math.round(e.EMAIL_CHANGE_CANCEL_EXPIRE_HOURS * 3600)),
      verification: e.EMAIL_VERIFICATION,
    },
    templateCompat: templateCompatOf(e.API_COMPAT, e.ENVIRONMENT),
  };
}

function templateCompatOf(mode: Env["API_COMPAT"], environmentSetting: string): Config["templateCompat"] {
  const on = mode === "fastapi-template";
  const environment = TEMPLATE_ENVIRONMENTS.find((e) => e === environmentSetting);
  if (on && !environment) {
    throw new ConfigError("Invalid configuration:\n  ENVIRONMENT: must be local, staging or production (with API_COMPAT=fastapi-template)");
  }
  return {
    enabled: on,
    templateStatuses: on,
    currentPasswordFirst: on,
    signInCountsAsReauthentication: on,
    emailChangeAtOnce: on,
    privateUsers: on && environment === "local",
    environment: environment ?? "local",
  };
}

/** `http://host:port` for a listening address; loopback and wildcard addresses read "localhost". */
function listenUrl(hostname: string, port: number): string {
  const shown = ["0.0.0.0", "::", "127.0.0.1", "::1"].includes(hostname) ? "localhost" : hostname;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

/** A database URL fit for a log line: the password masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

let cached: Config | undefined;

/** The process's configuration, validated on first use. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
