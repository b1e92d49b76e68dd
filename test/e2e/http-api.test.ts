import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

interface ErrorBody {
  error: {
    message: string;
    data: {
      code: string;
      httpStatus: number;
      errorCode: string;
      correlationId: string;
      fieldErrors?: Record<string, string[]>;
      stack?: string;
    };
  };
}

describe("the API over real HTTP", () => {
  let api: HttpTestApi;
  beforeAll(async () => {
    api = await startHttpApi("pglite", { CORS_ORIGINS: "https://app.example.com", BODY_LIMIT: "10kb" });
  });
  afterAll(() => api.close());

  it("keeps an incoming X-Request-Id and makes one up otherwise", async () => {
    const kept = await api.get("/health/ready", undefined, { "x-request-id": "trace-123" });
    expect(kept.headers.get("x-request-id")).toBe("trace-123");
    const made = await api.get("/health/ready", undefined, { "x-request-id": "bad id with spaces\n" });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers invalid input with 400, field errors and the correlation id", async () => {
    const response = await api.post("/trpc/auth.register", { email: "nope", password: 42 }, { "x-request-id": "bad-input-1" });
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.data).toMatchObject({
      code: "BAD_REQUEST",
      httpStatus: 400,
      errorCode: "VALIDATION_FAILED",
      correlationId: "bad-input-1",
    });
    expect(Object.keys(body.error.data.fieldErrors ?? {}).sort()).toEqual(["email", "password"]);
  });

  it("never answers malformed requests with a 500", async () => {
    const malformed = await fetch(`${api.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    const tooBig = await api.post("/trpc/auth.login", { email: "a@b.co", password: "x".repeat(20_000) });
    expect(tooBig.status).toBe(413);
    const unknown = await api.post("/trpc/auth.nothing", {});
    expect(unknown.status).toBe(404);
    const wrongMethod = await api.get("/trpc/auth.register", { email: "a@b.co", password: PASSWORD });
    expect(wrongMethod.status).toBe(405);
    const nothing = await api.post("/trpc/auth.register", undefined);
    expect(nothing.status).toBe(400);
  });

  it("maps domain errors onto HTTP statuses with stable codes", async () => {
    const email = uniqueEmail();
    expect((await api.post("/trpc/auth.register", { email, password: PASSWORD })).status).toBe(200);
    const duplicate = await api.post("/trpc/auth.register", { email, password: PASSWORD });
    expect(duplicate.status).toBe(409);
    expect(((await duplicate.json()) as ErrorBody).error.data.errorCode).toBe("EMAIL_TAKEN");
    const anonymous = await api.get("/trpc/auth.me");
    expect(anonymous.status).toBe(401);
  });

  it("reports liveness and readiness with the database, storage and queue checked", async () => {
    const live = await api.get("/health/live", undefined, { "x-request-id": "liveness-probe" });
    expect(live.status).toBe(200);
    expect(live.headers.get("cache-control")).toBe("no-store");
    expect(await live.json()).toEqual({ status: "ok" });
    expect((await fetch(`${api.url}/health/live`, { method: "HEAD" })).status).toBe(200);
    // Probes come every few seconds from every orchestrator: they are answered ahead of the access log.
    expect(api.logs().filter((line) => line.correlationId === "liveness-probe")).toEqual([]);
    expect((await fetch(`${api.url}/health/live`, { method: "POST" })).status).toBe(404);
    const ready = await api.get("/health/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ok",
      checks: { database: "ok", storage: "ok", queue: "ok" },
      adapters: { database: "pglite", storage: "local", queue: "embedded" },
    });
  });

  it("sends security headers and honours the CORS allow-list", async () => {
    const allowed = await api.get("/health/ready", undefined, { origin: "https://app.example.com" });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("x-content-type-options")).toBe("nosniff");
    expect(allowed.headers.get("x-powered-by")).toBeNull();
    const denied = await api.get("/health/ready", undefined, { origin: "https://evil.example.com" });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("logs every line of a request with its correlation id, user and path, and never a secret", async () => {
    const email = uniqueEmail("logged");
    const registered = await api.post("/trpc/auth.register", { email, password: PASSWORD }, { "x-request-id": "log-register" });
    const session = ((await registered.json()) as { result: { data: { accessToken: string; refreshToken: string } } }).result
      .data;
    await api.get("/trpc/auth.me", undefined, { authorization: `Bearer ${session.accessToken}`, "x-request-id": "log-me" });
    await api.post("/trpc/auth.login", { email, password: "a wrong password" }, { "x-request-id": "log-fail" });
    const meLines = api.logs().filter((line) => line.correlationId === "log-me");
    expect(meLines.length).toBeGreaterThan(0);
    for (const line of meLines) expect(line).toMatchObject({ path: "auth.me", userId: expect.any(String) });
    expect(api.logs().filter((line) => line.correlationId === "log-fail").length).toBeGreaterThan(0);
    const everything = api.rawLogs();
    for (const secret of [PASSWORD, "a wrong password", session.accessToken, session.refreshToken])
      expect(everything).not.toContain(secret);
  });
});

describe("the API in production mode", () => {
  let api: HttpTestApi;
  beforeAll(async () => {
    api = await startHttpApi("pglite", { NODE_ENV: "production" });
  });
  afterAll(() => api.close());

  it("hides internal errors and reports the failing part when the database is gone", async () => {
    const { container } = api;
    const { DATABASE } = await import("../../server/src/database/database.js");
    await container.get<{ close(): Promise<void> }>(DATABASE).close();
    const failed = await api.post("/trpc/auth.login", { email: uniqueEmail(), password: PASSWORD });
    expect(failed.status).toBe(500);
    const body = (await failed.json()) as ErrorBody;
    expect(body.error.message).toBe("Internal server error");
    expect(body.error.data.errorCode).toBe("INTERNAL");
    expect(body.error.data.stack).toBeUndefined();
    expect(JSON.stringify(body)).not.toMatch(/prisma|select|pglite/i);
    const ready = await api.get("/health/ready");
    expect(ready.status).toBe(503);
    // The embedded queue is the jobs table: it is down with the database.
    expect(await ready.json()).toMatchObject({ status: "unavailable", failing: ["database", "queue"] });
  });
});
