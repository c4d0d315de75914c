/**
 * A dedicated production server for one spec, started the way a user starts it (`tsx scripts/start.ts`),
 * for tests that need their own environment (a short token life, an OpenID Connect provider) or that
 * stop and start the server. Its own free port on 127.0.0.1, its own temporary data folder, its own
 * process group (so stopping it reaches `next start` too). `restart()` keeps the port and the data
 * folder: the database and the generated signing secret must carry over.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(__filename);
const root = path.resolve(__dirname, "..", "..");
const tsxCli = require.resolve("tsx/cli");

export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "admin-password-e2e";

type Env = Record<string, string | undefined>;

export type AppServer = {
  url: string;
  port: number;
  dataDir: string;
  /** The SQLite file the server uses. */
  dbFile: string;
  /** Everything the server printed so far. */
  output: () => string;
  stop: () => Promise<void>;
  /** Stops, then starts again on the same port and data folder with the same environment. */
  restart: () => Promise<void>;
  /** Stops and removes the data folder. */
  close: () => Promise<void>;
};

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

function serverEnv(port: number, dataDir: string, overrides: Env): NodeJS.ProcessEnv {
  const env: Env = { ...process.env };
  // Nothing from the machine (or from the suite's own server) may leak into this one.
  for (const name of Object.keys(env)) {
    if (/^(AUTH_|DATABASE_URL$|DATA_DIR$|ACCESS_TOKEN_|FIRST_SUPERUSER|E2E_)/.test(name)) delete env[name];
  }
  Object.assign(env, {
    PORT: String(port),
    HOSTNAME: "127.0.0.1",
    DATA_DIR: dataDir,
    BCRYPT_COST: "10",
    FIRST_SUPERUSER: ADMIN_EMAIL,
    FIRST_SUPERUSER_PASSWORD: ADMIN_PASSWORD,
    ...overrides,
  });
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5000);
  await exited(child);
  // The start script exits once `next start` has; wait for stragglers of the group to free the port.
  for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  clearTimeout(timer);
  if (groupAlive(pid)) signal("SIGKILL");
}

/** Starts a production server with `env` on top of the defaults above (port from `options.port` or free). */
export async function startAppServer(env: Env = {}, options: { port?: number } = {}): Promise<AppServer> {
  const port = options.port ?? (await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-e2e-dedicated-"));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = "";

  const start = async () => {
    const proc = spawn(process.execPath, [tsxCli, "scripts/start.ts"], {
      cwd: root,
      env: serverEnv(port, dataDir, env),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    proc.stdout!.on("data", (d) => (output += d));
    proc.stderr!.on("data", (d) => (output += d));
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`The server exited (${proc.exitCode ?? proc.signalCode}) before it was healthy:\n${output}`);
      }
      try {
        if ((await fetch(`${url}/api/health`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await killGroup(proc);
    throw new Error(`The server was not healthy after 120 s:\n${output}`);
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (proc) await killGroup(proc);
  };

  try {
    await start();
  } catch (error) {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    port,
    dataDir,
    dbFile: path.join(dataDir, "app.db"),
    output: () => output,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    close: async () => {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
