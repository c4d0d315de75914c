/**
 * The request class of the server process (scripts/serve.mjs, `http.createServer({ IncomingMessage })`):
 * it can hold a streamed body (chunked, no Content-Length) until it is complete, up to a limit, before
 * anything reads it. Whether such a body fits its limit is known only once it ends; holding it means
 * Next.js and the app see either the whole body, within the limit, or nothing at all (the server process
 * answers 413), never a body cut off half-way through a read, and never more than the limit in memory.
 * Past the limit the rest is discarded as it arrives, until the 413 closes the connection.
 *
 * A body with a Content-Length needs none of this: Node's parser delivers no more than declared, and
 * the server process refuses a declaration over the limit before reading a byte.
 *
 * Plain JavaScript: scripts/serve.mjs runs without a TypeScript loader.
 */
import http from "node:http";

export class BodyHoldingRequest extends http.IncomingMessage {
  /** @type {null | { limit: number, size: number, chunks: Buffer[], outcome: null | "complete" | "too-large", settle: (o: "complete" | "too-large") => void }} */
  #held = null;

  /**
   * Starts holding the body (call before anything reads the request); resolves with "complete" once
   * the whole body arrived within `limit` bytes, or "too-large" as soon as it passes it.
   * @param {number} limit
   * @returns {Promise<"complete" | "too-large">}
   */
  holdBody(limit) {
    return new Promise((settle) => {
      this.#held = { limit, size: 0, chunks: [], outcome: null, settle };
    });
  }

  /** Hands the held body on to whoever reads the request next (Next.js), and stops holding. */
  releaseBody() {
    const held = this.#held;
    if (!held) return;
    this.#held = null;
    for (const chunk of held.chunks) super.push(chunk);
    super.push(null);
  }

  // Node's HTTP parser delivers the body through push(): each chunk, then null at its end.
  push(chunk, encoding) {
    const held = this.#held;
    if (!held) return super.push(chunk, encoding);
    if (held.outcome === "too-large") return true; // discarded: keep reading so the 413 can be sent
    if (chunk === null) {
      this.#settle(held, "complete");
      return true;
    }
    held.size += chunk.length;
    if (held.size > held.limit) {
      held.chunks = [];
      this.#settle(held, "too-large");
      return true;
    }
    held.chunks.push(typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk);
    return true;
  }

  #settle(held, outcome) {
    if (held.outcome) return;
    held.outcome = outcome;
    held.settle(outcome);
  }
}
