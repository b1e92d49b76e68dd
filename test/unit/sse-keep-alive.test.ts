import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SSE_KEEP_ALIVE_FRAME, sseKeepAlive } from "../../server/src/http/sse-keep-alive.js";
import { writeAnswer } from "../../server/src/http/trpc-handler.js";

/** A job that says one thing and then nothing for as long as the test lasts. */
async function* quietJob(stop: AbortSignal): AsyncGenerator<string> {
  yield "event: connected\ndata: {}\n\n";
  await new Promise((resolve) => stop.addEventListener("abort", resolve, { once: true }));
}

describe("keep-alive comments on quiet event streams", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  async function openStream(): Promise<{ received: () => string; close: () => void; stop: AbortController }> {
    const stop = new AbortController();
    const server = http.createServer((_req, res) => {
      void writeAnswer(
        { status: 200, headers: { "content-type": "text/event-stream" }, frames: quietJob(stop.signal) },
        res,
        stop.signal,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    let text = "";
    const request = http.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once("response", resolve));
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => (text += chunk));
    await waitFor(() => text.includes("connected"));
    const close = () => {
      request.destroy();
      stop.abort();
      server.closeAllConnections();
      server.close();
    };
    cleanups.push(close);
    return { received: () => text, close, stop };
  }

  it("writes a comment line EventSource ignores to every open stream, and only to open ones", async () => {
    const first = await openStream();
    const second = await openStream();
    expect(sseKeepAlive.size).toBe(2);
    expect(sseKeepAlive.pingAll()).toBe(2);
    await waitFor(() => first.received().endsWith(SSE_KEEP_ALIVE_FRAME) && second.received().endsWith(SSE_KEEP_ALIVE_FRAME));
    expect(SSE_KEEP_ALIVE_FRAME).toMatch(/^:[^\n]*\n\n$/);

    first.close();
    await waitFor(() => sseKeepAlive.size === 1);
    expect(sseKeepAlive.pingAll()).toBe(1);
    second.stop.abort();
    await waitFor(() => sseKeepAlive.size === 0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
