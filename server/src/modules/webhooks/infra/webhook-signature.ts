import { createHmac, randomBytes } from "node:crypto";

/**
 * Standard Webhooks signatures (docs/webhooks.md, "Receiving webhooks"): a secret is `whsec_` and
 * the base64 of its key; a signature is `v1,` and the base64 HMAC-SHA256, under that key, of
 * `${webhook-id}.${webhook-timestamp}.${body}`. Several secrets (a rotation) sign the same message
 * and their signatures share one `webhook-signature` header, separated by spaces.
 */

export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** Bytes of key in a new secret: as long as the HMAC-SHA256 output. */
const SECRET_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A secret that is not `whsec_<base64>` of a non-empty key. Says so without the secret. */
export class InvalidWebhookSecretError extends Error {
  constructor() {
    super("the webhook signing secret is not whsec_ followed by base64");
    this.name = "InvalidWebhookSecretError";
  }
}

/** A new signing secret: `whsec_` and the base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString("base64")}`;
}

/** The HMAC key a secret carries; throws InvalidWebhookSecretError for anything but `whsec_<base64>`. */
export function webhookSecretKey(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : "";
  if (encoded.length === 0 || encoded.length % 4 !== 0 || !BASE64.test(encoded)) throw new InvalidWebhookSecretError();
  return Buffer.from(encoded, "base64");
}

/** The `webhook-timestamp` of a moment: whole Unix seconds. */
export function webhookTimestampSeconds(timestamp: Date): number {
  return Math.floor(timestamp.getTime() / 1000);
}

/** One `v1,<base64>` signature of the message under one secret. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", webhookSecretKey(secret)).update(`${id}.${timestampSeconds}.${body}`, "utf8").digest("base64");
  return `v1,${mac}`;
}

/** A type, not an interface, so it fits wherever a plain header record is asked for. */
export type SignedWebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/** The three Standard Webhooks headers, every secret signing (current first). Throws on no or bad secret. */
export function signedWebhookHeaders(message: {
  id: string;
  timestamp: Date;
  body: string;
  secrets: readonly string[];
}): SignedWebhookHeaders {
  if (message.secrets.length === 0) throw new InvalidWebhookSecretError();
  const seconds = webhookTimestampSeconds(message.timestamp);
  return {
    "webhook-id": message.id,
    "webhook-timestamp": String(seconds),
    "webhook-signature": message.secrets.map((secret) => signWebhook(secret, message.id, seconds, message.body)).join(" "),
  };
}
