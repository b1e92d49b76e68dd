import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultOf } from "../support/http-admin.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

interface ErrorBody {
  error: { data: { httpStatus: number; errorCode: string; fieldErrors?: Record<string, string[]> } };
}

/**
 * A call with no input at all is read as `{}` (trpc/middlewares/absent-input.middleware.ts): a query
 * whose fields are all optional answers with its defaults, one with a required field is still a 400,
 * and input that is present is validated as before.
 */
describe("calls without input", () => {
  let api: HttpTestApi;
  let auth: Record<string, string>;

  beforeAll(async () => {
    api = await startHttpApi();
    const session = await resultOf<{ accessToken: string }>(
      await api.post("/trpc/auth.register", { email: uniqueEmail("absent"), password: PASSWORD }),
    );
    auth = { authorization: `Bearer ${session.accessToken}` };
  });
  afterAll(() => api?.close());

  const get = (path: string) => fetch(`${api.url}/trpc/${path}`, { headers: auth });

  it.each(["videos.list", "jobs.list", "credits.ledger"])("GET %s with no ?input= answers the first page", async (path) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { data: { items: unknown[]; nextCursor: string | null } } };
    expect(body.result.data).toEqual({ items: expect.any(Array), nextCursor: null });
  });

  it("answers the same as with {} (the defaults applied), also in a batch", async () => {
    const empty = await api.get("/trpc/credits.ledger", {}, auth);
    expect(await (await get("credits.ledger")).json()).toEqual(await empty.json());
    const batch = await get("videos.list,jobs.list,credits.ledger?batch=1");
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as unknown[]).length).toBe(3);
  });

  it("still refuses a required input that is absent, naming the missing fields", async () => {
    const query = await get("videos.get");
    expect(query.status).toBe(400);
    const queryBody = (await query.json()) as ErrorBody;
    expect(queryBody.error.data).toMatchObject({ httpStatus: 400, errorCode: "VALIDATION_FAILED" });
    expect(Object.keys(queryBody.error.data.fieldErrors ?? {})).toEqual(["id"]);

    const mutation = await fetch(`${api.url}/trpc/videos.create`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
    });
    expect(mutation.status).toBe(400);
    const mutationBody = (await mutation.json()) as ErrorBody;
    expect(mutationBody.error.data).toMatchObject({ httpStatus: 400, errorCode: "VALIDATION_FAILED" });
    expect(Object.keys(mutationBody.error.data.fieldErrors ?? {})).toEqual(["title"]);
  });

  it("validates input that is present exactly as before", async () => {
    for (const input of [null, { limit: 0 }, { limit: 101 }, { cursor: "not-a-cursor" }, "text", []]) {
      const response = await api.get("/trpc/videos.list", input, auth);
      expect(response.status, JSON.stringify(input)).toBe(400);
    }
    const nullBody = await api.post("/trpc/videos.create", null, auth);
    expect(nullBody.status).toBe(400);
  });

  it("still needs credentials first", async () => {
    expect((await fetch(`${api.url}/trpc/videos.list`)).status).toBe(401);
  });
});
