/**
 * Checks a webhook from Reelbase on the receiving side (Standard Webhooks): the `webhook-signature`
 * header must hold a `v1,` HMAC-SHA256 of `${webhook-id}.${webhook-timestamp}.${raw body}` under the
 * endpoint's secret, and the timestamp must be within five minutes of now. Uses WebCrypto
 * (`globalThis.crypto.subtle`), so it runs in Node 20+, Deno, Bun, workers and browsers alike.
 */

/** Why a webhook was not accepted. */
export type WebhookVerificationReason =
  /** `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent or empty. */
  | "MISSING_HEADER"
  /** `webhook-timestamp` is not whole Unix seconds. */
  | "INVALID_TIMESTAMP"
  /** Signed more than the tolerance (5 min) ago: possibly a replay. */
  | "TIMESTAMP_TOO_OLD"
  /** Signed more than the tolerance in the future: a clock is off, or the message is forged. */
  | "TIMESTAMP_TOO_NEW"
  /** No `v1,` signature in the header matches: wrong secret, or the id, timestamp or body was altered. */
  | "NO_MATCHING_SIGNATURE"
  /** The secret given is not `whsec_<base64>`. */
  | "INVALID_SECRET"
  /** Signed correctly, but the body is not JSON. */
  | "INVALID_PAYLOAD";

/** Thrown by verifyWebhook: answer the request with 400 (or 401) and do not act on it. */
export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

/** A `Headers` instance (fetch, Request) or a plain object such as Node's `req.headers`, names in any case. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  /** The clock, for tests: ms since the epoch or a Date. Defaults to Date.now. */
  now?: () => number | Date;
  /** How far the timestamp may be from now, either way, in seconds (default 300). */
  toleranceSeconds?: number;
}

const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TIMESTAMP = /^\d{1,15}$/;
/** Signatures looked at in one header: a rotation has two; more than this is not from us. */
const MAX_SIGNATURES = 32;

/**
 * Verifies a webhook and returns its parsed JSON payload; throws WebhookVerificationError otherwise.
 *
 * @param secret the endpoint's signing secret (`whsec_…`), or several during a rotation (any may match)
 * @param headers the request's headers
 * @param rawBody the body exactly as received (a string, a Buffer or other bytes), never re-serialized JSON
 */
export async function verifyWebhook<T = unknown>(
  secret: string | readonly string[],
  headers: WebhookHeaders,
  rawBody: string | Uint8Array | ArrayBuffer,
  options: VerifyWebhookOptions = {},
): Promise<T> {
  const id = header(headers, "webhook-id");
  const timestampText = header(headers, "webhook-timestamp");
  const signatureHeader = header(headers, "webhook-signature");
  if (!id || !timestampText || !signatureHeader) {
    throw new WebhookVerificationError(
      "MISSING_HEADER",
      "The webhook-id, webhook-timestamp and webhook-signature headers are required",
    );
  }
  if (!TIMESTAMP.test(timestampText))
    throw new WebhookVerificationError("INVALID_TIMESTAMP", "webhook-timestamp is not Unix seconds");
  const timestamp = Number(timestampText);
  const nowValue = options.now?.() ?? Date.now();
  const nowSeconds = Math.floor((typeof nowValue === "number" ? nowValue : nowValue.getTime()) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (nowSeconds - timestamp > tolerance)
    throw new WebhookVerificationError("TIMESTAMP_TOO_OLD", "The webhook's timestamp is too old");
  if (timestamp - nowSeconds > tolerance)
    throw new WebhookVerificationError("TIMESTAMP_TOO_NEW", "The webhook's timestamp is in the future");

  const keys = (typeof secret === "string" ? [secret] : [...secret]).map(secretKey);
  if (keys.length === 0) throw new WebhookVerificationError("INVALID_SECRET", "No signing secret was given");
  const body = bytesOf(rawBody);
  const signed = concat(new TextEncoder().encode(`${id}.${timestampText}.`), body);
  const candidates = signatureHeader
    .split(" ")
    .slice(0, MAX_SIGNATURES)
    .filter((entry) => entry.startsWith("v1,"))
    .map((entry) => decodeBase64(entry.slice(3)))
    .filter((decoded): decoded is Uint8Array => decoded !== null);

  let matched = false;
  for (const key of keys) {
    const expected = await hmacSha256(key, signed);
    // Every candidate is compared (no early exit), each in constant time.
    for (const candidate of candidates) matched = constantTimeEqual(expected, candidate) || matched;
  }
  if (!matched) throw new WebhookVerificationError("NO_MATCHING_SIGNATURE", "No webhook signature matches");

  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)) as T;
  } catch {
    throw new WebhookVerificationError("INVALID_PAYLOAD", "The webhook's body is not JSON");
  }
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (isHeaders(headers)) return headers.get(name)?.trim() || undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const value = headers[key];
    const text = typeof value === "string" ? value : value?.join(" ");
    return text?.trim() || undefined;
  }
  return undefined;
}

function isHeaders(headers: WebhookHeaders): headers is Headers {
  return typeof (headers as { get?: unknown }).get === "function";
}

function secretKey(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = BASE64.test(encoded) && encoded.length % 4 === 0 ? decodeBase64(encoded) : null;
  if (key === null || key.length === 0)
    throw new WebhookVerificationError("INVALID_SECRET", "The signing secret is not whsec_<base64>");
  return key;
}

function decodeBase64(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
    return bytes;
  } catch {
    return null;
  }
}

function bytesOf(body: string | Uint8Array | ArrayBuffer): Uint8Array {
  if (typeof body === "string") return new TextEncoder().encode(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first);
  joined.set(second, first.length);
  return joined;
}

async function hmacSha256(key: Uint8Array, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error("verifyWebhook needs WebCrypto (globalThis.crypto.subtle): Node 20+ or a secure browser context");
  const cryptoKey = await subtle.importKey("raw", Uint8Array.from(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", cryptoKey, data));
}

/** Time depends on the lengths only (public: an HMAC-SHA256 is 32 bytes), never on where the bytes differ. */
function constantTimeEqual(expected: Uint8Array, actual: Uint8Array): boolean {
  let difference = expected.length ^ actual.length;
  for (let index = 0; index < expected.length; index++)
    difference |= expected[index]! ^ (actual[index % Math.max(1, actual.length)] ?? 0);
  return difference === 0;
}
