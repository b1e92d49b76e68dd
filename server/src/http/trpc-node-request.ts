import type { IncomingMessage, ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import { incomingMessageToRequest } from "@trpc/server/adapters/node-http";

/**
 * The part of a Fetch API `Request` that tRPC's `resolveResponse` reads, served straight from
 * node's IncomingMessage.
 *
 * tRPC's own node adapter copies every request into an undici `Request` first: a `Headers` copy, a
 * parsed `URL`, and a signal that undici's Request follows through a FinalizationRegistry. In a CPU
 * profile of `videos.get` that copy, and writing the answer back through a WHATWG stream, were the
 * largest single cost of a request (docs/benchmarks.md). resolveResponse reads only `method`,
 * `url`, `headers.get/has`, `signal` and, for POST bodies, `text()` (JSON), `formData()` or
 * `body` (the multipart and octet-stream parsers). The first five are cheap to answer from node;
 * the rare body types get a real Request, built on first use by tRPC's own converter.
 * `trpc-adapter.test.ts` runs every request shape through it.
 */
export class NodeTrpcRequest {
  readonly headers: NodeRequestHeaders;
  readonly signal: AbortSignal;
  private fetchRequest: Request | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly url: string,
    signal: AbortSignal,
    private readonly maxBodySize: number,
  ) {
    this.headers = new NodeRequestHeaders(req);
    this.signal = signal;
  }

  get method(): string {
    return this.req.method ?? "GET";
  }

  /** The body as text, refused as 413 past the limit (as tRPC's converter does). */
  text(): Promise<string> {
    const req = this.req;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const cleanup = () => {
        req.off("data", onData);
        req.off("end", onEnd);
        req.off("error", onError);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBodySize) {
          cleanup();
          reject(new TRPCError({ code: "PAYLOAD_TOO_LARGE" }));
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        resolve(Buffer.concat(chunks, size).toString("utf8"));
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      req.on("data", onData);
      req.on("end", onEnd);
      req.on("error", onError);
    });
  }

  formData(): Promise<FormData> {
    return this.asFetchRequest().formData();
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.asFetchRequest().body;
  }

  /** This object where resolveResponse's signature wants a Request: it reads no other member. */
  asRequest(): Request {
    return this as unknown as Request;
  }

  private asFetchRequest(): Request {
    this.fetchRequest ??= incomingMessageToRequest(this.req, this.res, { maxBodySize: this.maxBodySize });
    return this.fetchRequest;
  }
}

/** `Headers.get` and `has` over node's already lower-cased header object. */
class NodeRequestHeaders {
  constructor(private readonly req: IncomingMessage) {}

  get(name: string): string | null {
    const value = this.req.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  has(name: string): boolean {
    return this.req.headers[name.toLowerCase()] !== undefined;
  }
}
