import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WebhookAttemptResult, WebhookMessage } from "../../server/src/modules/webhooks/application/webhook-sender.js";
import { HttpWebhookSender, MAX_RESPONSE_BODY_BYTES } from "../../server/src/modules/webhooks/infra/http-webhook-sender.js";
import { generateWebhookSecret } from "../../server/src/modules/webhooks/infra/webhook-signature.js";

// Only loopback addresses (127.0.0.1, 127.0.0.2, [::1], localhost) appear in any URL here: a request
// the guard should have refused must reach nobody, and a regressed test must not reach a network either.

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  host: string;
  port: number;
  /** The origin as a URL writes it: `http://127.0.0.1:1234`, `http://[::1]:1234`. */
  origin: string;
  requests: Received[];
  /** TCP connections accepted, whatever came over them. */
  connections: number;
  /** Replaces what the receiver answers. */
  handle: (request: IncomingMessage, response: ServerResponse, body: string) => void;
  close(): Promise<void>;
}

const sockets = new Set<{ destroy(): void }>();

async function startReceiver(host: string): Promise<Receiver> {
  const receiver: Receiver = {
    host,
    port: 0,
    origin: "",
    requests: [],
    connections: 0,
    handle: (_request, response) => response.end("ok"),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      receiver.requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body });
      receiver.handle(request, response, body);
    });
  });
  server.on("connection", (socket) => {
    receiver.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  receiver.port = (server.address() as AddressInfo).port;
  receiver.origin = `http://${host.includes(":") ? `[${host}]` : host}:${receiver.port}`;
  return receiver;
}

/** Whether this machine has an IPv6 loopback to listen on; without one the [::1] cases are left out. */
async function hasIpv6Loopback(): Promise<boolean> {
  const probe = createServer();
  return new Promise<boolean>((resolve) => {
    probe.once("error", () => resolve(false));
    probe.listen(0, "::1", () => probe.close(() => resolve(true)));
  });
}

const secrets = [generateWebhookSecret(), generateWebhookSecret()] as const;

function message(url: string, overrides: Partial<WebhookMessage> = {}): WebhookMessage {
  return {
    url,
    id: "evt_01JTESTWEBHOOK",
    timestamp: new Date(),
    body: JSON.stringify({ type: "video.ready", data: { videoId: "vid_1", title: "Ünïcode ✓" } }),
    secrets,
    ...overrides,
  };
}

const senders: HttpWebhookSender[] = [];
function sender(options: { allowedHosts?: string[]; timeoutMs?: number } = {}): HttpWebhookSender {
  const created = new HttpWebhookSender({
    webhooks: { allowedHosts: options.allowedHosts ?? ["127.0.0.1"], timeoutMs: options.timeoutMs ?? 5_000 },
  });
  senders.push(created);
  return created;
}

/** Every result: a duration, and no secret in the error. */
function checked(result: WebhookAttemptResult): WebhookAttemptResult {
  expect(result.durationMs).toBeGreaterThanOrEqual(0);
  for (const secret of secrets) {
    expect(result.error ?? "").not.toContain(secret);
    expect(result.error ?? "").not.toContain(secret.slice("whsec_".length));
  }
  return result;
}

describe("HttpWebhookSender", () => {
  let main: Receiver;
  let other: Receiver;

  beforeAll(async () => {
    main = await startReceiver("127.0.0.1");
    other = await startReceiver("127.0.0.1");
  });
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((each) => each.close()));
    for (const socket of sockets) socket.destroy();
    for (const receiver of [main, other]) {
      receiver.requests = [];
      receiver.connections = 0;
      receiver.handle = (_request, response) => response.end("ok");
    }
  });
  afterAll(async () => {
    await main.close();
    await other.close();
  });

  it("POSTs the body with the Standard Webhooks headers, signed with every secret", async () => {
    main.handle = (_request, response) => response.writeHead(204).end();
    const sent = message(`${main.origin}/hooks/reelbase?x=1`);
    const result = checked(await sender().send(sent));

    expect(result).toMatchObject({ outcome: "SUCCEEDED", status: 204, responseBody: "", retryAfterMs: null, error: null });
    expect(main.requests).toHaveLength(1);
    const [request] = main.requests;
    expect(request).toMatchObject({ method: "POST", url: "/hooks/reelbase?x=1", body: sent.body });
    expect(request!.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Reelbase-Webhooks/1",
      "webhook-id": sent.id,
      "webhook-timestamp": String(Math.floor(sent.timestamp.getTime() / 1000)),
    });
    const signatures = String(request!.headers["webhook-signature"]).split(" ");
    expect(signatures).toHaveLength(2);
    for (const signature of signatures) expect(signature).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);

    const headers = {
      "webhook-id": String(request!.headers["webhook-id"]),
      "webhook-timestamp": String(request!.headers["webhook-timestamp"]),
      "webhook-signature": String(request!.headers["webhook-signature"]),
    };
    for (const secret of secrets) expect(new Webhook(secret).verify(request!.body, headers)).toEqual(JSON.parse(sent.body));
    expect(() => new Webhook(generateWebhookSecret()).verify(request!.body, headers)).toThrow();
    expect(() => new Webhook(secrets[0]).verify(`${request!.body} `, headers)).toThrow();
  });

  it("keeps the answer's body as text", async () => {
    main.handle = (_request, response) => response.writeHead(200, { "content-type": "text/plain" }).end("thanks ✓");
    const result = checked(await sender().send(message(`${main.origin}/`)));
    expect(result).toMatchObject({ outcome: "SUCCEEDED", status: 200, responseBody: "thanks ✓" });
  });

  it("never follows a redirect: a 3xx is a failure and its target hears nothing", async () => {
    for (const status of [301, 302, 307, 308]) {
      main.handle = (_request, response) => response.writeHead(status, { location: `${other.origin}/elsewhere` }).end();
      const result = checked(await sender().send(message(`${main.origin}/moved`)));
      expect(result, String(status)).toMatchObject({ outcome: "FAILED", status });
      expect(result.error).toContain("redirect");
    }
    expect(main.requests).toHaveLength(4);
    expect(other.requests).toEqual([]);
    expect(other.connections).toBe(0);
  });

  it("reports 410 as GONE and other statuses as FAILED", async () => {
    main.handle = (_request, response) => response.writeHead(410).end("gone for good");
    expect(checked(await sender().send(message(main.origin)))).toMatchObject({
      outcome: "GONE",
      status: 410,
      responseBody: "gone for good",
    });
    for (const status of [400, 404, 429, 500, 503]) {
      main.handle = (_request, response) => response.writeHead(status).end("nope");
      const result = checked(await sender().send(message(main.origin)));
      expect(result, String(status)).toMatchObject({ outcome: "FAILED", status, responseBody: "nope", retryAfterMs: null });
      expect(result.error).toContain(String(status));
    }
  });

  it("reads Retry-After as delta seconds or as an HTTP date", async () => {
    main.handle = (_request, response) => response.writeHead(503, { "retry-after": "120" }).end();
    expect(checked(await sender().send(message(main.origin)))).toMatchObject({ outcome: "FAILED", retryAfterMs: 120_000 });

    const at = new Date(Date.now() + 90_000);
    main.handle = (_request, response) => response.writeHead(429, { "retry-after": at.toUTCString() }).end();
    const dated = checked(await sender().send(message(main.origin)));
    expect(dated.outcome).toBe("FAILED");
    // An HTTP date has whole seconds: up to 1 s early, plus however long the exchange took.
    expect(dated.retryAfterMs).toBeGreaterThan(85_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(90_000);

    main.handle = (_request, response) => response.writeHead(503, { "retry-after": "soon" }).end();
    expect(checked(await sender().send(message(main.origin))).retryAfterMs).toBeNull();
  });

  it("gives up on a receiver that does not answer within the timeout", async () => {
    main.handle = () => undefined; // never answers
    const result = checked(await sender({ timeoutMs: 300 }).send(message(main.origin)));
    expect(result).toMatchObject({ outcome: "FAILED", status: null, error: "timeout", responseBody: null });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(3_000);
  });

  it("counts the body in the timeout: a 200 whose body never ends is a timeout", async () => {
    main.handle = (_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.write("partial ");
    };
    // Longer than the 300 ms above: the headers must arrive before it even on a busy machine.
    const result = checked(await sender({ timeoutMs: 1_000 }).send(message(main.origin)));
    expect(result).toMatchObject({ outcome: "FAILED", status: 200, error: "timeout", responseBody: "partial " });
    expect(result.durationMs).toBeGreaterThanOrEqual(950);
    expect(result.durationMs).toBeLessThan(3_000);
  });

  it("reads at most 64 KiB of a huge answer and drops the connection", async () => {
    let written = 0;
    const closed = new Promise<void>((resolve) => {
      main.handle = (_request, response) => {
        response.on("close", () => resolve());
        response.writeHead(200, { "content-type": "text/plain" });
        const chunk = Buffer.alloc(64 * 1024, "a");
        const total = 10 * 1024 * 1024;
        // Never ended: a sender reading to the end would run into its timeout instead of finishing at once.
        const pump = (): void => {
          while (written < total && !response.destroyed) {
            written += chunk.length;
            if (!response.write(chunk)) return void response.once("drain", pump);
          }
        };
        pump();
      };
    });
    const result = checked(await sender({ timeoutMs: 10_000 }).send(message(main.origin)));
    expect(result).toMatchObject({ outcome: "SUCCEEDED", status: 200 });
    expect(Buffer.byteLength(result.responseBody ?? "")).toBe(MAX_RESPONSE_BODY_BYTES);
    expect(result.durationMs).toBeLessThan(5_000);
    // The sender tore the connection down (the answer never ends): what the receiver got written
    // is what the socket buffers took (a few MiB), not the whole 10 MiB.
    await closed;
    expect(written).toBeLessThan(10 * 1024 * 1024);
  });

  it("drops a character cut in two at the 64 KiB cap instead of mangling it", async () => {
    main.handle = (_request, response) => response.writeHead(200).end(`${"a".repeat(MAX_RESPONSE_BODY_BYTES - 1)}€ and more`);
    const result = checked(await sender().send(message(main.origin)));
    expect(result.responseBody).toBe("a".repeat(MAX_RESPONSE_BODY_BYTES - 1));
  });

  it("reports a refused connection as FAILED", async () => {
    const closedPort = await startReceiver("127.0.0.1");
    await closedPort.close();
    const result = checked(await sender().send(message(closedPort.origin)));
    expect(result).toMatchObject({ outcome: "FAILED", status: null, error: "connection refused" });
    // A port fetch blocks (1, tcpmux) is refused by fetch itself, before any socket.
    expect(checked(await sender().send(message("http://127.0.0.1:1/")))).toMatchObject({
      outcome: "FAILED",
      error: "the port is one fetch never connects to",
    });
  });

  it("stops when the caller's signal aborts", async () => {
    main.handle = () => undefined;
    const controller = new AbortController();
    const pending = sender().send(message(main.origin), controller.signal);
    setTimeout(() => controller.abort(), 100);
    expect(checked(await pending)).toMatchObject({ outcome: "FAILED", error: "cancelled" });

    const aborted = AbortSignal.abort();
    const before = main.connections;
    expect(checked(await sender().send(message(main.origin), aborted))).toMatchObject({ outcome: "FAILED", error: "cancelled" });
    expect(main.connections).toBe(before);
  });

  it("does not send with a malformed secret, and does not quote it", async () => {
    const bad = "whsec_not base64!";
    const result = await sender().send(message(main.origin, { secrets: [bad] }));
    expect(result).toMatchObject({ outcome: "FAILED", error: "the signing secret is not valid" });
    expect(result.error).not.toContain(bad);
    const none = await sender().send(message(main.origin, { secrets: [] }));
    expect(none.outcome).toBe("FAILED");
    expect(main.connections).toBe(0);
  });

  it("fails (never throws) after close, and closes twice", async () => {
    const closing = sender();
    await closing.close();
    await closing.close();
    expect(checked(await closing.send(message(main.origin))).outcome).toBe("FAILED");
  });

  describe("the SSRF guard", () => {
    let second: Receiver;
    let v6: Receiver | undefined;

    beforeAll(async () => {
      second = await startReceiver("127.0.0.2");
      v6 = (await hasIpv6Loopback()) ? await startReceiver("::1") : undefined;
    });
    afterAll(async () => {
      await second.close();
      await v6?.close();
    });

    const refused = async (target: WebhookAttemptResult, pattern?: RegExp) => {
      expect(checked(target)).toMatchObject({ outcome: "REFUSED", status: null, responseBody: null });
      if (pattern) expect(target.error).toMatch(pattern);
    };

    it("reaches 127.0.0.2 and [::1] only when they are allow-listed", async () => {
      const allowed = sender({ allowedHosts: ["127.0.0.2", "[::1]"] });
      expect((await allowed.send(message(second.origin))).outcome).toBe("SUCCEEDED");
      if (v6) expect((await allowed.send(message(v6.origin))).outcome).toBe("SUCCEEDED");
    });

    it("refuses loopback addresses that are not allow-listed, connecting to nothing", async () => {
      const guarded = sender({ allowedHosts: ["127.0.0.1"] });
      second.connections = 0;
      second.requests = [];
      // https: passes the scheme rule, so the refusal comes from the address check when connecting.
      await refused(await guarded.send(message(`https://127.0.0.2:${second.port}/`)), /not public/);
      await refused(await guarded.send(message(`http://127.0.0.2:${second.port}/`)), /allow-listed/);
      expect(second.connections).toBe(0);
      expect(second.requests).toEqual([]);
      if (v6) {
        v6.connections = 0;
        v6.requests = [];
        await refused(await guarded.send(message(`https://[::1]:${v6.port}/`)), /not public/);
        await refused(await guarded.send(message(`http://[::1]:${v6.port}/`)), /allow-listed/);
        expect(v6.connections).toBe(0);
        expect(v6.requests).toEqual([]);
      }
    });

    it("refuses localhost when only 127.0.0.1 is allow-listed (the name resolves to loopback)", async () => {
      const guarded = sender({ allowedHosts: ["127.0.0.1"] });
      await refused(await guarded.send(message(`https://localhost:${main.port}/`)), /not public/);
      await refused(await guarded.send(message(`http://localhost:${main.port}/`)), /allow-listed/);
      expect(main.connections).toBe(0);
    });

    it("refuses an IPv4-mapped IPv6 literal of an allow-listed address", async () => {
      const guarded = sender({ allowedHosts: ["127.0.0.1"] });
      await refused(await guarded.send(message(`https://[::ffff:127.0.0.1]:${main.port}/`)), /not public/);
      await refused(await guarded.send(message(`http://[::ffff:127.0.0.1]:${main.port}/`)), /allow-listed/);
      expect(main.connections).toBe(0);
    });

    it("refuses schemes other than http and https, URLs with credentials, and non-URLs", async () => {
      const guarded = sender({ allowedHosts: ["127.0.0.1"] });
      await refused(await guarded.send(message(`ftp://127.0.0.1:${main.port}/`)), /ftp:/);
      await refused(await guarded.send(message("file:///etc/passwd")), /file:/);
      await refused(await guarded.send(message(`http://user:hunter2@127.0.0.1:${main.port}/`)), /credentials/);
      await refused(await guarded.send(message("not a url")), /not a URL/);
      expect(main.connections).toBe(0);
    });
  });
});
