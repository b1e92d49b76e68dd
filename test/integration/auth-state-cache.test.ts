import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { AuthenticateUseCase } from "../../server/src/modules/identity/application/authenticate.use-case.js";
import { SESSION_REPOSITORY, type SessionRepository } from "../../server/src/modules/identity/application/session.repository.js";
import { AUTH_INVALIDATION_CHANNEL, AuthStateCaches } from "../../server/src/modules/identity/infra/auth-state-caches.js";
import { CACHE, type Cache } from "../../server/src/shared/application/cache.js";
import { EVENT_BUS, type EventBus } from "../../server/src/shared/application/event-bus.js";
import { expectTrpcError } from "../support/errors.js";
import { freePort, killProcess, startRedis } from "../support/redis-server.js";
import { createTestApp, openTestApp, testConfig, type TestApp } from "../support/test-app.js";
import { PASSWORD, registerAdmin, registerUser } from "../support/users.js";

const postgresUrl = inject("postgresUrl");
const redisUrl = inject("redisUrl");
/** Each revocation is repeated: one lucky ordering of messages and requests proves little. */
const ROUNDS = 3;
const waitLong = { timeout: 10_000, interval: 20 };

/** Two API processes of one deployment: one PostgreSQL database, one Redis (cache and event bus). */
async function openDeployment(redis: string): Promise<{ a: TestApp; b: TestApp; close(): Promise<void> }> {
  const { config, dispose } = await testConfig("postgres", { REDIS_URL: redis });
  const a = await openTestApp(config);
  const b = await openTestApp(config);
  await Promise.all([trusted(a), trusted(b)]);
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await dispose();
    },
  };
}

const caches = (app: TestApp) => app.container.get(AuthStateCaches);

/** Resolves once the app's auth caches serve from memory: its invalidation subscription is live. */
const trusted = (app: TestApp) => vi.waitFor(() => expect(caches(app).sessions.isTrusted).toBe(true), waitLong);

const refused = (call: Promise<unknown>) => expectTrpcError(call, "UNAUTHORIZED");

async function authenticated(app: TestApp, bearer: string): Promise<{ sessionId: string }> {
  const caller = await app.container.get(AuthenticateUseCase).execute(bearer);
  if (caller.via !== "session") throw new Error("expected a session");
  return caller;
}

