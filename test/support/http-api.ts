import { PassThrough } from "node:stream";
import { startApi, type RunningApi } from "../../server/src/bootstrap.js";
import { createWinstonLogger } from "../../server/src/logging/winston-logger.js";
import { testConfig, type Backend } from "./test-app.js";
import { TestClock } from "./test-clock.js";

export interface HttpTestApi extends RunningApi {
  clock: TestClock;
  /** Every JSON log line written so far. */
  logs(): Record<string, unknown>[];
  rawLogs(): string;
  post(path: string, input: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, input?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** The real API on a random port, with its JSON logs captured for assertions. */
export async function startHttpApi(backend: Backend = "pglite", env: Record<string, string> = {}): Promise<HttpTestApi> {
  const { config, dispose } = await testConfig(backend, { HOST: "127.0.0.1", ...env });
  const stream = new PassThrough();
  let captured = "";
  stream.on("data", (chunk: Buffer) => {
    captured += chunk.toString("utf8");
  });
  const logger = createWinstonLogger({ level: "debug", json: true, stream });
  const clock = new TestClock();
  const api = await startApi(config, logger, clock);
  const send = (method: "GET" | "POST", path: string, input: unknown, headers: Record<string, string> = {}) => {
    const query = method === "GET" && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : "";
    return fetch(`${api.url}${path}${query}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(method === "POST" ? { body: JSON.stringify(input ?? null) } : {}),
    });
  };
  return {
    ...api,
    clock,
    close: async () => {
      await api.close();
      await dispose();
    },
    rawLogs: () => captured,
    logs: () =>
      captured
        .split("\n")
        .filter((line) => line.trim().length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    post: (path, input, headers) => send("POST", path, input, headers),
    get: (path, input, headers) => send("GET", path, input, headers),
  };
}
