import { TRPCError } from "@trpc/server";
import { getErrorShape } from "@trpc/server/unstable-core-do-not-import";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../server/src/trpc/app.router.js";
import type { Context } from "../../server/src/trpc/context.js";
import { request } from "../support/fuzz/transport.js";
import { registerAdminOverHttp, resultOf } from "../support/http-admin.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { backends } from "../support/test-app.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

interface ErrorData {
  code: string;
  httpStatus: number;
  errorCode: string;
  correlationId: string;
  fieldErrors?: Record<string, string[]>;
  stack?: string;
}

async function errorOf(response: Response): Promise<ErrorData & { status: number }> {
  const body = (await response.json()) as { error: { data: ErrorData } };
  return { status: response.status, ...body.error.data };
}

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const UUID = "00000000-0000-4000-8000-000000000000";

describe.each(backends())("hostile input over HTTP on %s", (backend) => {
  let api: HttpTestApi;
  let admin: Awaited<ReturnType<typeof registerAdminOverHttp>>;
  beforeAll(async () => {
    api = await startHttpApi(backend);
    admin = await registerAdminOverHttp(api);
  });
  afterAll(() => api.close());

  const expectFieldError = async (response: Response, field: string) => {
    const error = await errorOf(response);
    expect(error, field).toMatchObject({ status: 400, code: "BAD_REQUEST", errorCode: "VALIDATION_FAILED" });
    expect(Object.keys(error.fieldErrors ?? {}), field).toContain(field);
  };

  it("refuses NUL bytes and lone surrogates in every kind of text field with 400 naming the field", async () => {
    for (const bad of ["a\u0000b", "a\ud800b", "\udc00"]) {
      await expectFieldError(await api.post("/trpc/videos.create", { title: bad }, admin.headers), "title");
      await expectFieldError(
        await api.post("/trpc/videos.create", { title: "ok", description: bad }, admin.headers),
        "description",
      );
      await expectFieldError(await api.post("/trpc/users.updateProfile", { name: bad }, admin.headers), "name");
      await expectFieldError(await api.get("/trpc/videos.list", { search: bad }, admin.headers), "search");
      await expectFieldError(await api.get("/trpc/admin.users.list", { email: bad }, admin.headers), "email");
      await expectFieldError(
        await api.post("/trpc/auth.register", { email: uniqueEmail(), password: PASSWORD, name: bad }),
        "name",
      );
      await expectFieldError(await api.post("/trpc/auth.refresh", { refreshToken: bad }), "refreshToken");
    }
    // Control: text outside the Basic Multilingual Plane is a proper surrogate pair and is kept.
    const created = await resultOf<{ title: string }>(await api.post("/trpc/videos.create", { title: "🎬 𝕏" }, admin.headers));
    expect(created.title).toBe("🎬 𝕏");
  });

  it("refuses crafted cursors at the edge with 400 naming the cursor", async () => {
    const crafted = [
      cursorOf(["2026-01-01T00:00:00Z", "not-a-uuid"]),
      cursorOf(["2026-01-01T00:00:00Z", "1' OR '1'='1"]),
      cursorOf(["0000-01-01T00:00:00Z", UUID]),
      cursorOf(["+275760-09-13T00:00:00Z", UUID]),
      cursorOf(["-001000-01-01T00:00:00Z", UUID]),
      "a\u0000b",
    ];
    for (const cursor of crafted) {
      for (const path of ["videos.list", "admin.users.list", "admin.audit.list"]) {
        await expectFieldError(await api.get(`/trpc/${path}`, { cursor }, admin.headers), "cursor");
      }
    }
  });

  it("bounds dates in filters to the years 1000–9999 (UTC) and accepts the bounds", async () => {
    for (const bad of [
      "0000-01-01T00:00:00Z",
      "0999-12-31T23:59:59Z",
      "0001-01-01T00:00:00+14:00",
      "9999-12-31T23:59:59-14:00",
    ]) {
      await expectFieldError(await api.get("/trpc/admin.audit.list", { from: bad }, admin.headers), "from");
      await expectFieldError(await api.get("/trpc/admin.audit.list", { to: bad }, admin.headers), "to");
    }
    const bounds = { from: "1000-01-01T00:00:00Z", to: "9999-12-31T23:59:59.999Z" };
    expect((await api.get("/trpc/admin.audit.list", bounds, admin.headers)).status).toBe(200);
  });

  it("answers TRACE and other methods tRPC does not serve with 405 in the contract's error shape (docs/product-contract.md §2)", async () => {
    for (const method of ["TRACE", "PROPFIND", "MKCOL", "LOCK", "PURGE", "PUT", "PATCH", "DELETE"]) {
      const answer = await request(api.url, { method, path: "/trpc/auth.me", headers: { "x-request-id": `m-${method}` } });
      expect(answer.status, method).toBe(405);
      expect(answer.headers.allow, method).toBe("GET, HEAD, POST");
      expect(JSON.parse(answer.body).error.data, method).toMatchObject({
        code: "METHOD_NOT_SUPPORTED",
        httpStatus: 405,
        errorCode: "METHOD_NOT_ALLOWED",
        correlationId: `m-${method}`,
      });
    }
    // Methods Node's own parser does not know never reach the app: a bare 400 from Node, not a 500.
    const unknown = await request(api.url, { method: "FUZZ", path: "/trpc/auth.me" }).catch(() => ({ status: 400 }));
    expect(unknown.status).toBe(400);
  });

  it("gives tRPC's own 405 and 415 their own errorCodes, not INTERNAL", async () => {
    const getMutation = await errorOf(await api.get("/trpc/auth.register", { email: "a@b.co", password: PASSWORD }));
    expect(getMutation).toMatchObject({ status: 405, code: "METHOD_NOT_SUPPORTED", errorCode: "METHOD_NOT_ALLOWED" });
    const postQuery = await errorOf(await api.post("/trpc/auth.me", {}, admin.headers));
    expect(postQuery).toMatchObject({ status: 405, code: "METHOD_NOT_SUPPORTED", errorCode: "METHOD_NOT_ALLOWED" });
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded"]) {
      const response = await fetch(`${api.url}/trpc/auth.login`, {
        method: "POST",
        headers: { "content-type": contentType },
        body: "{}",
      });
      expect(await errorOf(response), contentType).toMatchObject({
        status: 415,
        code: "UNSUPPORTED_MEDIA_TYPE",
        errorCode: "UNSUPPORTED_MEDIA_TYPE",
      });
    }
  });

  it("marks auth answers, batches and every other tRPC answer Cache-Control: no-store", async () => {
    const email = uniqueEmail();
    const registered = await api.post("/trpc/auth.register", { email, password: PASSWORD });
    const { refreshToken } = await resultOf<{ refreshToken: string }>(registered.clone());
    const answers = [
      registered,
      await api.post("/trpc/auth.login", { email, password: PASSWORD }),
      await api.post("/trpc/auth.refresh", { refreshToken }),
      await api.get("/trpc/auth.me", undefined, admin.headers),
      await api.post("/trpc/auth.login,auth.login?batch=1", {
        0: { email, password: PASSWORD },
        1: { email, password: "wrong" },
      }),
      await api.post("/trpc/auth.login", { email, password: "wrong" }),
      await api.get("/trpc/videos.list", {}, admin.headers),
    ];
    for (const response of answers) expect(response.headers.get("cache-control"), response.url).toBe("no-store");
  });

  it("escapes LIKE wildcards in the admin email filter", async () => {
    const list = async (email: string) =>
      (
        await resultOf<{ items: Array<{ email: string }> }>(
          await api.get("/trpc/admin.users.list", { email, limit: 100 }, admin.headers),
        )
      ).items;
    expect(await list("%")).toEqual([]);
    expect(await list("_")).toEqual([]);
    expect((await list(admin.email.slice(0, 8))).map((user) => user.email)).toContain(admin.email);
  });

  it("attaches no stack to a 4xx in a non-production run", async () => {
    const error = await errorOf(await api.post("/trpc/videos.create", { title: "" }, admin.headers));
    expect(error.status).toBe(400);
    expect(error).not.toHaveProperty("stack");
  });
});

describe("the error formatter outside production", () => {
  const shape = (code: TRPCError["code"]) =>
    getErrorShape({
      config: appRouter._def._config,
      error: new TRPCError({ code, message: "x" }),
      type: "query",
      path: "videos.get",
      input: undefined,
      ctx: { requestId: "r", exposeErrorDetails: true } as Context,
    });

  it("shows a stack for a 5xx only", () => {
    expect(shape("INTERNAL_SERVER_ERROR").data).toHaveProperty("stack");
    for (const code of ["BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND", "METHOD_NOT_SUPPORTED", "UNSUPPORTED_MEDIA_TYPE"] as const) {
      expect(shape(code).data, code).not.toHaveProperty("stack");
    }
  });
});
