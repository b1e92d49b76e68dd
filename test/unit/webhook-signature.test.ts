import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  generateWebhookSecret,
  InvalidWebhookSecretError,
  signedWebhookHeaders,
  signWebhook,
  webhookSecretKey,
} from "../../server/src/modules/webhooks/infra/webhook-signature.js";

describe("webhook signatures (Standard Webhooks)", () => {
  it("generates whsec_ secrets of 32 random bytes", () => {
    const first = generateWebhookSecret();
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretKey(first)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(first);
  });

  it("matches the standardwebhooks package for the same id, timestamp and body", () => {
    const secret = generateWebhookSecret();
    const timestamp = new Date("2026-01-02T03:04:05.678Z");
    const body = JSON.stringify({ type: "video.ready", data: { title: "naïve ✓ 🎬" } });
    expect(signWebhook(secret, "evt_1", Math.floor(timestamp.getTime() / 1000), body)).toBe(
      new Webhook(secret).sign("evt_1", timestamp, body),
    );
  });

  it("signs with the documented string `${id}.${timestamp}.${body}` (a known vector)", () => {
    // HMAC-SHA256 under the 32 bytes 0x00..0x1f of "evt_x.1700000000.{}", base64.
    const secret = `whsec_${Buffer.from(Array.from({ length: 32 }, (_, index) => index)).toString("base64")}`;
    const expected = new Webhook(secret).sign("evt_x", new Date(1_700_000_000_000), "{}");
    expect(signWebhook(secret, "evt_x", 1_700_000_000, "{}")).toBe(expected);
  });

  it("puts one v1 signature per secret in one header, each verifying alone", () => {
    const secrets = [generateWebhookSecret(), generateWebhookSecret()];
    const timestamp = new Date();
    const body = '{"ok":true}';
    const headers = signedWebhookHeaders({ id: "evt_2", timestamp, body, secrets });
    expect(headers["webhook-id"]).toBe("evt_2");
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(timestamp.getTime() / 1000)));
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    for (const secret of secrets) expect(new Webhook(secret).verify(body, { ...headers })).toEqual({ ok: true });
  });

  it("refuses malformed secrets without quoting them", () => {
    for (const bad of ["", "whsec_", "whsec_not base64!", "whsec_abc", "sk_AAAA", Buffer.alloc(32).toString("base64")]) {
      let caught: unknown;
      try {
        webhookSecretKey(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught, bad).toBeInstanceOf(InvalidWebhookSecretError);
      if (bad.length > 6) expect((caught as Error).message).not.toContain(bad);
    }
    expect(() => signedWebhookHeaders({ id: "evt", timestamp: new Date(), body: "{}", secrets: [] })).toThrow(
      InvalidWebhookSecretError,
    );
  });
});
