/**
 * Steps the server process runs on SIGTERM once it has stopped taking requests and finished the
 * in-flight ones (scripts/serve.mjs runs them): flush pending bookkeeping, then close the database.
 *
 * The hooks live on `globalThis` under a `Symbol.for` key because the server script is plain
 * JavaScript outside the webpack bundle: it cannot import this module, but it shares the process's
 * global object with it. That key and the hook shape (name, order, run) are the whole protocol; a
 * failing step is logged and the later ones still run.
 */
export type ShutdownHook = { name: string; order: number; run: () => Promise<unknown> | unknown };

const HOOKS = Symbol.for("signin-system.shutdown-hooks");
const holder = globalThis as unknown as { [HOOKS]?: Map<string, ShutdownHook> };

/**
 * Registers (or replaces, by name) a step of the shutdown. Lower `order` runs first; the database
 * closes last (order 100), so earlier steps can still write.
 */
export function onShutdown(name: string, run: ShutdownHook["run"], order = 50): void {
  holder[HOOKS] ??= new Map();
  holder[HOOKS].set(name, { name, order, run });
}