describe.runIf(postgresUrl && redisUrl)("auth state cached in each API process and invalidated from any", () => {
  let a: TestApp;
  let b: TestApp;
  let close: () => Promise<void>;
  let admin: Awaited<ReturnType<typeof registerAdmin>>;

  beforeAll(async () => {
    ({ a, b, close } = await openDeployment(redisUrl ?? ""));
    admin = await registerAdmin(a);
  });
  afterAll(() => close());
  afterEach(() => vi.restoreAllMocks());

  it("serves a warm request from memory: no database and no Redis round trip for authentication", async () => {
    const user = await registerUser(a, "warm");
    const { key } = await a.caller(user.bearer).apiKeys.create({ name: "script", scopes: ["videos:read"] });
    const authenticate = b.container.get(AuthenticateUseCase);
    await b.caller(user.bearer).auth.me();
    await authenticate.execute(`ApiKey ${key}`, "videos:read");

    const database = b.container.get<Database>(DATABASE);
    const queries = vi.spyOn(database, "client", "get");
    const redisReads = vi.spyOn(b.container.get<Cache>(CACHE), "get");
    for (let i = 0; i < 5; i++) {
      await expect(b.caller(user.bearer).auth.me()).resolves.toMatchObject({ id: user.user.id });
      await expect(authenticate.execute(`ApiKey ${key}`, "videos:read")).resolves.toMatchObject({ via: "apiKey" });
    }
    expect(queries).not.toHaveBeenCalled();
    expect(redisReads).not.toHaveBeenCalled();

    // A key's last use is still written at most once a minute, by this process too.
    b.clock.advance(61_000);
    await authenticate.execute(`ApiKey ${key}`, "videos:read");
    await authenticate.execute(`ApiKey ${key}`, "videos:read");
    expect(queries).toHaveBeenCalledTimes(1);
  });

  it("keeps serving from memory what changed behind the repositories' back: what follows tests invalidation", async () => {
    const user = await registerUser(a, "stale");
    await b.caller(user.bearer).auth.me();
    await a.container.get<Database>(DATABASE).prisma.session.updateMany({
      where: { userId: user.user.id },
      data: { revokedAt: new Date(), revokedReason: "behind the back" },
    });
    await expect(b.caller(user.bearer).auth.me()).resolves.toMatchObject({ id: user.user.id });
    await refused(a.caller(user.bearer).auth.me()); // A had not cached this session yet
  });

  it("ends a session on the other process with the next request after a logout", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerUser(a, "logout");
      await b.caller(user.bearer).auth.me();
      await a.caller(user.bearer).auth.logout({ refreshToken: user.refreshToken });
      await refused(b.caller(user.bearer).auth.me());
    }
  });

  it("does not keep the old row that the other process read between a revocation and its commit", async () => {
    const user = await registerUser(a, "straddle");
    const { sessionId } = await authenticated(b, user.bearer);
    await a.container.get<Database>(DATABASE).transaction(async () => {
      await a.container.get<SessionRepository>(SESSION_REPOSITORY).revokeSession(sessionId, "logout", new Date());
      // Another request on B, meanwhile: it sees the committed row, still active, and may cache it.
      await expect(b.caller(user.bearer).auth.me()).resolves.toMatchObject({ id: user.user.id });
    });
    await refused(b.caller(user.bearer).auth.me());
  });

  it("ends a session on the other process with the next request after its refresh token is reused", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerUser(a, "reuse");
      const rotated = await a.caller().auth.refresh({ refreshToken: user.refreshToken });
      const bearer = `Bearer ${rotated.accessToken}`;
      await b.caller(bearer).auth.me();
      await expectTrpcError(a.caller().auth.refresh({ refreshToken: user.refreshToken }), "UNAUTHORIZED", "REFRESH_TOKEN_REUSED");
      await refused(b.caller(bearer).auth.me());
    }
  });

  it("ends every other session on the other process with the next request after a password change", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerUser(a, "password");
      const other = await a.caller().auth.login({ email: user.email, password: PASSWORD });
      const otherBearer = `Bearer ${other.accessToken}`;
      await b.caller(user.bearer).auth.me();
      await b.caller(otherBearer).auth.me();
      await a.caller(user.bearer).users.changePassword({ currentPassword: PASSWORD, newPassword: `${PASSWORD} ${round}` });
      await refused(b.caller(otherBearer).auth.me());
      await expect(b.caller(user.bearer).auth.me()).resolves.toMatchObject({ id: user.user.id });
    }
  });

  it("refuses a disabled user on the other process with the next request, by session and by API key, until re-enabled", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerUser(a, "disabled");
      const { key } = await a.caller(user.bearer).apiKeys.create({ name: "script", scopes: ["videos:read"] });
      await b.caller(user.bearer).auth.me();
      await b.caller(`ApiKey ${key}`).videos.list({});
      await a.caller(admin.bearer).admin.users.setDisabled({ id: user.user.id, disabled: true });
      await refused(b.caller(user.bearer).auth.me());
      await expectTrpcError(b.caller(`ApiKey ${key}`).videos.list({}), "FORBIDDEN", "USER_DISABLED");
      await a.caller(admin.bearer).admin.users.setDisabled({ id: user.user.id, disabled: false });
      await expect(b.caller(`ApiKey ${key}`).videos.list({})).resolves.toBeTruthy();
    }
  });

  it("applies a role or tier change on the other process with the next request", async () => {
    const user = await registerUser(a, "promoted");
    const setRole = (role: "ADMIN" | "USER") => a.caller(admin.bearer).admin.users.setRole({ id: user.user.id, role });
    await expectTrpcError(b.caller(user.bearer).admin.users.list({}), "FORBIDDEN", "ADMIN_REQUIRED");
    for (let round = 0; round < ROUNDS; round++) {
      await setRole("ADMIN");
      await expect(b.caller(user.bearer).admin.users.list({})).resolves.toBeTruthy();
      await setRole("USER");
      await expectTrpcError(b.caller(user.bearer).admin.users.list({}), "FORBIDDEN", "ADMIN_REQUIRED");
    }
    for (const tier of ["PREMIUM", "FREE", "PREMIUM"] as const) {
      await a.caller(admin.bearer).admin.users.setTier({ id: user.user.id, tier });
      expect((await b.caller(user.bearer).auth.me()).tier).toBe(tier);
    }
  });

  it("refuses a revoked API key on the other process with the next request", async () => {
    const user = await registerUser(a, "revoker");
    for (let round = 0; round < ROUNDS; round++) {
      const { id, key } = await a.caller(user.bearer).apiKeys.create({ name: `key ${round}`, scopes: ["videos:read"] });
      await b.caller(`ApiKey ${key}`).videos.list({});
      await a.caller(user.bearer).apiKeys.revoke({ id });
      await expectTrpcError(b.caller(`ApiKey ${key}`).videos.list({}), "UNAUTHORIZED", "INVALID_API_KEY");
    }
  });
});

describe.runIf(postgresUrl && redisUrl)("auth state caches while the event bus is down", () => {
  let port: number;
  let redis: ChildProcess;
  let a: TestApp;
  let b: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port); // a private one: this suite kills it
    ({ a, b, close } = await openDeployment(`redis://127.0.0.1:${port}`));
  });
  afterAll(async () => {
    await close();
    await killProcess(redis);
  });

  it("reads the database instead while invalidations cannot arrive, and forgets what it held once they can", async () => {
    const user = await registerUser(a, "outage");
    const bystander = await registerUser(a, "bystander");
    await b.caller(user.bearer).auth.me();
    await b.caller(bystander.bearer).auth.me();

    await killProcess(redis);
    await vi.waitFor(() => expect(caches(b).sessions.isTrusted).toBe(false), waitLong);
    // The logout's message is lost with Redis; B must not answer from what it cached before.
    await a.caller(user.bearer).auth.logout({ refreshToken: user.refreshToken });
    await refused(b.caller(user.bearer).auth.me());
    await expect(b.caller(bystander.bearer).auth.me()).resolves.toMatchObject({ id: bystander.user.id });

    redis = await startRedis(port);
    await trusted(b);
    await refused(b.caller(user.bearer).auth.me());
    await expect(b.caller(bystander.bearer).auth.me()).resolves.toMatchObject({ id: bystander.user.id });
  });
});

describe("auth state caches on the embedded defaults (one process, in-process bus)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp("pglite");
    await trusted(app);
  });
  afterAll(() => app.close());

  it("forgets everything on an invalidation it does not understand, as from a newer release", async () => {
    const user = await registerUser(app, "newer");
    await app.caller(user.bearer).auth.me();
    expect(caches(app).sessions.size).toBe(1);
    expect(caches(app).users.size).toBe(1);
    await app.container.get<EventBus>(EVENT_BUS).publish(AUTH_INVALIDATION_CHANNEL, { kind: "team", id: user.user.id });
    expect(caches(app).sessions.size).toBe(0);
    expect(caches(app).users.size).toBe(0);
    await expect(app.caller(user.bearer).auth.me()).resolves.toMatchObject({ id: user.user.id });
  });
});
