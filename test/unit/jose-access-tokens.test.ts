import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { JoseAccessTokens } from "../../server/src/modules/identity/infra/jose.access-tokens.js";
import { TestClock } from "../support/test-clock.js";

const settings = {
  secret: "test-secret-that-is-long-enough-for-hs256-0123456789",
  issuer: "reelbase",
  audience: "reelbase-api",
  ttlSeconds: 900,
};
const SECOND = 1000;

function verifier(clock = new TestClock()) {
  return { tokens: new JoseAccessTokens(settings, clock), clock };
}

/** Whether `tokens` accepts `token` now, as a value to compare. */
const verdict = (tokens: JoseAccessTokens, token: string) =>
  tokens.verify(token).then(
    () => "accepted",
    (error: { code?: string }) => error.code,
  );

describe("JoseAccessTokens", () => {
  afterEach(() => vi.restoreAllMocks());

  it("verifies a signature once per token and imports the key once", async () => {
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    const verifySignature = vi.spyOn(crypto.subtle, "verify");
    const { tokens } = verifier();
    const claims = { userId: randomUUID(), sessionId: randomUUID() };
    const { token } = await tokens.issue(claims);
    for (let i = 0; i < 5; i++) expect(await tokens.verify(token)).toEqual(claims);
    expect(verifySignature).toHaveBeenCalledTimes(1);
    expect(importKey).toHaveBeenCalledTimes(1);
  });

  it("checks a remembered token against the clock on every use, exactly as a first verification would", async () => {
    const { tokens, clock } = verifier();
    const { token } = await tokens.issue({ userId: randomUUID(), sessionId: randomUUID() });
    await tokens.verify(token);
    // Offsets a few seconds clear of each boundary (exp and maximum age at 900 s + 30 s of skew,
    // issued-in-the-future at -30 s), so real time passing during the test cannot cross one.
    const expected: Array<[number, string]> = [
      [0, "accepted"],
      [925 * SECOND, "accepted"],
      [935 * SECOND, "INVALID_ACCESS_TOKEN"],
      [3600 * SECOND, "INVALID_ACCESS_TOKEN"],
      [-25 * SECOND, "accepted"],
      [-35 * SECOND, "INVALID_ACCESS_TOKEN"],
      [0, "accepted"],
    ];
    let offset = 0;
    for (const [at, outcome] of expected) {
      clock.advance(at - offset);
      offset = at;
      const fresh = new JoseAccessTokens(settings, clock); // remembers nothing: jose decides alone
      expect([at / SECOND, await verdict(tokens, token)]).toEqual([at / SECOND, outcome]);
      expect(await verdict(fresh, token)).toBe(outcome);
    }
  });

  it("never remembers a refusal: a tampered token is checked, and refused, every time", async () => {
    const verifySignature = vi.spyOn(crypto.subtle, "verify");
    const { tokens } = verifier();
    const { token } = await tokens.issue({ userId: randomUUID(), sessionId: randomUUID() });
    const [header, payload, signature] = token.split(".");
    const tampered = `${header}.${payload}.${signature?.startsWith("A") ? "B" : "A"}${signature?.slice(1)}`;
    for (let i = 0; i < 3; i++) await expect(verdict(tokens, tampered)).resolves.toBe("INVALID_ACCESS_TOKEN");
    expect(verifySignature).toHaveBeenCalledTimes(3);
    await expect(verdict(tokens, token)).resolves.toBe("accepted");
  });

  it("does not let a token verified before it expired through once the clock is past its expiry", async () => {
    const { tokens, clock } = verifier();
    const { token, expiresAt } = await tokens.issue({ userId: randomUUID(), sessionId: randomUUID() });
    await tokens.verify(token);
    clock.advance(expiresAt.getTime() - clock.now().getTime() + 31 * SECOND);
    await expect(verdict(tokens, token)).resolves.toBe("INVALID_ACCESS_TOKEN");
  });
});
