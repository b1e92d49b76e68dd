import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createReelbaseClient,
  createTokenStore,
  errorCodeOf,
  ErrorCodes,
  isReelbaseError,
  type ReelbaseTokens,
} from "../../client/src/index.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

/** Counts the HTTP requests the client makes, to see batching and refreshes on the wire. */
function countingFetch(): { fetch: typeof fetch; paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    fetch: (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      paths.push(new URL(url).pathname.replace("/trpc/", ""));
      return fetch(input, init);
    },
  };
}

describe("@reelbase/client against the real API", () => {
  let api: HttpTestApi;
  beforeAll(async () => {
    api = await startHttpApi("pglite");
  });
  afterAll(() => api.close());

  it("signs up, uses the session and signs out with a token store", async () => {
    const store = createTokenStore();
    const client = createReelbaseClient({ url: api.url, auth: { type: "bearer", store } });
    const email = uniqueEmail("client");
    store.set(await client.auth.register.mutate({ email, password: PASSWORD, name: "Client" }));
    const me = await client.auth.me.query();
    expect(me).toMatchObject({ email, name: "Client", role: "USER" });
    await client.auth.logout.mutate({ refreshToken: store.get()!.refreshToken });
    store.clear();
    const error = await client.auth.me.query().catch((caught: unknown) => caught);
    expect(errorCodeOf(error)).toBe(ErrorCodes.UNAUTHENTICATED);
  });

  it("batches calls made together into one request", async () => {
    const store = createTokenStore();
    const wire = countingFetch();
    const client = createReelbaseClient({ url: api.url, auth: { type: "bearer", store }, fetch: wire.fetch });
    store.set(await client.auth.register.mutate({ email: uniqueEmail(), password: PASSWORD }));
    wire.paths.length = 0;
    const [me, keys] = await Promise.all([client.auth.me.query(), client.apiKeys.list.query()]);
    expect(me.email).toContain("@example.com");
    expect(keys).toEqual([]);
    expect(wire.paths).toEqual(["auth.me,apiKeys.list"]);
  });

  it("refreshes by itself when the server says the access token expired, and reports new tokens", async () => {
    const email = uniqueEmail("refresh");
    const anonymous = createReelbaseClient({ url: api.url });
    const session = await anonymous.auth.register.mutate({ email, password: PASSWORD });
    const seen: (ReelbaseTokens | null)[] = [];
    const wire = countingFetch();
    const client = createReelbaseClient({
      url: api.url,
      fetch: wire.fetch,
      auth: {
        type: "bearer",
        accessToken: session.accessToken,
        refreshToken: session.refreshToken,
        onTokens: (tokens) => seen.push(tokens),
      },
    });
    api.clock.advance(16 * 60 * 1000);
    try {
      await expect(client.auth.me.query()).resolves.toMatchObject({ email });
      expect(wire.paths).toEqual(["auth.me", "auth.refresh", "auth.me"]);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.refreshToken).not.toBe(session.refreshToken);
      // The old refresh token was rotated: presenting it again would burn the family.
      const reuse = await anonymous.auth.refresh
        .mutate({ refreshToken: session.refreshToken })
        .catch((caught: unknown) => caught);
      expect(isReelbaseError(reuse, ErrorCodes.REFRESH_TOKEN_REUSED)).toBe(true);
      // ...which is what happened: the client now holds a dead session and says so.
      const after = await client.auth.me.query().catch((caught: unknown) => caught);
      expect(isReelbaseError(after)).toBe(true);
    } finally {
      api.clock.advance(-16 * 60 * 1000);
    }
  });

  it("refreshes before the call when it holds no access token, sharing one refresh across calls", async () => {
    const session = await createReelbaseClient({ url: api.url }).auth.register.mutate({
      email: uniqueEmail(),
      password: PASSWORD,
    });
    const wire = countingFetch();
    const client = createReelbaseClient({
      url: api.url,
      fetch: wire.fetch,
      auth: { type: "bearer", refreshToken: session.refreshToken },
    });
    await Promise.all([client.auth.me.query(), client.auth.me.query(), client.apiKeys.list.query()]);
    expect(wire.paths.filter((path) => path === "auth.refresh")).toHaveLength(1);
  });

  it("serves scripts with an API key and carries typed error codes", async () => {
    const store = createTokenStore();
    const user = createReelbaseClient({ url: api.url, auth: { type: "bearer", store } });
    store.set(await user.auth.register.mutate({ email: uniqueEmail("script"), password: PASSWORD }));
    const { key } = await user.apiKeys.create.mutate({ name: "script", scopes: ["videos:read"] });
    const script = createReelbaseClient({ url: api.url, auth: { type: "apiKey", key } });
    const refused = await script.auth.me.query().catch((caught: unknown) => caught);
    expect(isReelbaseError(refused, ErrorCodes.API_KEY_NOT_ALLOWED)).toBe(true);
    if (isReelbaseError(refused)) expect(refused.data?.httpStatus).toBe(403);
    const invalid = await createReelbaseClient({ url: api.url })
      .auth.register.mutate({ email: "x", password: "y" })
      .catch((caught: unknown) => caught);
    expect(isReelbaseError(invalid, ErrorCodes.VALIDATION_FAILED)).toBe(true);
    if (isReelbaseError(invalid)) expect(Object.keys(invalid.data?.fieldErrors ?? {}).sort()).toEqual(["email", "password"]);
  });
});
