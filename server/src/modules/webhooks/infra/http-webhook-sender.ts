import { inject, injectable } from "inversify";
import { fetch as undiciFetch, type Agent } from "undici";
import { APP_CONFIG, type WebhooksConfig } from "../../../config/config.js";
import { createSsrfGuardAgent, isSsrfRefusal, SSRF_REFUSED } from "../../../net/ssrf-guard.js";
import type { WebhookAttemptResult, WebhookMessage, WebhookOutcome, WebhookSender } from "../application/webhook-sender.js";
import { InvalidWebhookSecretError, signedWebhookHeaders } from "./webhook-signature.js";
import { normalizeHost, webhookUrlRefusal } from "./webhook-url-policy.js";

/** The most of a response body kept (and read): the rest is never downloaded. */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

export const WEBHOOK_USER_AGENT = "Reelbase-Webhooks/1";

/** What the sender reads of the configuration (AppConfig has it). */
export interface HttpWebhookSenderConfig {
  webhooks: Pick<WebhooksConfig, "allowedHosts" | "timeoutMs">;
}

/** Error codes of the socket and of undici, as the log shows them. Anything else is "network error (CODE)". */
const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  UND_ERR_SOCKET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  UND_ERR_CLOSED: "the sender is closed",
  UND_ERR_DESTROYED: "the sender is closed",
};
const SAFE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_MISMATCH)/;
const HTTP_DATE_START = /^(mon|tue|wed|thu|fri|sat|sun)/i;
const MAX_CAUSE_DEPTH = 5;

/** Builds the result of the attempt begun when `send` was called (its duration is measured here). */
type Finish = (
  outcome: WebhookOutcome,
  fields?: Partial<Omit<WebhookAttemptResult, "outcome" | "durationMs">>,
) => WebhookAttemptResult;

/**
 * Sends one webhook as a signed POST (Standard Webhooks headers). Every socket is opened by an SSRF
 * guard agent, which judges the address actually connected to; `http:` goes only to the allow-listed
 * hosts. Redirects are never followed. The whole attempt, body included, is bounded by
 * `webhooks.timeoutMs`, and at most 64 KiB of the answer is read.
 */
@injectable()
export class HttpWebhookSender implements WebhookSender {
  private readonly agent: Agent;
  private readonly allowedHosts: ReadonlySet<string>;
  private readonly timeoutMs: number;
  private closing: Promise<void> | undefined;

  constructor(@inject(APP_CONFIG) config: HttpWebhookSenderConfig) {
    const { allowedHosts, timeoutMs } = config.webhooks;
    this.timeoutMs = timeoutMs;
    this.allowedHosts = new Set(allowedHosts.map(normalizeHost));
    // The agent's own timeouts are a backstop: the attempt's timer (the same length) normally fires first.
    this.agent = createSsrfGuardAgent({ allowHosts: allowedHosts, connectTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs });
  }

