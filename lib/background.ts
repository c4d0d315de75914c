/**
 * Work a request starts but does not wait for (sending mail): the answer goes out at once, so its
 * timing and content never depend on the work, and the work's failures are its own to log. Pending work
 * is finished, for a bounded time, before the server process closes the database on shutdown.
 */
import { onShutdown } from "./shutdown";

const pending = new Set<Promise<void>>();

/** How long shutdown waits for pending work before closing the database under it. */
const SHUTDOWN_WAIT_MS = 20_000;

/** Runs `task` without making the caller wait; an error is logged under `label`, never thrown. */
export function runInBackground(label: string, task: () => Promise<unknown>): void {
  const run: Promise<void> = Promise.resolve()
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
onShutdown("finish background work (mail)", () => backgroundSettled(), 10);
