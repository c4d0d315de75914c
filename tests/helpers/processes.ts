/**
 * Process plumbing shared by everything that starts a real production server for a test or a
 * benchmark (tests/helpers/server.ts, e2e/helpers/server.ts, bench/run.ts): a free port, and stopping a
 * server's whole process group (the start script, the server process scripts/serve.mjs and its workers).
 */
import type { ChildProcess } from "node:child_process";
import net from "node:net";

/** A port nobody listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the group, SIGKILL after 5 s; resolves once every member is gone and the port is free. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  signalGroup(pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), 5000);
  await exited(child);
  // The start script exits once the server process has; wait for stragglers of the group to free the port.
  for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  clearTimeout(timer);
  if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
}

/**
 * Variables of the developer's shell that would make a test or bench server depend on the machine
 * (its secret, database, data folder, token lifetime, first superuser, OpenID provider, proxy trust, the suite's
 * own settings). Dropped before the server's own settings are applied.
 */
const MACHINE_SPECIFIC = /^(AUTH_|DATABASE_|DATA_DIR$|ACCESS_TOKEN_|FIRST_SUPERUSER|TRUST_PROXY$|E2E_|TEST_DATABASE_URL$|NODE_TEST_CONTEXT$)/;

export type ServerSettings = {
  port: number;
  dataDir: string;
  /** The first superuser start-up creates. */
  admin: { email: string; password: string };
  /** A PostgreSQL database; SQLite in `dataDir` when absent. */
  databaseUrl?: string | null;
  bcryptCost?: number;
};

/** The environment for `scripts/start.ts`: the user's, minus the machine's, plus `settings` and `overrides`. */
export function productionServerEnv(
  settings: ServerSettings,
  overrides: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (MACHINE_SPECIFIC.test(name)) delete env[name];
  Object.assign(env, {
    PORT: String(settings.port),
    HOSTNAME: "127.0.0.1",
    DATA_DIR: settings.dataDir,
    ...(settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {}),
    BCRYPT_COST: String(settings.bcryptCost ?? 10),
    FIRST_SUPERUSER: settings.admin.email,
    FIRST_SUPERUSER_PASSWORD: settings.admin.password,
    ...overrides,
  });
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}
