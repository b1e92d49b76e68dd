import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

/**
 * The limits over real HTTP, with small budgets so nothing waits for a window. TRUST_PROXY is on,
 * so each test speaks from an address of its own (X-Forwarded-For) and spends its own budgets.
 */
const LIMITS = {
  TRUST_PROXY: "true",
  RATE_LIMIT_IP_POINTS: "5",
  RATE_LIMIT_CALLER_POINTS: "6",
  RATE_LIMIT_LOGIN_POINTS: "3",
  RATE_LIMIT_REGISTER_POINTS: "4",
  RATE_LIMIT_UPLOAD_POINTS: "2",
};

interface ErrorBody {
  error: { data: { code: string; httpStatus: number; errorCode: string; correlationId: string; retryAfterSeconds?: number } };
}

let api: HttpTestApi;
let lastAddress = 0;
/** A fresh address for each test. */
const from = () => ({ "x-forwarded-for": `198.51.100.${++lastAddress}` });

beforeAll(async () => {
  api = await startHttpApi("pglite", LIMITS);
});
afterAll(() => api.close());

async function register(address: Record<string, string>, label: string) {
  const email = uniqueEmail(label);
  const response = await api.post("/trpc/auth.register", { email, password: PASSWORD }, address);
  expect(response.status).toBe(200);
  const { result } = (await response.json()) as { result: { data: { accessToken: string } } };
  const auth: Record<string, string> = { ...address, authorization: `Bearer ${result.data.accessToken}` };
  return { email, auth };
}

function expectLimited(response: Response, limit: number) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(response.headers.get("ratelimit-limit")).toBe(String(limit));
  expect(response.headers.get("ratelimit-remaining")).toBe("0");
  expect(Number(response.headers.get("ratelimit-reset"))).toBe(retryAfter);
  return retryAfter;
}

describe("rate limits over HTTP", () => {
  it("counts every unauthenticated call of an address, refused credentials too, and answers the next with 429", async () => {
    const address = from();
    const answers = [
      await api.get("/trpc/auth.me", undefined, address),
      await api.get("/trpc/auth.me", undefined, { ...address, authorization: "Bearer not-a-token" }),
      await api.post("/trpc/auth.refresh", { refreshToken: "nope" }, address),
      await api.get("/trpc/auth.me", undefined, address),
      await api.get("/trpc/auth.me", undefined, address),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    const live = await fetch(`${api.url}/health/live`, { headers: address });
    expect(live.status).toBe(200);

    const refused = await api.get("/trpc/auth.me", undefined, { ...address, "x-request-id": "limited-1" });
    const retryAfter = expectLimited(refused, 5);
    const body = (await refused.json()) as ErrorBody;
    expect(body.error.data).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      httpStatus: 429,
      errorCode: "RATE_LIMITED",
      correlationId: "limited-1",
      retryAfterSeconds: retryAfter,
    });
    expect(refused.headers.get("x-request-id")).toBe("limited-1");
    // Another address is not affected.
    expect((await api.get("/trpc/auth.me", undefined, from())).status).toBe(401);
  });

  it("tells a batch with one refused call when to come back, in the headers and in that call's data", async () => {
    const address = from();
    const calls = Array.from({ length: 6 }, () => "auth.me").join(",");
    const response = await fetch(`${api.url}/trpc/${calls}?batch=1`, { headers: address });
    // Different outcomes in one batch: tRPC answers 207 Multi-Status.
    expect(response.status).toBe(207);
    const retryAfter = Number(response.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(response.headers.get("ratelimit-limit")).toBe("5");
    const body = (await response.json()) as ErrorBody[];
    expect(body.map((entry) => entry.error.data.httpStatus)).toEqual([401, 401, 401, 401, 401, 429]);
    expect(body[5]?.error.data).toMatchObject({ errorCode: "RATE_LIMITED", retryAfterSeconds: retryAfter });
    expect(body[0]?.error.data).not.toHaveProperty("retryAfterSeconds");
  });

  it("locks an email out of logins from an address, the right password included, but not another email", async () => {
    const { email } = await register(from(), "lockout");
    const other = await register(from(), "other");
    // 3 + 1 + 1 calls: within this address's general budget (5), so the login limit is what refuses.
    const address = from();
    for (let attempt = 0; attempt < 3; attempt++) {
      const wrong = await api.post(
        "/trpc/auth.login",
        { email: attempt === 1 ? ` ${email.toUpperCase()}` : email, password: "wrong password!" },
        address,
      );
      expect(wrong.status).toBe(401);
    }
    const right = await api.post("/trpc/auth.login", { email, password: PASSWORD }, address);
    expectLimited(right, 3);
    expect(((await right.json()) as ErrorBody).error.data.errorCode).toBe("RATE_LIMITED");

    expect((await api.post("/trpc/auth.login", { email: other.email, password: PASSWORD }, address)).status).toBe(200);
    // The same email from elsewhere has its own budget.
    expect((await api.post("/trpc/auth.login", { email, password: PASSWORD }, from())).status).toBe(200);
  });

  it("limits sign-ups per address", async () => {
    const address = from();
    for (let n = 0; n < 4; n++) await register(address, `signup${n}`);
    const fifth = await api.post("/trpc/auth.register", { email: uniqueEmail("signup"), password: PASSWORD }, address);
    expectLimited(fifth, 4);
  });

  it("gives a signed-in user a budget of their own, and each of their API keys its own", async () => {
    const { auth } = await register(from(), "caller");
    const created = await api.post("/trpc/apiKeys.create", { name: "script", scopes: ["videos:read"] }, auth);
    expect(created.status).toBe(200);
    const { result } = (await created.json()) as { result: { data: { key: string } } };
    for (let n = 0; n < 5; n++) expect((await api.get("/trpc/auth.me", undefined, auth)).status).toBe(200);
    expectLimited(await api.get("/trpc/auth.me", undefined, auth), 6);

    // Same address, same user: the key's budget is whole.
    const key = { "x-forwarded-for": auth["x-forwarded-for"] ?? "", authorization: `ApiKey ${result.data.key}` };
    expect((await api.get("/trpc/videos.list", { limit: 1 }, key)).status).toBe(200);
  });

  it("limits new uploads per user", async () => {
    const { auth } = await register(from(), "uploader");
    const answers: number[] = [];
    for (let n = 0; n < 3; n++) {
      const video = await api.post("/trpc/videos.create", { title: `Clip ${n}` }, auth);
      const { result } = (await video.json()) as { result: { data: { id: string } } };
      const upload = { id: result.data.id, filename: "clip.mp4", contentType: "video/mp4", sizeBytes: 1000 };
      answers.push((await api.post("/trpc/videos.createUpload", upload, auth)).status);
    }
    expect(answers).toEqual([200, 200, 429]);
  });
});

describe("which address counts", () => {
  let direct: HttpTestApi;
  beforeAll(async () => {
    direct = await startHttpApi("pglite", { ...LIMITS, TRUST_PROXY: "false", RATE_LIMIT_IP_POINTS: "2" });
  });
  afterAll(() => direct.close());

  it("ignores X-Forwarded-For without TRUST_PROXY: the connection's address pays", async () => {
    expect((await direct.get("/trpc/auth.me", undefined, { "x-forwarded-for": "192.0.2.1" })).status).toBe(401);
    expect((await direct.get("/trpc/auth.me", undefined, { "x-forwarded-for": "192.0.2.2" })).status).toBe(401);
    expectLimited(await direct.get("/trpc/auth.me", undefined, { "x-forwarded-for": "192.0.2.3" }), 2);
  });
});
