/**
 * Sends one signed webhook request. The sender knows HTTP, signatures and the SSRF guard; it knows
 * nothing of endpoints, deliveries or retries, which the delivery use case decides from the outcome.
 */
export interface WebhookMessage {
  /** The endpoint's URL, already checked when the endpoint was saved; checked again on connect. */
  url: string;
  /** The event id (`evt_…`): the `webhook-id` header, stable across attempts. */
  id: string;
  /** When this attempt is signed; `webhook-timestamp` is its Unix seconds. */
  timestamp: Date;
  /** The exact JSON text sent and signed. */
  body: string;
  /**
   * Signing secrets (`whsec_<base64>`), current first; every one signs, so a receiver holding the
   * previous secret during a rotation still verifies.
   */
  secrets: readonly string[];
}

export type WebhookOutcome =
  /** A 2xx answer. */
  | "SUCCEEDED"
  /** Anything else worth retrying: 3xx (never followed), 4xx, 5xx, timeout, refused connection. */
  | "FAILED"
  /** 410 Gone: the receiver asks never to be called again. */
  | "GONE"
  /** The SSRF guard refused the address (or the URL): retrying cannot help. */
  | "REFUSED";

export interface WebhookAttemptResult {
  outcome: WebhookOutcome;
  /** The response status, when a response came. */
  status: number | null;
  durationMs: number;
  /** The first 64 KiB of the response body at most, as text (what the delivery log shows). */
  responseBody: string | null;
  /** From a `Retry-After` header (seconds or HTTP date), in ms from now; null when absent or unparseable. */
  retryAfterMs: number | null;
  /** Why it failed, for the log: "timeout", "connection refused", the SSRF reason, … Never a secret. */
  error: string | null;
}

export interface WebhookSender {
  /** Never throws for anything the receiver or the network does; the result says what happened. */
  send(message: WebhookMessage, signal?: AbortSignal): Promise<WebhookAttemptResult>;
}

export const WEBHOOK_SENDER = Symbol.for("WebhookSender");
