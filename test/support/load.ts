import http from "node:http";

export interface LoadResult {
  path: string;
  /** performance.now() when the request was sent and when its answer (or error) came. */
  sentAt: number;
  doneAt: number;
  status?: number;
  connection?: string | undefined;
  /** A socket error: ECONNREFUSED (nobody listening), ECONNRESET, … */
  errorCode?: string;
  /** Whether the request went out on a kept-alive connection. */
  reusedSocket?: boolean;
}

/** One GET over a keep-alive agent; never rejects: the outcome is the result. */
export function getOnce(agent: http.Agent, base: URL, path: string, headers: Record<string, string>): Promise<LoadResult> {
  const sentAt = performance.now();
  return new Promise((resolve) => {
    const req = http.get({ host: base.hostname, port: base.port, path, agent, headers, timeout: 15_000 }, (res) => {
      res.resume();
      res.once("end", () =>
        resolve({
          path,
          sentAt,
          doneAt: performance.now(),
          status: res.statusCode ?? 0,
          connection: res.headers.connection,
          reusedSocket: req.reusedSocket,
        }),
      );
      res.once("error", (error: NodeJS.ErrnoException) =>
        resolve({
          path,
          sentAt,
          doneAt: performance.now(),
          errorCode: error.code ?? error.message,
          reusedSocket: req.reusedSocket,
        }),
      );
    });
    req.once("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "TIMEOUT" })));
    req.once("error", (error: NodeJS.ErrnoException) =>
      resolve({
        path,
        sentAt,
        doneAt: performance.now(),
        errorCode: error.code ?? error.message,
        reusedSocket: req.reusedSocket,
      }),
    );
  });
}

export interface LoadRun {
  results: LoadResult[];
  /** Stops the clients and resolves once each has its last answer. */
  stop(): Promise<void>;
}

/**
 * `clients` loops, each sending its next GET as soon as the previous one is answered, over one
 * keep-alive agent with a socket per client. A refused connection (nobody listening) is retried
 * after a short pause, as a client of a load balancer would go elsewhere.
 */
export function runLoad(
  base: string,
  clients: number,
  nextPath: (client: number, n: number) => string,
  headers: Record<string, string>,
): LoadRun {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const results: LoadResult[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let n = 0; running; n++) {
      const result = await getOnce(agent, url, nextPath(client, n), headers);
      results.push(result);
      if (result.errorCode) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  return {
    results,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

export interface OpenStream {
  /** The bytes received so far. */
  text(): string;
  /** Resolves with performance.now() when the server ended or cut the stream. */
  ended: Promise<number>;
  status: Promise<number>;
  close(): void;
}

/** A raw SSE GET (its own connection), to see exactly when the server ends it. */
export function openEventStream(base: string, path: string, headers: Record<string, string>): OpenStream {
  const url = new URL(base);
  let text = "";
  let endedAt: (at: number) => void = () => undefined;
  const ended = new Promise<number>((resolve) => (endedAt = resolve));
  let gotStatus: (status: number) => void = () => undefined;
  const status = new Promise<number>((resolve) => (gotStatus = resolve));
  const req = http.get(
    { host: url.hostname, port: url.port, path, agent: false, headers: { accept: "text/event-stream", ...headers } },
    (res) => {
      gotStatus(res.statusCode ?? 0);
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.once("close", () => endedAt(performance.now()));
    },
  );
  req.once("error", () => {
    gotStatus(0);
    endedAt(performance.now());
  });
  return { text: () => text, ended, status, close: () => req.destroy() };
}
