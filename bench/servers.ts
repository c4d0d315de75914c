/**
 * What the benchmark (bench/run.ts) and the profiler (bench/profile.ts) share: where results go,
 * starting a server in its own process group and waiting for it, signing a user up and in, autocannon
 * as a promise, and the commit the figures belong to. Importing it starts nothing.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";

export const root = path.resolve(import.meta.dirname, "..");

/**
 * Where runs write their JSON: outside the repository, so that a run changes no tracked file.
 * `--results-dir=…`, else `$BENCH_RESULTS_DIR`, else `~/.cache/signin-system/bench` (under
 * `$XDG_CACHE_HOME` when set). The profiler writes to its `profiles/` folder.
 */
export const resultsDir = path.resolve(
  process.argv.find((a) => a.startsWith("--results-dir="))?.slice("--results-dir=".length) ||
    process.env.BENCH_RESULTS_DIR ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "signin-system", "bench"),
);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A command in its own process group (so one signal stops all of it), its output collected. */
export function spawnGroup(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  let log = "";
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  return { child, log: () => log };
}

/** Waits until `check` says yes (errors count as "not yet"); throws, with the output, if `child` exits or 180 s pass. */
export async function waitUntil(what: string, child: ChildProcess, log: () => string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited early:\n${log()}`);
    try {
      if (await check()) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${what} was not ready after 180 s:\n${log()}`);
}

/** Creates an account through the public sign-up endpoint (ours; the reference has none). */
export async function signUp(url: string, email: string, password: string): Promise<void> {
  const response = await fetch(`${url}/api/v1/users/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, full_name: "Bench" }),
  });
  if (response.status !== 201) throw new Error(`signup at ${url}: ${response.status} ${await response.text()}`);
}

/** The password login's form body, as the bench's login phases send it too. */
export const loginForm = (username: string, password: string) => ({
  method: "POST" as const,
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ username, password }).toString(),
});

/** Logs in (ours or the reference: the same endpoint) and checks the token on users/me before returning it. */
export async function logIn(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/login/access-token`, loginForm(email, password));
  if (response.status !== 200) throw new Error(`login at ${url}: ${response.status} ${await response.text()}`);
  const { access_token: token } = (await response.json()) as { access_token: string };
  const me = await fetch(`${url}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } });
  if (me.status !== 200) throw new Error(`users/me at ${url}: ${me.status} ${await me.text()}`);
  return token;
}

export type Load = { done: Promise<autocannon.Result>; stop: () => void };

/** An autocannon run: its result when it ends, and a way to end it early. */
export function load(options: autocannon.Options): Load {
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
  return { done, stop: () => instance?.stop() };
}

/** The commit measured, and whether the working tree differed from it; null outside a git checkout. */
export function gitInfo(): { commit: string; dirty: boolean } | null {
  const run = (...a: string[]) => spawnSync("git", a, { cwd: root, encoding: "utf8" });
  const head = run("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return null;
  return { commit: head.stdout.trim(), dirty: run("status", "--porcelain").stdout.trim() !== "" };
}
