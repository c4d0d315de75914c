/**
 * How an answer leaves the server process (scripts/serve.mjs): an API answer's status line, headers and
 * whole body go out in one write, so the client receives them together, rather than the headers
 * first and the body in a second segment (Next.js flushes the headers on their own before the body).
 * Read on a raw keep-alive socket, where every segment that arrives apart is a separate read.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { newUser, startServer, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

/** Sends one request on `socket` and resolves with the reads that made up its chunked answer. */
function exchange(socket: net.Socket, request: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const reads: string[] = [];
    const onData = (data: Buffer) => {
      reads.push(data.toString("latin1"));
      if (reads.join("").endsWith("\r\n0\r\n\r\n")) {
        socket.off("data", onData);
        socket.off("error", reject);
        resolve(reads);
      }
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.write(request);
  });
}

test("an API answer arrives in one piece: status line, headers and body together", async () => {
  const { token } = await newUser(server, "writes");
  const socket = net.connect(server.port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  try {
    const request = `GET /api/v1/users/me HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${token}\r\n\r\n`;
    for (let i = 0; i < 25; i++) {
      const reads = await exchange(socket, request);
      const answer = reads.join("");
      assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(answer, /\r\n\r\n[0-9a-f]+\r\n\{"id":/, "the body follows the headers");
      assert.equal(reads.length, 1, `answer ${i + 1} arrived in ${reads.length} reads: ${JSON.stringify(reads.map((r) => r.slice(0, 40)))}`);
    }
  } finally {
    socket.destroy();
  }
});
