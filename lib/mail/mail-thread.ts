/**
 * The mail thread: one worker thread that renders any template of lib/mail/templates.tsx (React Email),
 * by its name and props, and delivers the result (lib/mail/transport.ts: SMTP or the outbox). The
 * thread that serves requests never renders or builds a message: a mail rendered there (~10-20 ms of
 * CPU) delayed the next request on it, which told a registered address from an unknown one through
 * the timing of the request after a password recovery (issue #25).
 *
 * Like the bcrypt pool (lib/auth/bcrypt-pool.ts) the worker's source is the string below, started with
 * `eval: true`, so no worker file has to survive the Next.js bundler. It loads the two modules through
 * tsx (a dependency: `npm start` runs on it) from the app's root (the working directory under
 * `npm start`, `next start` and the tests), so it runs the templates module as it is on disk: a template
 * added there is rendered by name without any change here. The worker is started and loaded when the
 * server process starts (`warmMailThread`, from instrumentation.ts, before the first request): tsx
 * compiles through an esbuild child process, which an orchestrator stopping the whole process group
 * kills at once, so a first mail still loading at that moment would be lost ("The service is no longer
 * running"). It is unref'd while idle, replaced when it dies, and terminated on shutdown after queued
 * mail has gone out (lib/runtime/background.ts).
 */
import { Worker } from "node:worker_threads";
import type { templates as templateModule, RenderedMail } from "./templates";
import type { Delivery } from "./transport";
import { onShutdown } from "../runtime/shutdown";

export type TemplateName = keyof typeof templateModule;
export type TemplateProps<N extends TemplateName> = Parameters<(typeof templateModule)[N]>[0];
/** A template of lib/mail/templates.tsx named, with its props: what the mail thread renders. */
export type MailTemplate = { [N in TemplateName]: { name: N; props: TemplateProps<N> } }[TemplateName];

type Job =
  | { op: "render"; template: MailTemplate }
  | { op: "send"; template: MailTemplate; to: string };
type Task = { id: number; job: Job; resolve: (value: unknown) => void; reject: (error: Error) => void };
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

const WORKER_SOURCE = String.raw`
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { createRequire } = require("node:module");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

function loadTsx() {
  const problems = [];
  for (const dir of [workerData.root, ...workerData.searchFrom]) {
    try {
      return createRequire(path.join(dir, "noop.js"))("tsx/esm/api");
    } catch (error) {
      problems.push(dir + ": " + error.message.split("\n")[0]);
    }
  }
  throw new Error("The mail thread cannot load tsx (" + problems.join("; ") + ")");
}

const modules = (async () => {
  const { tsImport } = loadTsx();
  const from = pathToFileURL(path.join(workerData.root, "noop.js")).href;
  const [templates, transport] = await Promise.all([
    tsImport("./lib/mail/templates.tsx", from),
    tsImport("./lib/mail/transport.ts", from),
  ]);
  return { templates, transport };
})();
modules.catch(() => {}); // reported with each task

async function run(job) {
  const { templates, transport } = await modules;
  const build = Object.hasOwn(templates.templates, job.template.name) ? templates.templates[job.template.name] : undefined;
  if (typeof build !== "function") throw new Error('No mail template named "' + job.template.name + '"');
  const rendered = await templates.renderMail(build(job.template.props));
  if (job.op === "render") return rendered;
  try {
    return { subject: rendered.subject, delivery: await transport.deliver(job.to, rendered) };
  } catch (error) {
    return { subject: rendered.subject, error: error instanceof Error ? error.message : String(error) };
  }
}

parentPort.on("message", (task) => {
  run(task.job).then(
    (result) => parentPort.postMessage({ id: task.id, ok: true, result }),
    (error) => parentPort.postMessage({ id: task.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
`;

class MailThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Task>();
  private nextId = 1;

  run<R>(job: Job): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const task: Task = { id: this.nextId++, job, resolve: resolve as (value: unknown) => void, reject };
      this.pending.set(task.id, task);
      const worker = (this.worker ??= this.spawn());
      worker.ref(); // pending mail keeps the process alive until it is answered
      worker.postMessage({ id: task.id, job });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error("The mail thread was closed"));
    await worker?.terminate();
  }

  private spawn(): Worker {
    const searchFrom = process.argv[1] ? [process.argv[1].replace(/[/\\][^/\\]*$/, "")] : [];
    const worker = new Worker(WORKER_SOURCE, { eval: true, name: "mail", workerData: { root: process.cwd(), searchFrom } });
    worker.on("message", (reply: Reply) => {
      const task = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (task) {
        if (reply.ok) task.resolve(reply.result);
        else task.reject(new Error(reply.error));
      }
      if (this.pending.size === 0) worker.unref(); // idle, it never keeps the process alive
    });
    const gone = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.fail(error);
    };
    worker.on("error", gone);
    worker.on("exit", (code) => gone(new Error(`The mail thread exited (code ${code})`)));
    return worker;
  }

  /** Everything in flight fails: the next mail starts a fresh thread. */
  private fail(error: Error) {
    for (const task of this.pending.values()) task.reject(error);
    this.pending.clear();
  }
}

// One thread per process, even when a bundler instantiates this module more than once.
const THREAD = Symbol.for("signin-system.mail-thread");
const holder = globalThis as unknown as { [THREAD]?: MailThread };

function mailThread(): MailThread {
  if (!holder[THREAD]) {
    holder[THREAD] = new MailThread();
    // After queued mail has gone out (order 10), before the database closes.
    onShutdown("close the mail thread", () => holder[THREAD]?.close(), 20);
  }
  return holder[THREAD];
}

/**
 * Starts the mail thread and renders one template there, so that every module a mail needs is loaded
 * (and compiled) before the first request: see the header. Resolves when done; never throws.
 */
export async function warmMailThread(): Promise<void> {
  try {
    await mailThread().run({ op: "render", template: { name: "test", props: { appName: "warm-up" } } });
  } catch (error) {
    console.error(`The mail thread could not load its templates: ${error instanceof Error ? error.message : error}`);
  }
}

/** Renders `template` on the mail thread: its subject, HTML and plain text. */
export function renderOnMailThread(template: MailTemplate): Promise<RenderedMail> {
  return mailThread().run({ op: "render", template });
}

/** A message rendered and then delivered, or not (`error`: why). */
export type SendResult = { subject: string; delivery: Delivery } | { subject: string; error: string };

/** Renders `template` and delivers it to `to` on the mail thread; throws only when it could not be rendered. */
export function sendOnMailThread(to: string, template: MailTemplate): Promise<SendResult> {
  return mailThread().run({ op: "send", template, to });
}
