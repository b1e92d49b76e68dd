import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { initTRPC, TRPCError, tracked } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { trpcHandler } from "../../server/src/http/trpc-handler.js";

/**
 * Our tRPC handler (trpc-handler.ts, with its single-call path in trpc-single-call.ts) must answer
 * every request exactly as tRPC's own express adapter does: the same requests go to both, and
 * status, body, the headers a client reads (those responseMeta sets from the context and the
 * results included) and what onError is told must match. One difference is deliberate: a
 * subscription refused before its stream opens is an HTTP error here, where tRPC opens a stream.
 */
interface Ctx {
  authorization: string | null;
  /** What procedures add to the answer; responseMeta applies it. */
  response: { headers: Record<string, string>; status?: number };
}

const t = initTRPC.context<Ctx>().create({
  // Echoes what tRPC hands the formatter, so a difference in input, path, type or context shows in the body.
  errorFormatter: ({ shape, input, path, type, ctx }) => ({
    ...shape,
    data: { ...shape.data, seen: { input: input ?? null, path: path ?? null, type, auth: ctx?.authorization ?? null } },
  }),
});
let subscriptionsEnded = 0;
const router = t.router({
  echo: t.procedure
    .input(z.object({ text: z.string() }))
    .query(({ input, ctx }) => ({ text: input.text, auth: ctx.authorization })),
  add: t.procedure.input(z.object({ a: z.number(), b: z.number() })).mutation(({ input }) => ({ sum: input.a + input.b })),
  fail: t.procedure.query(() => {
    throw new TRPCError({ code: "CONFLICT", message: "taken" });
  }),
  crash: t.procedure.query(() => {
    throw new Error("bug");
  }),
  later: t.procedure.query(() => ({ value: Promise.resolve(1) })),
  nothing: t.procedure.mutation(() => undefined),
  tagged: t.procedure.query(({ ctx }) => {
    ctx.response.headers["x-set-by-procedure"] = "tagged";
    return "tagged";
  }),
  accepted: t.procedure.mutation(({ ctx }) => {
    ctx.response.status = 202;
    return "later";
  }),
  limited: t.procedure.query(({ ctx }) => {
    ctx.response.headers["retry-after"] = "30";
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "slow down" });
  }),
  count: t.procedure.input(z.object({ to: z.number().int().max(5) })).subscription(async function* ({ input, signal }) {
    try {
      for (let i = 1; i <= input.to; i++) yield tracked(String(i), { i });
      // Then wait until the client goes away.
      await new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
    } finally {
      subscriptionsEnded++;
    }
  }),
  /** Ends by itself: tracked values, an untracked one after them (tRPC restores the id), then the end. */
  mixed: t.procedure.subscription(async function* () {
    yield tracked("a", { n: 1 });
    yield { n: 2 };
  }),
  broken: t.procedure.subscription(async function* () {
    yield tracked("1", { n: 1 });
    throw new TRPCError({ code: "CONFLICT", message: "went wrong mid-stream" });
  }),
});

const MAX_BODY = 1024;
const createContext = (authorization: string | undefined): Ctx => {
  if (authorization === "Bearer refuse") throw new TRPCError({ code: "UNAUTHORIZED", message: "refused in createContext" });
  return { authorization: authorization ?? null, response: { headers: {} } };
};

/** The context's headers and status, plus what tRPC passed, echoed so both paths must pass the same. */
const responseMeta = ({
  ctx,
  errors,
  type,
  eagerGeneration,
  paths,
  data,
}: {
  ctx?: Ctx | undefined;
  errors: TRPCError[];
  type: string;
  eagerGeneration: boolean;
  paths: readonly string[] | undefined;
  data: unknown[];
}) => ({
  headers: {
    ...ctx?.response.headers,
    "x-meta": JSON.stringify({ errors: errors.map((error) => error.code), type, eagerGeneration, paths, results: data.length }),
  },
  ...(ctx?.response.status ? { status: ctx.response.status } : {}),
});

/** What onError was told, per adapter and per request (the x-case header). */
const reported = { ours: new Map<string, string[]>(), theirs: new Map<string, string[]>() };
function reporter(side: keyof typeof reported) {
  return ({
    error,
    path,
    type,
    input,
    ctx,
    req,
  }: {
    error: TRPCError;
    path: string | undefined;
    type: string;
    input: unknown;
    ctx: Ctx | undefined;
    req: { headers: Record<string, unknown> };
  }) => {
    const key = String(req.headers["x-case"]);
    const seen = JSON.stringify({
      code: error.code,
      message: error.message,
      path: path ?? null,
      type,
      input: input ?? null,
      auth: ctx?.authorization ?? null,
    });
    reported[side].set(key, [...(reported[side].get(key) ?? []), seen]);
  };
}

