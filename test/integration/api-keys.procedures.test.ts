import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { API_KEY_REPOSITORY, type ApiKeyRepository } from "../../server/src/modules/identity/application/api-key.repository.js";
import { hashOpaqueToken } from "../../server/src/modules/identity/application/opaque-tokens.js";
import { createCallerFactory, router, scopedProcedure } from "../../server/src/trpc/init.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { expectTrpcError } from "../support/errors.js";
import { registerUser } from "../support/users.js";

/** The real scopedProcedure on a probe router: videos/jobs procedures arrive with their contexts. */
const probeRouter = router({
  read: scopedProcedure("videos:read")
    .output(z.object({ userId: z.string(), via: z.string() }))
    .query(({ ctx }) => ({ userId: ctx.caller.userId, via: ctx.caller.via })),
});
const createProbeCaller = createCallerFactory(probeRouter);

describe.each(backends())("API keys on %s", (backend) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(backend);
  });
  afterAll(() => app.close());

  it("shows the key once, stores only its hash and lists it without the secret", async () => {
    const { bearer, user } = await registerUser(app);
    const created = await app.caller(bearer).apiKeys.create({ name: "ci", scopes: ["videos:read", "videos:read", "jobs:read"] });
    expect(created.key).toMatch(/^rb_live_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.scopes).toEqual(["videos:read", "jobs:read"]);
    const stored = await app.container.get<ApiKeyRepository>(API_KEY_REPOSITORY).findByHash(hashOpaqueToken(created.key));
    expect(stored?.userId).toBe(user.id);
    const listed = await app.caller(bearer).apiKeys.list();
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.key);
  });

  it("authenticates scoped procedures, records last use, and refuses a missing scope", async () => {
    const { bearer, user } = await registerUser(app);
    const reader = await app.caller(bearer).apiKeys.create({ name: "reader", scopes: ["videos:read"] });
    const writer = await app.caller(bearer).apiKeys.create({ name: "writer", scopes: ["videos:write"] });
    await expect(createProbeCaller(app.context(`ApiKey ${reader.key}`)).read()).resolves.toEqual({
      userId: user.id,
      via: "apiKey",
    });
    await expectTrpcError(createProbeCaller(app.context(`ApiKey ${writer.key}`)).read(), "FORBIDDEN", "API_KEY_SCOPE_MISSING");
    // A signed-in user is not limited by scopes.
    await expect(createProbeCaller(app.context(bearer)).read()).resolves.toMatchObject({ via: "session" });
    const [listedWriter, listedReader] = await app.caller(bearer).apiKeys.list();
    expect(listedReader?.lastUsedAt).not.toBeNull();
    expect(listedWriter?.lastUsedAt).not.toBeNull();
  });

  it("never lets an API key reach auth, apiKeys or admin procedures", async () => {
    const { bearer } = await registerUser(app);
    const { key } = await app
      .caller(bearer)
      .apiKeys.create({ name: "all", scopes: ["videos:read", "videos:write", "jobs:read", "jobs:write"] });
    const viaKey = app.caller(`ApiKey ${key}`);
    await expectTrpcError(viaKey.auth.me(), "FORBIDDEN", "API_KEY_NOT_ALLOWED");
    await expectTrpcError(viaKey.apiKeys.list(), "FORBIDDEN", "API_KEY_NOT_ALLOWED");
    await expectTrpcError(viaKey.apiKeys.create({ name: "x", scopes: ["videos:read"] }), "FORBIDDEN", "API_KEY_NOT_ALLOWED");
    await expectTrpcError(viaKey.users.updateProfile({ name: "x" }), "FORBIDDEN", "API_KEY_NOT_ALLOWED");
    await expectTrpcError(viaKey.admin.users.list({}), "FORBIDDEN", "API_KEY_NOT_ALLOWED");
  });

  it("keeps one user's keys invisible and unrevocable to another", async () => {
    const alice = await registerUser(app, "alice");
    const bob = await registerUser(app, "bob");
    const aliceKey = await app.caller(alice.bearer).apiKeys.create({ name: "alice", scopes: ["videos:read"] });
    expect(await app.caller(bob.bearer).apiKeys.list()).toEqual([]);
    await expectTrpcError(app.caller(bob.bearer).apiKeys.revoke({ id: aliceKey.id }), "NOT_FOUND", "API_KEY_NOT_FOUND");
    await expect(createProbeCaller(app.context(`ApiKey ${aliceKey.key}`)).read()).resolves.toMatchObject({
      userId: alice.user.id,
    });
  });

  it("stops a revoked key at once", async () => {
    const { bearer } = await registerUser(app);
    const { id, key } = await app.caller(bearer).apiKeys.create({ name: "temp", scopes: ["videos:read"] });
    const revoked = await app.caller(bearer).apiKeys.revoke({ id });
    expect(revoked.revokedAt).not.toBeNull();
    await expectTrpcError(createProbeCaller(app.context(`ApiKey ${key}`)).read(), "UNAUTHORIZED", "INVALID_API_KEY");
    await expectTrpcError(app.caller(bearer).apiKeys.revoke({ id: "not-a-uuid" }), "BAD_REQUEST");
  });
});
