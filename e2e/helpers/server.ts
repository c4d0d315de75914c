/**
 * A dedicated production server for one spec, started the way a user starts it (`node --import tsx scripts/start.ts`),
 * for tests that need their own environment (a short token life, an OpenID Connect provider) or that
 * stop and start the server. Its own free port on 127.0.0.1, its own temporary data folder, its own
 * process group (so stopping it reaches the server process too). `restart()` keeps the port and the data
 * folder: the database and the generated signing secret must carry over.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, productionServerEnv, START_ARGS, stopGroup } from "../../tests/helpers/processes";

export { freePort };

const root = path.resolve(__dirname, "..", "..");

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

const serverEnv = (port: number, dataDir: string, overrides: Env) =>
  productionServerEnv({ port, dataDir, admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }, overrides);

/** Starts a production server with `env` on top of the defaults above (port from `options.port` or free). */
export async function startAppServer(env: Env = {}, options: { port?: number } = {}): Promise<AppServer> {
  const port = options.port ?? (await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-e2e-dedicated-"));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = "";

  const start = async () => {
    const proc = spawn(process.execPath, START_ARGS, {
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
    await stopGroup(proc);
    throw new Error(`The server was not healthy after 120 s:\n${output}`);
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (proc) await stopGroup(proc);
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
