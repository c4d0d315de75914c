/**
 * Work a request starts but does not wait for (sending mail): the answer goes out at once, so its
 * timing and content never depend on the work, and the work's failures are its own to log. Pending work
 * is finished, for a bounded time, before the server process closes the database on shutdown.
 */
import { after } from "next/server";
import { onShutdown } from "./shutdown";

const pending = new Set<Promise<void>>();

/** How long shutdown waits for pending work before closing the database under it. */
const SHUTDOWN_WAIT_MS = 20_000;

/**
 * Starts after the response has gone out (Next.js's `after`): database work on SQLite runs on the thread
 * that writes the response, so starting at once would delay the answer by the work's cost. (Rendering and
 * delivering mail run on the mail thread, lib/mail/mail-thread.ts, so they delay neither the answer nor
 * the next request.) Outside a request (scripts, tests of services) it starts at once.
 */
function whenAnswered(): Promise<void> {
  return new Promise((resolve) => {
    try {
      after(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** Runs `task` without making the caller wait; an error is logged under `label`, never thrown. */
export function runInBackground(label: string, task: () => Promise<unknown>): void {
  const run: Promise<void> = whenAnswered()
    .then(task)
    .then(
      () => {},
      (error) => console.error(`${label} failed:`, error instanceof Error ? error.message : error),
    )
    .finally(() => pending.delete(run));
  pending.add(run);
}

/** Resolves when everything started so far has finished (or `timeoutMs` passed). */
export async function backgroundSettled(timeoutMs = SHUTDOWN_WAIT_MS): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all([...pending]),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

// Before the database closes (order 100): pending work may still write audit rows.
onShutdown("send queued mail", () => backgroundSettled(), 10);
