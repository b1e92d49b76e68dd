import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { verifyWebhook, WebhookVerificationError, type WebhookVerificationReason } from "../../client/src/index.js";
import { generateWebhookSecret, signedWebhookHeaders } from "../../server/src/modules/webhooks/infra/webhook-signature.js";

const NOW = Date.parse("2026-06-01T10:00:00Z");
const now = () => NOW;
const payload = { type: "video.ready", data: { videoId: "vid_1", title: "Ünïcode ✓ 🎬" } };
const body = JSON.stringify(payload);

/** Signed by the reference implementation, not by our own code. */
function signed(secret: string, overrides: { id?: string; at?: number; body?: string } = {}) {
  const id = overrides.id ?? "evt_01J0000000000000000000000";
  const at = overrides.at ?? NOW;
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, new Date(at), overrides.body ?? body),
  };
}

async function reasonOf(promise: Promise<unknown>): Promise<WebhookVerificationReason | "resolved" | "other"> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return error instanceof WebhookVerificationError ? error.reason : "other";
  }
}

describe("verifyWebhook", () => {
  const secret = generateWebhookSecret();

  it("accepts a message signed by the standardwebhooks package and returns its payload", async () => {
    expect(await verifyWebhook(secret, signed(secret), body, { now })).toEqual(payload);
    // The body as bytes (express.raw gives a Buffer), and as an ArrayBuffer.
    expect(await verifyWebhook(secret, signed(secret), Buffer.from(body), { now })).toEqual(payload);
    expect(await verifyWebhook(secret, signed(secret), new TextEncoder().encode(body).buffer, { now })).toEqual(payload);
  });

  it("reads headers in any case, from a plain object or a Headers instance", async () => {
    const headers = signed(secret);
    const shouting = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect(await verifyWebhook(secret, shouting, body, { now })).toEqual(payload);
    expect(await verifyWebhook(secret, new Headers(headers), body, { now })).toEqual(payload);
    expect(
      await verifyWebhook(secret, { ...headers, "webhook-signature": [headers["webhook-signature"]] }, body, { now }),
    ).toEqual(payload);
  });

  it("accepts our own signer's headers, with every secret of a rotation", async () => {
    const [older, newer] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signedWebhookHeaders({ id: "evt_rot", timestamp: new Date(NOW), body, secrets: [newer, older] });
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(await verifyWebhook(older, headers, body, { now })).toEqual(payload);
    expect(await verifyWebhook(newer, headers, body, { now })).toEqual(payload);
    // A receiver in the middle of a rotation may hold both.
    expect(await verifyWebhook([generateWebhookSecret(), older], headers, body, { now })).toEqual(payload);
    expect(await reasonOf(verifyWebhook(generateWebhookSecret(), headers, body, { now }))).toBe("NO_MATCHING_SIGNATURE");
  });

  it("refuses a tampered body, id or timestamp, and a wrong secret", async () => {
    const headers = signed(secret);
    expect(await reasonOf(verifyWebhook(secret, headers, body.replace("vid_1", "vid_2"), { now }))).toBe("NO_MATCHING_SIGNATURE");
    expect(await reasonOf(verifyWebhook(secret, headers, `${body} `, { now }))).toBe("NO_MATCHING_SIGNATURE");
    expect(await reasonOf(verifyWebhook(secret, { ...headers, "webhook-id": "evt_other" }, body, { now }))).toBe(
      "NO_MATCHING_SIGNATURE",
    );
    const later = String(Number(headers["webhook-timestamp"]) + 1);
    expect(await reasonOf(verifyWebhook(secret, { ...headers, "webhook-timestamp": later }, body, { now }))).toBe(
      "NO_MATCHING_SIGNATURE",
    );
    expect(await reasonOf(verifyWebhook(generateWebhookSecret(), headers, body, { now }))).toBe("NO_MATCHING_SIGNATURE");
    // A signature cut short, or padded, is no match either.
    const signature = headers["webhook-signature"];
    for (const forged of [signature.slice(0, -4), `${signature}AAAA`, "v1,", "v1,!!!!"]) {
      expect(await reasonOf(verifyWebhook(secret, { ...headers, "webhook-signature": forged }, body, { now })), forged).toBe(
        "NO_MATCHING_SIGNATURE",
      );
    }
  });

  it("refuses timestamps more than five minutes away, either way, and accepts them inside", async () => {
    const headers = signed(secret);
    const at = (offsetMs: number) => () => new Date(NOW + offsetMs);
    expect(await verifyWebhook(secret, headers, body, { now: at(300_000) })).toEqual(payload);
    expect(await verifyWebhook(secret, headers, body, { now: at(-300_000) })).toEqual(payload);
    expect(await reasonOf(verifyWebhook(secret, headers, body, { now: at(301_000) }))).toBe("TIMESTAMP_TOO_OLD");
    expect(await reasonOf(verifyWebhook(secret, headers, body, { now: at(-301_000) }))).toBe("TIMESTAMP_TOO_NEW");
    expect(await reasonOf(verifyWebhook(secret, headers, body, { now: at(3_600_000), toleranceSeconds: 7_200 }))).toBe(
      "resolved",
    );
    // The real clock by default: a message signed long ago is refused.
    expect(await reasonOf(verifyWebhook(secret, signed(secret, { at: Date.now() - 3_600_000 }), body))).toBe("TIMESTAMP_TOO_OLD");
    expect(await verifyWebhook(secret, signed(secret, { at: Date.now() }), body)).toEqual(payload);
  });

  it("refuses missing headers and timestamps that are not Unix seconds", async () => {
    const headers = signed(secret);
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"] as const) {
      const { [name]: _dropped, ...rest } = headers;
      expect(await reasonOf(verifyWebhook(secret, rest, body, { now })), name).toBe("MISSING_HEADER");
      expect(await reasonOf(verifyWebhook(secret, { ...headers, [name]: "" }, body, { now })), name).toBe("MISSING_HEADER");
    }
    expect(await reasonOf(verifyWebhook(secret, new Headers(), body, { now }))).toBe("MISSING_HEADER");
    for (const bad of ["-1", "1.5", "17e8", "soon", "0x1"]) {
      expect(await reasonOf(verifyWebhook(secret, { ...headers, "webhook-timestamp": bad }, body, { now })), bad).toBe(
        "INVALID_TIMESTAMP",
      );
    }
  });

  it("looks only at v1 signatures, and at every one of them", async () => {
    const headers = signed(secret);
    const mac = headers["webhook-signature"].slice("v1,".length);
    for (const other of [`v2,${mac}`, `v1a,${mac}`, mac, `V1,${mac}`]) {
      expect(await reasonOf(verifyWebhook(secret, { ...headers, "webhook-signature": other }, body, { now })), other).toBe(
        "NO_MATCHING_SIGNATURE",
      );
    }
    const crowded = `v2,${mac} v1,${Buffer.alloc(32).toString("base64")} v1,${mac}`;
    expect(await verifyWebhook(secret, { ...headers, "webhook-signature": crowded }, body, { now })).toEqual(payload);
  });

  it("refuses a malformed secret and a body that is not JSON", async () => {
    expect(await reasonOf(verifyWebhook("whsec_not base64!", signed(secret), body, { now }))).toBe("INVALID_SECRET");
    expect(await reasonOf(verifyWebhook("whsec_", signed(secret), body, { now }))).toBe("INVALID_SECRET");
    expect(await reasonOf(verifyWebhook([], signed(secret), body, { now }))).toBe("INVALID_SECRET");
    expect(await reasonOf(verifyWebhook(secret, signed(secret, { body: "not json" }), "not json", { now }))).toBe(
      "INVALID_PAYLOAD",
    );
    // The secret's error says nothing of the secret.
    const error = await verifyWebhook("whsec_c2VjcmV0!!", signed(secret), body, { now }).catch((caught: unknown) => caught);
    expect((error as Error).message).not.toContain("c2VjcmV0");
  });
});
