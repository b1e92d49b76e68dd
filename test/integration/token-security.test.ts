import { SignJWT, decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { expectTrpcError } from "../support/errors.js";
import { registerUser } from "../support/users.js";

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe.each(backends())("access token security on %s", (backend) => {
  let app: TestApp;
  let session: Awaited<ReturnType<typeof registerUser>>;
  const secret = () => new TextEncoder().encode(app.config.auth.jwtSecret);

  beforeAll(async () => {
    app = await createTestApp(backend);
    session = await registerUser(app);
  });
  afterAll(() => app.close());

  const claims = () => decodeJwt(session.accessToken);

  it("accepts the genuine token", async () => {
    await expect(app.caller(session.bearer).auth.me()).resolves.toMatchObject({ id: session.user.id });
  });

  it("refuses a token whose payload was tampered with", async () => {
    const [header, , signature] = session.accessToken.split(".");
    const forged = `${header}.${base64url({ ...claims(), sub: "00000000-0000-4000-8000-000000000000" })}.${signature}`;
    await expectTrpcError(app.caller(`Bearer ${forged}`).auth.me(), "UNAUTHORIZED", "INVALID_ACCESS_TOKEN");
  });

  it("refuses an expired token", async () => {
    app.clock.advance(16 * 60 * 1000);
    try {
      await expectTrpcError(app.caller(session.bearer).auth.me(), "UNAUTHORIZED", "INVALID_ACCESS_TOKEN");
    } finally {
      app.clock.advance(-16 * 60 * 1000);
    }
  });

  it("refuses a correctly signed token for another audience or issuer", async () => {
    const sign = (audience: string, issuer: string) =>
      new SignJWT({ sid: claims().sid })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(session.user.id)
        .setAudience(audience)
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(secret());
    await expectTrpcError(app.caller(`Bearer ${await sign("another-api", app.config.auth.issuer)}`).auth.me(), "UNAUTHORIZED");
    await expectTrpcError(app.caller(`Bearer ${await sign(app.config.auth.audience, "someone-else")}`).auth.me(), "UNAUTHORIZED");
    // Control: the same construction with the right audience and issuer is accepted.
    await expect(
      app.caller(`Bearer ${await sign(app.config.auth.audience, app.config.auth.issuer)}`).auth.me(),
    ).resolves.toBeTruthy();
  });

  it("refuses alg none and tokens signed with another algorithm", async () => {
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims())}.`;
    await expectTrpcError(app.caller(`Bearer ${unsigned}`).auth.me(), "UNAUTHORIZED", "INVALID_ACCESS_TOKEN");
    const hs512 = await new SignJWT({ ...claims() }).setProtectedHeader({ alg: "HS512" }).sign(secret());
    await expectTrpcError(app.caller(`Bearer ${hs512}`).auth.me(), "UNAUTHORIZED", "INVALID_ACCESS_TOKEN");
  });

  it("refuses a token signed with another secret", async () => {
    const other = await new SignJWT({ ...claims() })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("a-completely-different-secret-of-decent-length"));
    await expectTrpcError(app.caller(`Bearer ${other}`).auth.me(), "UNAUTHORIZED", "INVALID_ACCESS_TOKEN");
  });

  /** A token signed with the real secret, issuer and audience: only the claims under test are odd. */
  const signed = (overrides: { sub?: string; sid?: unknown; iat?: number; exp?: number }) => {
    const now = Math.floor(app.clock.now().getTime() / 1000);
    const { sub = session.user.id, sid = claims().sid, iat = now, exp = now + 300 } = overrides;
    return new SignJWT({ sid })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(sub)
      .setIssuer(app.config.auth.issuer)
      .setAudience(app.config.auth.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(secret());
  };

  it("refuses a validly signed token whose sub or sid is not a UUID with 401, never a 500 from SQL", async () => {
    for (const odd of [{ sub: "not-a-uuid" }, { sub: "1' OR '1'='1" }, { sid: "not-a-uuid" }, { sid: 42 }]) {
      await expectTrpcError(app.caller(`Bearer ${await signed(odd)}`).auth.me(), "UNAUTHORIZED", "INVALID_ACCESS_TOKEN");
    }
  });

  it("bounds token age: no iat in the future, no lifetime beyond the TTL, whatever exp says", async () => {
    const now = Math.floor(app.clock.now().getTime() / 1000);
    const ttl = app.config.auth.accessTokenTtlSeconds;
    for (const [label, times] of [
      ["issued an hour ahead", { iat: now + 3600, exp: now + 3900 }],
      ["valid for ten years", { iat: now, exp: now + 10 * 365 * 86400 }],
      ["a TTL and a minute long", { iat: now, exp: now + ttl + 60 }],
      ["older than the TTL, exp still ahead", { iat: now - ttl - 60, exp: now + 60 }],
    ] as const) {
      await expectTrpcError(app.caller(`Bearer ${await signed(times)}`).auth.me(), "UNAUTHORIZED", "INVALID_ACCESS_TOKEN").catch(
        (error: unknown) => {
          throw new Error(`${label}: ${String(error)}`);
        },
      );
    }
    // Controls: a few seconds of clock skew either way, and exactly one TTL, are fine.
    await expect(app.caller(`Bearer ${await signed({ iat: now + 10, exp: now + 10 + ttl })}`).auth.me()).resolves.toBeTruthy();
    await expect(app.caller(`Bearer ${await signed({ iat: now - ttl + 5, exp: now + 5 })}`).auth.me()).resolves.toBeTruthy();
  });

  it("refuses garbage in the Authorization header", async () => {
    for (const header of ["Bearer not.a.jwt", "Bearer a b", "Token abc", "ApiKey not-a-key", "ApiKey rb_live_unknown"]) {
      await expectTrpcError(app.caller(header).auth.me(), "UNAUTHORIZED");
    }
  });
});
