/**
 * Runs once when a Next.js server process starts, in the Node.js runtime: schedules the hourly pruning
 * of stale rows (lib/db/maintenance.ts; start-up, scripts/start.ts, prunes once before serving), and
 * publishes which methods each API path serves for the server process's own 405s (lib/api/allowed-methods.ts),
 * and loads the mail thread before the first request (lib/mail/mail-thread.ts says why).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { schedulePruning } = await import("./lib/db/maintenance");
  schedulePruning();
  const { publishAllowedMethods } = await import("./lib/api/allowed-methods");
  publishAllowedMethods();
  const { warmMailThread } = await import("./lib/mail/mail-thread");
  await warmMailThread();
}