async function serve(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = createServer(app).listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | null>;
}

const COMPARED_HEADERS = ["content-type", "vary", "allow", "x-meta", "x-set-by-procedure", "retry-after"];

async function ask(url: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${url}${path}`, init);
  const body = await response.text();
  return {
    status: response.status,
    body,
    headers: Object.fromEntries(COMPARED_HEADERS.map((name) => [name, response.headers.get(name)])),
  };
}

const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));

const REQUESTS: [string, string, RequestInit?][] = [
  ["query", `/echo?input=${input({ text: "hi" })}`, { headers: { authorization: "Bearer x" } }],
  ["query with bad input", `/echo?input=${input({ text: 1 })}`],
  ["query with unparseable input", `/echo?input=%7Bnope`],
  ["query without input", `/echo`],
  ["mutation", `/add`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ a: 1, b: 2 }) }],
  ["mutation with malformed JSON", `/add`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" }],
  ["mutation with an empty body", `/add`, { method: "POST", headers: { "content-type": "application/json" } }],
  [
    "mutation with a body over the limit",
    `/add`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: 1, b: 2, pad: "x".repeat(MAX_BODY) }),
    },
  ],
  ["mutation over GET", `/add?input=${input({ a: 1, b: 2 })}`],
  [
    "query over POST",
    `/echo`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "x" }) },
  ],
  ["unknown procedure", `/missing`],
  ["a path naming an Object.prototype member", `/constructor`],
  ["a path naming __proto__", `/__proto__`],
  ["a nested path under a procedure", `/echo.toString`],
  ["mutation without input or output", `/nothing`, { method: "POST" }],
  ["query answering with a promise inside", `/later`],
  ["context that refuses", `/echo?input=${input({ text: "hi" })}`, { headers: { authorization: "Bearer refuse" } }],
  ["malformed path encoding", `/ec%E0%A4%A?input=${input({ text: "hi" })}`],
  ["procedure error", `/fail`],
  ["unexpected error", `/crash`],
  ["a header set by the procedure", `/tagged`],
  ["a status set by the procedure", `/accepted`, { method: "POST", headers: { "content-type": "application/json" } }],
  ["a refusal with a header", `/limited`],
  ["batch with one refusal with a header", `/echo,limited?batch=1&input=${input({ 0: { text: "a" } })}`],
  ["batch where every call is refused", `/limited,limited?batch=1`],
  ["batch of queries", `/echo,fail?batch=1&input=${input({ 0: { text: "a" } })}`],
  [
    "batch of mutations",
    `/add,add?batch=1`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ 0: { a: 1, b: 1 }, 1: { a: 2, b: 2 } }),
    },
  ],
  ["batch with input that is no object", `/echo?batch=1&input=${input([1])}`],
  ["HEAD", `/echo`, { method: "HEAD" }],
  ["unsupported content type", `/add`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" }],
  ["no content type", `/add`, { method: "POST", body: new Uint8Array([1, 2, 3]) }],
  ["multipart form", `/add`, { method: "POST", body: formData() }],
  [
    "octet stream",
    `/add`,
    { method: "POST", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array([1, 2, 3]) },
  ],
  ["subscription over POST", `/count`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
];

async function readUntil(response: Response, marker: string): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no body");
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel().catch(() => undefined);
  return text;
}

function formData(): FormData {
  const form = new FormData();
  form.set("a", "1");
  return form;
}

describe("the tRPC handler answers as tRPC's express adapter does", () => {
  let ours: { server: Server; url: string };
  let theirs: { server: Server; url: string };

  beforeAll(async () => {
    const ourApp = express();
    ourApp.use(
      "/trpc",
      trpcHandler({
        router,
        maxBodySize: MAX_BODY,
        createContext: (req) => createContext(req.get("authorization")),
        onError: reporter("ours"),
        responseMeta,
      }),
    );
    const theirApp = express();
    theirApp.use(
      "/trpc",
      createExpressMiddleware({
        router,
        maxBodySize: MAX_BODY,
        createContext: ({ req }) => createContext(req.get("authorization")),
        onError: reporter("theirs"),
        responseMeta,
      }),
    );
    ours = await serve(ourApp);
    theirs = await serve(theirApp);
  });
  afterAll(() => {
    ours.server.closeAllConnections();
    theirs.server.closeAllConnections();
    ours.server.close();
    theirs.server.close();
  });

  it.each(REQUESTS)("%s", async (name, path, init = {}) => {
    const withCase = { ...init, headers: { ...(init.headers as Record<string, string> | undefined), "x-case": name } };
    const [mine, reference] = await Promise.all([
      ask(ours.url, `/trpc${path}`, withCase),
      ask(theirs.url, `/trpc${path}`, withCase),
    ]);
    // Error answers carry a stack only in development; compare them without it.
    const strip = (body: string) => body.replace(/"stack":"(?:[^"\\]|\\.)*"/g, '"stack":"…"');
    expect({ ...mine, body: strip(mine.body) }).toEqual({ ...reference, body: strip(reference.body) });
    expect(reported.ours.get(name)).toEqual(reported.theirs.get(name));
  });

  it.each([
    ["tagged", {}, 200, { "x-set-by-procedure": "tagged" }],
    ["accepted", { method: "POST", headers: { "content-type": "application/json" } }, 202, {}],
    ["limited", {}, 429, { "retry-after": "30" }],
    [`echo,limited?batch=1&input=${input({ 0: { text: "a" } })}`, {}, 207, { "retry-after": "30" }],
    ["limited,limited?batch=1", {}, 429, { "retry-after": "30" }],
  ])("answers %s with the status and headers responseMeta gives, on our side too", async (path, init, status, headers) => {
    const mine = await ask(ours.url, `/trpc/${path}`, init);
    expect(mine.status).toBe(status);
    expect(mine.headers).toMatchObject(headers);
    expect(mine.headers["x-meta"]).not.toBeNull();
  });

  it("opens a subscription with the same headers, and streams the same events", async () => {
    const read = async (url: string) => {
      const controller = new AbortController();
      const response = await fetch(`${url}/trpc/count?input=${input({ to: 2 })}`, { signal: controller.signal });
      const text = await readUntil(response, "id: 2");
      controller.abort();
      const headers = ["content-type", "cache-control", "x-accel-buffering", "vary", "x-meta"].map((name) => [
        name,
        response.headers.get(name),
      ]);
      return { status: response.status, headers, text };
    };
    const [mine, reference] = await Promise.all([read(ours.url), read(theirs.url)]);
    expect(mine).toEqual(reference);
    expect(mine.status).toBe(200);
  });

  it.each([["/mixed"], ["/broken"]])(
    "streams %s to its end byte for byte as tRPC does (restore-id, return, serialized-error)",
    async (path) => {
      const read = async (url: string, lastEventId?: string) => {
        const response = await fetch(`${url}/trpc${path}`, lastEventId ? { headers: { "last-event-id": lastEventId } } : {});
        // A development error carries its stack, which names each adapter's own frames.
        const text = (await response.text()).replace(/"stack":"(?:[^"\\]|\\.)*",/g, "");
        return { status: response.status, text };
      };
      for (const lastEventId of [undefined, "z"]) {
        const [mine, reference] = await Promise.all([read(ours.url, lastEventId), read(theirs.url, lastEventId)]);
        expect(mine).toEqual(reference);
        expect(mine.text).toMatch(/event: (return|serialized-error)/);
      }
    },
  );

  it.each([
    ["bad input", `/count?input=${input({ to: 9 })}`, {}, 400],
    ["a context that refuses", `/count?input=${input({ to: 1 })}`, { authorization: "Bearer refuse" }, 401],
  ])(
    "refuses a subscription with %s as an HTTP error before any stream, where tRPC streams the same error",
    async (_name, path, headers, status) => {
      const mine = await fetch(`${ours.url}/trpc${path}`, { headers });
      expect(mine.status).toBe(status);
      expect(mine.headers.get("content-type")).toBe("application/json");
      expect(JSON.parse(mine.headers.get("x-meta") ?? "{}")).toMatchObject({ type: "subscription", eagerGeneration: false });
      const body = (await mine.json()) as { error: unknown };

      const controller = new AbortController();
      const reference = await fetch(`${theirs.url}/trpc${path}`, { headers, signal: controller.signal });
      expect(reference.status).toBe(200);
      const text = await readUntil(reference, "event: serialized-error");
      controller.abort();
      const data = /event: serialized-error\ndata: (.*)\n/.exec(text)?.[1];
      const strip = (value: unknown) => JSON.parse(JSON.stringify(value).replace(/"stack":"(?:[^"\\]|\\.)*"/g, '"stack":"…"'));
      expect(strip(body.error)).toEqual(strip(JSON.parse(data ?? "null")));
    },
  );

  it("streams a subscription as server-sent events and ends it when the client leaves", async () => {
    const ended = subscriptionsEnded;
    const controller = new AbortController();
    const response = await fetch(`${ours.url}/trpc/count?input=${input({ to: 3 })}`, { signal: controller.signal });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    let text = "";
    while (!text.includes("id: 3")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('data: {"i":1}');
    expect(text).toContain("id: 3");
    controller.abort();
    await expect.poll(() => subscriptionsEnded, { timeout: 5_000 }).toBe(ended + 1);
  });
});
