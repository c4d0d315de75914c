/**
 * HTTP/1.1 over a raw TCP socket, for what fetch and node:http cannot send or would fix up: any method
 * (TRACE, FOO), any request target (`*`, `host:443`, absolute URLs), a declared Content-Length the body
 * never reaches, a chunked body that keeps coming until the server answers.
 */
import net from "node:net";

export type RawResponse = {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body, de-chunked. */
  body: string;
  /** Milliseconds from the first byte written to the complete response. */
  elapsedMs: number;
};

export type RawOptions = {
  /** Rejects when no complete response has arrived by then (default 5 s). */
  timeoutMs?: number;
  /**
   * Written after `head`, one chunk per turn of the event loop, until the response arrives or this
   * many chunks went out: a body the client keeps sending however long the server waits.
   */
  streamChunks?: { chunk: Buffer; max: number; chunked: boolean };
};

function parse(buffer: Buffer): { status: number; headers: Record<string, string>; body: string; complete: boolean } | null {
  const end = buffer.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const [statusLine, ...lines] = buffer.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1] ?? NaN);
  // Interim answers (100 Continue) are skipped: the final one follows.
  if (status >= 100 && status < 200) return parse(buffer.subarray(end + 4));
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = buffer.subarray(end + 4);
  if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf("\r\n", at);
      if (lineEnd < 0) return { status, headers, body: Buffer.concat(parts).toString("utf8"), complete: false };
      const size = parseInt(rest.subarray(at, lineEnd).toString("latin1"), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(parts).toString("utf8"), complete: true };
      if (rest.length < lineEnd + 2 + size + 2) return { status, headers, body: Buffer.concat(parts).toString("utf8"), complete: false };
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = headers["content-length"] === undefined ? null : Number(headers["content-length"]);
  const complete = length !== null && rest.length >= length;
  return { status, headers, body: rest.subarray(0, length ?? rest.length).toString("utf8"), complete };
}

/**
 * Sends `head` (and the streamed chunks, if any) on a new connection and resolves with the first final
 * response. A HEAD request's answer has no body: pass `headOnly` so that the headers suffice.
 */
export function rawRequest(port: number, head: string | Buffer, options: RawOptions & { headOnly?: boolean } = {}): Promise<RawResponse> {
  const { timeoutMs = 5000, streamChunks, headOnly = false } = options;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    let settled = false;
    const started = Date.now();
    const finish = (error: Error | null, response?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(response!);
    };
    const tryParse = (closed: boolean) => {
      const parsed = parse(received);
      if (!parsed) {
        if (closed) finish(new Error(`connection closed without a response (${received.length} bytes: ${received.toString("latin1").slice(0, 200)})`));
        return;
      }
      if (parsed.complete || headOnly || closed) {
        finish(null, { status: parsed.status, headers: parsed.headers, body: parsed.body, elapsedMs: Date.now() - started });
      }
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete response within ${timeoutMs} ms (got ${received.length} bytes: ${received.toString("latin1").slice(0, 200)})`)),
      timeoutMs,
    );
    socket.on("data", (d) => {
      received = Buffer.concat([received, d]);
      tryParse(false);
    });
    socket.on("end", () => tryParse(true));
    socket.on("close", () => tryParse(true));
    // A reset after the answer arrived is the server closing a connection whose body it will not read.
    socket.on("error", (error) => {
      if (parse(received)) tryParse(true);
      else finish(error);
    });
    socket.write(head);
    if (streamChunks) {
      let sent = 0;
      const pump = () => {
        if (settled || socket.destroyed) return;
        if (sent >= streamChunks.max) {
          if (streamChunks.chunked) socket.write("0\r\n\r\n");
          return;
        }
        sent++;
        const { chunk } = streamChunks;
        const ok = socket.write(streamChunks.chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk);
        if (ok) setImmediate(pump);
        else socket.once("drain", pump);
      };
      setImmediate(pump);
    }
  });
}

/** The head of a request: request line, Host, the given headers, blank line. */
export function requestHead(method: string, target: string, headers: Record<string, string | number> = {}, host = "127.0.0.1"): string {
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join("\r\n")}\r\n\r\n`;
}
