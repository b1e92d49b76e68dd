/**
 * The out-of-process side of the SSE fan-out bench: opens `count` `jobs.onProgress` streams on one
 * job and, next to them, listens on the job's Redis channel itself, so each event's publish is
 * timed where it happens (the worker's PUBLISH reaching Redis subscribers) and each stream's copy
 * where it arrives. Both clocks are this process's, so the difference needs no clock sync.
 *
 *   node --import tsx bench/lib/sse-subscribers.ts <file holding a FanoutSpec as JSON>
 *
 * Prints `{"phase":"ready"}` once every stream has its first event (the parent then measures the
 * API's memory and starts the worker), then one JSON line, a FanoutResult, when the job has ended
 * on every stream or `timeoutMs` passed.
 */
import http from "node:http";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";

export interface FanoutSpec {
  url: string;
  jobId: string;
  bearer: string;
  count: number;
  redisUrl: string;
  /** The job's channel as it is on the wire (the event bus's prefix included). */
  wireChannel: string;
  timeoutMs: number;
}

export interface FanoutResult {
  streams: number;
  published: number;
  /** Stream copies of published events that arrived (a stream may merge states it was sent late: tracked events skip none, but one SSE write can carry several). */
  received: number;
  latenciesMs: number[];
  ended: number;
  errors: number;
}

const terminal = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as FanoutSpec;
  const publishedAt = new Map<string, number>();
  const redis = new Redis(spec.redisUrl);
  redis.on("message", (_channel: string, payload: string) => {
    const revision = String((JSON.parse(payload) as { revision: number }).revision);
    if (!publishedAt.has(revision)) publishedAt.set(revision, performance.now());
  });
  await redis.subscribe(spec.wireChannel);

  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const latencies: number[] = [];
  let received = 0;
  let ended = 0;
  let errors = 0;
  let ready = 0;
  let announce: () => void = () => {};
  const allReady = new Promise<void>((resolve) => (announce = resolve));
  let finish: () => void = () => {};
  const allEnded = new Promise<void>((resolve) => (finish = resolve));
  const input = encodeURIComponent(JSON.stringify({ id: spec.jobId }));
  const requests: http.ClientRequest[] = [];

  for (let i = 0; i < spec.count; i++) {
    let first = true;
    let done = false;
    const settle = (failed: boolean) => {
      if (done) return;
      done = true;
      if (failed) errors++;
      else ended++;
      if (ended + errors === spec.count) finish();
    };
    const request = http.get(
      `${spec.url}/trpc/jobs.onProgress?input=${input}`,
      { agent, headers: { authorization: `Bearer ${spec.bearer}`, accept: "text/event-stream" } },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          settle(true);
          return;
        }
        let buffer = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          const now = performance.now();
          buffer += chunk;
          let boundary = buffer.indexOf("\n\n");
          while (boundary >= 0) {
            const event = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            boundary = buffer.indexOf("\n\n");
            const id = /^id: ?(.*)$/m.exec(event)?.[1];
            const data = /^data: ?(.*)$/m.exec(event)?.[1];
            if (id === undefined || data === undefined) continue;
            if (first) {
              first = false;
              if (++ready === spec.count) announce();
            } else {
              const sent = publishedAt.get(id);
              if (sent !== undefined) {
                received++;
                latencies.push(now - sent);
              }
            }
            if (terminal.has((JSON.parse(data) as { status?: string }).status ?? "")) settle(false);
          }
        });
        response.on("end", () => settle(false));
        response.on("error", () => settle(true));
      },
    );
    request.on("error", () => settle(true));
    requests.push(request);
  }

  const timeout = setTimeout(() => {
    announce();
    finish();
  }, spec.timeoutMs);
  await allReady;
  process.stdout.write(`${JSON.stringify({ phase: "ready", ready })}\n`);
  await allEnded;
  clearTimeout(timeout);
  const result: FanoutResult = {
    streams: spec.count,
    published: publishedAt.size,
    received,
    latenciesMs: latencies,
    ended,
    errors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  for (const request of requests) request.destroy();
  agent.destroy();
  redis.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
