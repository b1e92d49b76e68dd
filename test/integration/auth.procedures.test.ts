import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { expectTrpcError } from "../support/errors.js";
import { PASSWORD, registerUser, uniqueEmail } from "../support/users.js";

describe.each(backends())("auth procedures on %s", (backend) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(backend);
  });
  afterAll(() => app.close());

  it("registers a user with a lower-cased email and returns a working session", async () => {
    const email = uniqueEmail("Mixed").replace("mixed", "MiXeD");
    const session = await app.caller().auth.register({ email: `  ${email}  `, password: PASSWORD, name: " Ada " });
    expect(session.user).toMatchObject({ email: email.toLowerCase(), name: "Ada", role: "USER", tier: "FREE" });
    expect(new Date(session.accessTokenExpiresAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    const me = await app.caller(`Bearer ${session.accessToken}`).auth.me();
    expect(me.id).toBe(session.user.id);
  });

  it("refuses a second account for the same email in any letter case", async () => {
    const email = uniqueEmail();
    await app.caller().auth.register({ email, password: PASSWORD });
    await expectTrpcError(
      app.caller().auth.register({ email: email.toUpperCase(), password: PASSWORD }),
      "CONFLICT",
      "EMAIL_TAKEN",
    );
  });

  it("logs in case-insensitively and refuses a wrong password with an audit row", async () => {
    const { email, user } = await registerUser(app);
    const session = await app.caller().auth.login({ email: email.toUpperCase(), password: PASSWORD });
    expect(session.user.id).toBe(user.id);
    await expectTrpcError(app.caller().auth.login({ email, password: "wrong password!" }), "UNAUTHORIZED", "INVALID_CREDENTIALS");
    await expectTrpcError(
      app.caller().auth.login({ email: uniqueEmail("ghost"), password: PASSWORD }),
      "UNAUTHORIZED",
      "INVALID_CREDENTIALS",
    );
  });

  it("rotates refresh tokens: the new one works, the old one is refused", async () => {
    const { refreshToken } = await registerUser(app);
    const first = await app.caller().auth.refresh({ refreshToken });
    expect(first.refreshToken).not.toBe(refreshToken);
    const second = await app.caller().auth.refresh({ refreshToken: first.refreshToken });
    expect(second.accessToken).toBeTruthy();
  });

  it("revokes the whole family when a rotated refresh token is presented again", async () => {
    const { refreshToken } = await registerUser(app);
    const rotated = await app.caller().auth.refresh({ refreshToken });
    await expectTrpcError(app.caller().auth.refresh({ refreshToken }), "UNAUTHORIZED", "REFRESH_TOKEN_REUSED");
    // The legitimate holder's newer token and access token die with the family.
    await expectTrpcError(
      app.caller().auth.refresh({ refreshToken: rotated.refreshToken }),
      "UNAUTHORIZED",
      "INVALID_REFRESH_TOKEN",
    );
    await expectTrpcError(app.caller(`Bearer ${rotated.accessToken}`).auth.me(), "UNAUTHORIZED", "INVALID_ACCESS_TOKEN");
  });

  it("lets exactly one of two concurrent refreshes with the same token win", async () => {
    const { refreshToken } = await registerUser(app);
    const results = await Promise.allSettled([
      app.caller().auth.refresh({ refreshToken }),
      app.caller().auth.refresh({ refreshToken }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses refresh tokens that are unknown or expired", async () => {
    await expectTrpcError(app.caller().auth.refresh({ refreshToken: "not-a-token" }), "UNAUTHORIZED", "INVALID_REFRESH_TOKEN");
    const { refreshToken } = await registerUser(app);
    app.clock.advance(8 * 24 * 60 * 60 * 1000);
    try {
      await expectTrpcError(app.caller().auth.refresh({ refreshToken }), "UNAUTHORIZED", "INVALID_REFRESH_TOKEN");
    } finally {
      app.clock.advance(-8 * 24 * 60 * 60 * 1000);
    }
  });

  it("logout ends the session: refresh and access token both stop working", async () => {
    const { bearer, refreshToken } = await registerUser(app);
    await expect(app.caller(bearer).auth.logout({ refreshToken })).resolves.toEqual({ ok: true });
    await expectTrpcError(app.caller().auth.refresh({ refreshToken }), "UNAUTHORIZED");
    await expectTrpcError(app.caller(bearer).auth.me(), "UNAUTHORIZED");
  });

  it("logout with someone else's refresh token leaves their session alone", async () => {
    const alice = await registerUser(app, "alice");
    const bob = await registerUser(app, "bob");
    await app.caller(alice.bearer).auth.logout({ refreshToken: bob.refreshToken });
    await expect(app.caller(bob.bearer).auth.me()).resolves.toMatchObject({ id: bob.user.id });
  });

  it("updates the profile and changes the password, ending every other session", async () => {
    const { bearer, email } = await registerUser(app);
    const other = await app.caller().auth.login({ email, password: PASSWORD });
    await expect(app.caller(bearer).users.updateProfile({ name: "  Grace  " })).resolves.toMatchObject({ name: "Grace" });
    await expectTrpcError(
      app.caller(bearer).users.changePassword({ currentPassword: "not my password", newPassword: "another long password" }),
      "UNAUTHORIZED",
      "INVALID_CREDENTIALS",
    );
    await app.caller(bearer).users.changePassword({ currentPassword: PASSWORD, newPassword: "another long password" });
    await expect(app.caller(bearer).auth.me()).resolves.toMatchObject({ name: "Grace" });
    await expectTrpcError(app.caller(`Bearer ${other.accessToken}`).auth.me(), "UNAUTHORIZED");
    await expectTrpcError(app.caller().auth.refresh({ refreshToken: other.refreshToken }), "UNAUTHORIZED");
    await expectTrpcError(app.caller().auth.login({ email, password: PASSWORD }), "UNAUTHORIZED");
    await expect(app.caller().auth.login({ email, password: "another long password" })).resolves.toBeTruthy();
  });

  it("rejects invalid input with BAD_REQUEST and field errors", async () => {
    const error = await expectTrpcError(
      app.caller().auth.register({ email: "not-an-email", password: "short" }),
      "BAD_REQUEST",
      "VALIDATION_FAILED",
    );
    expect(error.cause?.constructor.name).toBe("ZodError");
  });

  it("requires credentials for user procedures", async () => {
    await expectTrpcError(app.caller().auth.me(), "UNAUTHORIZED", "UNAUTHENTICATED");
    await expectTrpcError(app.caller("Basic abc").auth.me(), "UNAUTHORIZED");
    await expectTrpcError(app.caller("Bearer").auth.me(), "UNAUTHORIZED");
  });
});
