/**
 * Runs once when a Next.js server process starts: schedules the hourly pruning of stale rows
 * (lib/maintenance.ts) in the Node.js runtime. Start-up (scripts/start.ts) prunes once before serving.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { schedulePruning } = await import("./lib/maintenance");
  schedulePruning();
}