  /** Closes the connection pool (at shutdown); sends after this fail. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.agent.close().catch(() => undefined);
    return this.closing;
  }

  async send(message: WebhookMessage, signal?: AbortSignal): Promise<WebhookAttemptResult> {
    const started = performance.now();
    const result: Finish = (outcome, fields = {}) => ({
      outcome,
      status: null,
      responseBody: null,
      retryAfterMs: null,
      error: null,
      ...fields,
      durationMs: Math.max(0, Math.round(performance.now() - started)),
    });
    try {
      const refusal = this.refusalOf(message.url);
      if (refusal !== null) return result("REFUSED", { error: refusal });
      let headers: Record<string, string>;
      try {
        headers = {
          "content-type": "application/json",
          "user-agent": WEBHOOK_USER_AGENT,
          ...signedWebhookHeaders(message),
        };
      } catch (error) {
        if (error instanceof InvalidWebhookSecretError) return result("FAILED", { error: "the signing secret is not valid" });
        throw error;
      }
      if (signal?.aborted) return result("FAILED", { error: "cancelled" });
      return await this.post(message, headers, signal, result);
    } catch {
      // Nothing above should throw; should it anyway, the port promises an outcome, and no message could carry a secret.
      return result("FAILED", { error: "unexpected error" });
    }
  }

  private async post(
    message: WebhookMessage,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    result: Finish,
  ): Promise<WebhookAttemptResult> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error("timeout"));
    }, this.timeoutMs);
    const onAbort = () => controller.abort(new Error("cancelled"));
    signal?.addEventListener("abort", onAbort, { once: true });
    const stopped = () => (timedOut ? "timeout" : "cancelled");
    try {
      let response: Awaited<ReturnType<typeof undiciFetch>>;
      try {
        response = await undiciFetch(message.url, {
          method: "POST",
          headers,
          body: message.body,
          redirect: "manual",
          signal: controller.signal,
          dispatcher: this.agent,
        });
      } catch (error) {
        if (controller.signal.aborted) return result("FAILED", { error: stopped() });
        if (isSsrfRefusal(error)) return result("REFUSED", { error: ssrfReason(error) });
        return result("FAILED", { error: networkReason(error) });
      }
      const status = response.status;
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
      const body = await readCapped(response.body, MAX_RESPONSE_BODY_BYTES);
      const fields = { status, retryAfterMs, responseBody: body.text };
      // Past the timeout (or cancelled) while the body was still coming: the attempt did not end in time.
      if (body.failed && controller.signal.aborted) return result("FAILED", { ...fields, error: stopped() });
      if (status >= 200 && status < 300) return result("SUCCEEDED", fields);
      if (status === 410) return result("GONE", { ...fields, error: "the receiver answered 410 Gone" });
      if (status >= 300 && status < 400) {
        return result("FAILED", { ...fields, error: `the receiver answered ${status}; redirects are not followed` });
      }
      return result("FAILED", { ...fields, error: `the receiver answered ${status}` });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Why a URL is not even tried, or null (the rules endpoints are saved under). */
  private refusalOf(url: string): string | null {
    return webhookUrlRefusal(url, this.allowedHosts);
  }
}

interface CappedBody {
  /** What was read, decoded as UTF-8 (a character cut at the cap is dropped). */
  text: string;
  /** True when reading stopped on an error (a timeout, a reset) rather than at the end or the cap. */
  failed: boolean;
}

/** Reads at most `max` bytes, then cancels the stream: a receiver can never make us download more. */
async function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<CappedBody> {
  if (body === null) return { text: "", failed: false };
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  let text = "";
  let bytes = 0;
  // Every read but the last yields at least one byte, so the cap ends the loop; the bound is a backstop.
  for (let reads = 0; reads <= max; reads++) {
    const chunk = await reader.read().catch(() => null);
    if (chunk === null) return { text: text + decoder.decode(), failed: true };
    if (chunk.done) return { text: text + decoder.decode(), failed: false };
    const room = max - bytes;
    const part = chunk.value.byteLength > room ? chunk.value.subarray(0, room) : chunk.value;
    bytes += part.byteLength;
    text += decoder.decode(part, { stream: true });
    if (bytes >= max) break;
  }
  // Not awaited: the cancel tears the connection down, and nothing we need waits on it.
  reader.cancel().catch(() => undefined);
  return { text, failed: false };
}

/** `Retry-After` as ms from now: delta seconds, or an HTTP date (a past one is 0). Null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d{1,12}$/.test(value)) return Number(value) * 1000;
  if (!HTTP_DATE_START.test(value)) return null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function ssrfReason(error: unknown): string {
  for (let current = error, depth = 0; current instanceof Error && depth < MAX_CAUSE_DEPTH; depth++) {
    if ((current as Error & { code?: unknown }).code === SSRF_REFUSED) return current.message;
    current = current.cause;
  }
  return "the address is not public";
}

/** A fixed phrase per error code: an error's own message may quote the URL, which may carry a token. */
function networkReason(error: unknown): string {
  for (let current = error, depth = 0; current instanceof Error && depth < MAX_CAUSE_DEPTH; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === "string" && SAFE_CODE.test(code)) {
      const known = NETWORK_ERRORS[code];
      if (known !== undefined) return known;
      if (TLS_CODE.test(code)) return `TLS error (${code})`;
      return `network error (${code})`;
    }
    // fetch's own refusal of a port browsers block (25, 6000, …) carries no code, only this fixed message.
    if (current.message === "bad port") return "the port is one fetch never connects to";
    current = current.cause;
  }
  return "network error";
}
