import http from "node:http";
import type { FuzzProcedure } from "./procedures.js";

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Node refuses request heads over 16 KB before the app sees them; generators stay well below. */
const MAX_URL_LENGTH = 14_000;

/** A call the way a plain-JSON client makes it: queries GET ?input=, mutations POST a JSON body; optionally batched. */
export function callProcedure(
  baseUrl: string,
  procedure: FuzzProcedure,
  input: unknown,
  options: { headers: Record<string, string>; batch: boolean },
): Promise<Answer> {
  const wire = options.batch ? { 0: input } : input;
  const json = wire === undefined ? undefined : JSON.stringify(wire);
  const query = new URLSearchParams(options.batch ? { batch: "1" } : {});
  if (procedure.type === "query" && json !== undefined) query.set("input", json);
  const search = query.size > 0 ? `?${query.toString()}` : "";
  const path = `/trpc/${procedure.path}${search}`;
  if (path.length > MAX_URL_LENGTH) throw new Error(`generated URL too long (${path.length}): shrink the generator`);
  const method = procedure.type === "query" ? "GET" : "POST";
  const body = method === "POST" && json !== undefined ? Buffer.from(json, "utf8") : undefined;
  return request(baseUrl, { method, path, headers: { "content-type": "application/json", ...options.headers }, body });
}

/** node:http rather than fetch: fetch refuses TRACE and normalises what a raw client may send. */
export function request(
  baseUrl: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | undefined },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(options.path, baseUrl),
      {
        method: options.method,
        headers: { ...options.headers, ...(options.body ? { "content-length": String(options.body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
