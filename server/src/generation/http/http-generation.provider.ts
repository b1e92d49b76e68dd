import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import {
  CircuitState,
  isBrokenCircuitError,
  type IBackoff,
  type IBackoffFactory,
  type IPolicy,
  type IRetryBackoffContext,
} from "cockatiel";
import type { Agent } from "undici";
import { z } from "zod";
import type { Cache } from "../../shared/application/cache.js";
import {
  generationFailed,
  generationUnavailable,
  type GenerationAvailability,
  type GenerationProvider,
  type GenerationRequest,
  type GenerationRun,
} from "../../shared/application/generation-provider.js";
import type { HealthCheck } from "../../shared/application/health-check.js";
import type { Logger } from "../../shared/application/logger.js";
import { noMetrics, type BreakerState, type Metrics } from "../../shared/application/metrics.js";
import { DomainError } from "../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../shared/domain/error-codes.js";
import { NETWORK_ERROR_CODES, resiliencePolicies, type ResilienceOptions } from "../../shared/resilience.js";
import { assertHttpUrl, createSsrfGuardAgent, guardedFetch, isSsrfRefusal } from "../../net/ssrf-guard.js";

export interface HttpGenerationOptions extends ResilienceOptions {
  /** The provider's base URL; `/v1/videos` is appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`, and only to the provider's own origin. Never logged, never in an error. */
  apiKey: string;
  /** Pause between status polls. */
  pollIntervalMs: number;
  /** Largest result accepted; a larger one fails the generation for good. */
  maxResultBytes: number;
  /** Longest one provider video may take from creation to `completed`; then the attempt is given up (transient). */
  maxWaitMs: number;
  /** Longest Retry-After honoured; a longer one is cut to this. */
  maxRetryAfterMs: number;
  /** Where the breaker's open state is shared with the other processes. */
  cache: Cache;
  /** The cache key holding the shared open state. */
  breakerKey: string;
  /** Result hosts fetched without the public-address check (a test's receiver). The provider's own origin always is. */
  resultAllowHosts: readonly string[];
  logger: Logger;
  /** Each attempt's outcome and the breaker's state. */
  metrics: Metrics;
}

export const DEFAULT_HTTP_GENERATION: Omit<HttpGenerationOptions, "baseUrl" | "apiKey" | "cache" | "logger"> = {
  timeoutMs: 15_000,
  maxRetries: 3,
  initialBackoffMs: 500,
  maxBackoffMs: 10_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 30_000,
  pollIntervalMs: 2_000,
  maxResultBytes: 2 * 1024 ** 3,
  maxWaitMs: 60 * 60_000,
  maxRetryAfterMs: 30_000,
  breakerKey: "generation:breaker-open",
  resultAllowHosts: [],
  metrics: noMetrics,
};

const BREAKER_STATE: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Open]: "open",
  [CircuitState.Isolated]: "open",
};

const MAX_REDIRECTS = 5;
const CANCEL_TIMEOUT_MS = 5_000;
const MAX_REASON_CHARS = 500;

const created = z.object({ id: z.string().min(1).max(256) });
const statusBody = z.object({
  id: z.string().optional(),
  status: z.enum(["queued", "processing", "completed", "failed"]),
  progress: z.number().finite().optional(),
  resultUrl: z.string().optional().nullable(),
  error: z.unknown().optional(),
});

/** A non-2xx answer. Transient for 5xx, 408 and 429; any other status is the provider's final word. */
class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`the provider answered ${status}${reason ? `: ${reason}` : ""}`);
    this.name = "ProviderHttpError";
  }
  get transient(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** One attempt ran past its timeout (or a download went silent). */
class ProviderTimeoutError extends Error {
  constructor() {
    super("the provider did not answer in time");
    this.name = "ProviderTimeoutError";
  }
}

/** The provider kept the video in queued/processing for longer than maxWaitMs. */
class OverdueError extends Error {
  constructor(maxWaitMs: number) {
    super(`The generation provider did not finish within ${Math.round(maxWaitMs / 1000)} s; the job will be retried`);
    this.name = "OverdueError";
  }
}

/** `run.signal` aborted: the caller cancelled or is shutting down. Carries the signal's reason. */
export class GenerationCancelledError extends Error {
  constructor(cause: unknown) {
    super("generation cancelled", { cause });
    this.name = "GenerationCancelledError";
  }
}

function isTransientGenerationError(error: unknown): boolean {
  if (error instanceof ProviderHttpError) return error.transient;
  if (error instanceof ProviderTimeoutError) return true;
  if (!(error instanceof Error) || error instanceof DomainError || error instanceof GenerationCancelledError) return false;
  if (isBrokenCircuitError(error) || isSsrfRefusal(error)) return false;
  // fetch reports socket trouble as TypeError("fetch failed") with the system error as its cause.
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return true;
    current = current.cause;
  }
  return error instanceof TypeError && error.message === "fetch failed";
}

/**
 * The remote provider (HeyGen-style REST, see docs/generation-provider.md): create the video with
 * the run's Idempotency-Key, poll its status, stream the result to `run.outputPath`, DELETE it on
 * cancel. Every call goes through retry → circuit breaker → timeout; the breaker's open state is
 * written to the cache so every process's availability reflects it.
 */
export class HttpGenerationProvider implements GenerationProvider, GenerationAvailability {
  readonly describe: string;
  readonly healthCheck: HealthCheck;
  private readonly options: HttpGenerationOptions;
  private readonly base: URL;
  private readonly bounded: IPolicy;
  private readonly unbounded: IPolicy;
  private readonly resultAgent: Agent;
  /** While Date.now() is below this, the local breaker refuses calls (then one trial is let through). */
  private openUntil = 0;

  constructor(options: Partial<HttpGenerationOptions> & Pick<HttpGenerationOptions, "baseUrl" | "apiKey" | "cache" | "logger">) {
    this.options = { ...DEFAULT_HTTP_GENERATION, ...options };
    this.base = assertHttpUrl(this.options.baseUrl.endsWith("/") ? this.options.baseUrl : `${this.options.baseUrl}/`);
    // The origin only: a base URL may carry credentials or tokens in its path or query.
    this.describe = `http (${this.base.origin})`;
    const { bounded, unbounded, breaker } = resiliencePolicies({
      name: "generation provider",
      options: this.options,
      isTransient: isTransientGenerationError,
      logger: this.options.logger,
      describe: (error) => this.describeError(error),
      backoff: this.backoff(),
    });
    this.bounded = bounded;
    this.unbounded = unbounded;
    const ttlSeconds = Math.max(1, Math.ceil(this.options.halfOpenAfterMs / 1000));
    breaker.onBreak(() => {
      this.openUntil = Date.now() + this.options.halfOpenAfterMs;
      void this.options.cache.set(this.options.breakerKey, { openedAt: new Date().toISOString() }, ttlSeconds);
    });
    breaker.onReset(() => {
      this.openUntil = 0;
      void this.options.cache.delete(this.options.breakerKey);
    });
    this.options.metrics.providerBreakerState("closed");
    breaker.onStateChange((state) => this.options.metrics.providerBreakerState(BREAKER_STATE[state]));
    this.resultAgent = createSsrfGuardAgent({
      allowHosts: this.options.resultAllowHosts,
      idleTimeoutMs: this.options.timeoutMs,
      connectTimeoutMs: this.options.timeoutMs,
    });
    this.healthCheck = {
      name: "generation",
      optional: true,
      check: async () => {
        if (!(await this.isAvailable())) throw new Error("the generation provider's circuit is open");
      },
    };
  }

  async isAvailable(): Promise<boolean> {
    if (Date.now() < this.openUntil) return false;
    return (await this.options.cache.get(this.options.breakerKey)) === undefined;
  }

  async close(): Promise<void> {
    await this.resultAgent.close();
  }

  async generate(request: GenerationRequest, run: GenerationRun): Promise<void> {
    const { signal } = run;
    if (signal.aborted) throw new GenerationCancelledError(signal.reason);
    let id: string | undefined;
    try {
      id = await this.call(run, async (attempt) => {
        const response = await this.send("POST", "v1/videos", attempt, {
          headers: { "content-type": "application/json", "idempotency-key": request.idempotencyKey },
          body: JSON.stringify({ script: request.script, voice: request.voice, width: request.width, height: request.height }),
        });
        return this.parse(created, await response.json().catch(() => undefined)).id;
      });
      const resultUrl = await this.waitForResult(id, run);
      await this.download(resultUrl, run);
    } catch (error) {
      if (signal.aborted) {
        if (id !== undefined) await this.cancelRemote(id);
        await rm(run.outputPath, { force: true });
        throw new GenerationCancelledError(signal.reason);
      }
      if (error instanceof OverdueError && id !== undefined) await this.cancelRemote(id);
      throw this.translate(error);
    }
  }

  /** Polls until `completed` (its resultUrl) or `failed` (permanent), reporting progress as it rises. */
  private async waitForResult(id: string, run: GenerationRun): Promise<string> {
    const deadline = Date.now() + this.options.maxWaitMs;
    let reported = -1;
    for (;;) {
      const status = await this.call(run, async (attempt) => {
        const response = await this.send("GET", `v1/videos/${encodeURIComponent(id)}`, attempt);
        return this.parse(statusBody, await response.json().catch(() => undefined));
      });
      const progress = Math.min(100, Math.max(0, status.progress ?? 0));
      if (progress > reported) {
        reported = progress;
        run.onProgress(progress);
      }
      if (status.status === "failed") throw generationFailed(this.reasonOf(status.error) || "the provider reported a failure");
      if (status.status === "completed") {
        if (!status.resultUrl) throw generationFailed("the provider reported completion without a result URL");
        return status.resultUrl;
      }
      if (Date.now() + this.options.pollIntervalMs > deadline) throw new OverdueError(this.options.maxWaitMs);
      await sleep(this.options.pollIntervalMs, undefined, { signal: run.signal });
    }
  }

  /**
   * Streams the result to `run.outputPath`, never holding it in memory, stopping at `maxResultBytes`.
   * The provider's own origin is fetched with its key; any other host only through the SSRF guard,
   * without the key. Redirects are followed by hand so every hop is judged the same way.
   */
  private async download(resultUrl: string, run: GenerationRun): Promise<void> {
    const max = this.options.maxResultBytes;
    try {
      this.options.logger.debug("generation result download", { host: safeHost(resultUrl) });
      const execution = this.unbounded.execute(async ({ signal: policySignal }) => {
        const idle = new IdleTimer(this.options.timeoutMs, [run.signal, policySignal]);
        try {
          const response = await this.openResult(new URL(resultUrl, this.base), idle.signal);
          const length = Number(response.headers.get("content-length") ?? Number.NaN);
          if (Number.isFinite(length) && length > max) {
            discard(response);
            throw tooLarge(max);
          }
          if (!response.body) throw generationFailed("the result had no body");
          let bytes = 0;
          const counter = new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              idle.touch();
              bytes += chunk.length;
              if (bytes > max) callback(tooLarge(max));
              else callback(null, chunk);
            },
          });
          await pipeline(
            Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
            counter,
            createWriteStream(run.outputPath),
            { signal: idle.signal },
          );
        } catch (error) {
          await rm(run.outputPath, { force: true });
          throw idle.explain(error);
        } finally {
          idle.stop();
        }
      }, run.signal);
      await untilAborted(execution, run.signal);
    } catch (error) {
      await rm(run.outputPath, { force: true });
      throw error;
    }
  }

  private async openResult(first: URL, signal: AbortSignal): Promise<Response> {
    let url = first;
    for (let hop = 0; ; hop++) {
      assertHttpUrl(url);
      const own = url.origin === this.base.origin;
      const response = own
        ? await fetch(url, { headers: this.authHeaders(), redirect: "manual", signal })
        : ((await guardedFetch(url, { dispatcher: this.resultAgent, signal })) as unknown as Response);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        discard(response);
        if (hop >= MAX_REDIRECTS) throw generationFailed("the result URL redirected too often");
        url = new URL(location, url);
        continue;
      }
      if (!response.ok) {
        discard(response);
        throw new ProviderHttpError(response.status, "", retryAfterOf(response));
      }
      return response;
    }
  }

  /** One provider call through retry → breaker → timeout, with a cancel told apart from a timeout. */
  private call<T>(run: GenerationRun, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { metrics } = this.options;
    const execution = this.bounded.execute(async ({ signal }) => {
      try {
        const result = await fn(signal);
        metrics.providerCall("ok");
        return result;
      } catch (error) {
        if (run.signal.aborted) {
          metrics.providerCall("cancelled");
          throw new GenerationCancelledError(run.signal.reason);
        }
        if (signal.aborted) {
          metrics.providerCall("timeout");
          throw new ProviderTimeoutError();
        }
        metrics.providerCall(error instanceof ProviderHttpError ? `http_${Math.floor(error.status / 100)}xx` : "error");
        throw error;
      }
    }, run.signal) as Promise<T>;
    // A backoff pause does not listen to the signal: a cancel must not wait for it.
    return untilAborted(execution, run.signal);
  }

  private async send(
    method: "GET" | "POST" | "DELETE",
    path: string,
    signal: AbortSignal,
    init: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<Response> {
    const response = await fetch(new URL(path, this.base), {
      method,
      headers: { ...this.authHeaders(), accept: "application/json", ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
      redirect: "manual",
      signal,
    });
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      throw new ProviderHttpError(response.status, this.reasonOf(parseJson(text) ?? text), retryAfterOf(response));
    }
    return response;
  }

  /** Best effort, once: the provider may stop rendering a video nobody will collect. */
  private async cancelRemote(id: string): Promise<void> {
    try {
      const response = await fetch(new URL(`v1/videos/${encodeURIComponent(id)}`, this.base), {
        method: "DELETE",
        headers: this.authHeaders(),
        // As every other provider call: a redirect is not followed (it could point anywhere, unguarded).
        redirect: "manual",
        signal: AbortSignal.timeout(Math.min(this.options.timeoutMs, CANCEL_TIMEOUT_MS)),
      });
      discard(response);
    } catch (error) {
      this.options.logger.debug("generation provider cancel failed", this.describeError(error));
    }
  }

  private translate(error: unknown): DomainError {
    if (error instanceof DomainError) return error;
    if (isBrokenCircuitError(error)) return generationUnavailable();
    if (error instanceof ProviderHttpError && !error.transient) return generationFailed(this.scrub(error.message));
    if (isSsrfRefusal(error)) return generationFailed("the result URL points at an address that is not public");
    if (error instanceof OverdueError) {
      return new DomainError(ErrorCodes.DEPENDENCY_UNAVAILABLE, "UNAVAILABLE", this.scrub(error.message), { permanent: false });
    }
    this.options.logger.warn("generation provider call failed", this.describeError(error));
    const reason =
      error instanceof ProviderHttpError
        ? `it answered ${error.status}`
        : error instanceof ProviderTimeoutError
          ? "it did not answer in time"
          : "it could not be reached";
    return new DomainError(
      ErrorCodes.DEPENDENCY_UNAVAILABLE,
      "UNAVAILABLE",
      `The generation provider failed (${reason}); the job will be retried`,
      { permanent: false },
    );
  }

  /** Retry-After (bounded by maxRetryAfterMs) when the provider sent one, else exponential backoff with jitter. */
  private backoff(): IBackoffFactory<IRetryBackoffContext<unknown>> {
    const { initialBackoffMs, maxBackoffMs, maxRetryAfterMs } = this.options;
    const make = (context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> => {
      const error = "error" in context.result ? context.result.error : undefined;
      const exponential = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.max(0, context.attempt - 1));
      const duration =
        error instanceof ProviderHttpError && error.retryAfterMs !== undefined
          ? Math.min(maxRetryAfterMs, error.retryAfterMs)
          : exponential * (0.8 + Math.random() * 0.4);
      return { duration, next: make };
    };
    return { next: make };
  }

  private parse<T>(schema: z.ZodType<T>, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw generationFailed("the provider answered something this client does not understand");
    return parsed.data;
  }

  private authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.options.apiKey}` };
  }

  /** The provider's own words, short and without our key (a provider may echo a request back). */
  private reasonOf(error: unknown): string {
    let text = "";
    if (typeof error === "string") text = error;
    else if (error && typeof error === "object") {
      const fields = error as Record<string, unknown>;
      const inner = fields.error ?? fields.message ?? fields.detail;
      text = typeof inner === "string" ? inner : inner && typeof inner === "object" ? this.reasonOf(inner) : "";
      if (!text && typeof fields.code === "string") text = fields.code;
    }
    return this.scrub(text.trim()).slice(0, MAX_REASON_CHARS);
  }

  private scrub(text: string): string {
    return this.options.apiKey ? text.split(this.options.apiKey).join("[REDACTED]") : text;
  }

  private describeError(error: unknown): Record<string, unknown> {
    if (!(error instanceof Error)) return {};
    const cause = error.cause instanceof Error ? error.cause : undefined;
    return {
      errorName: error.name,
      message: this.scrub(error.message),
      ...(error instanceof ProviderHttpError ? { httpStatus: error.status } : {}),
      ...(cause ? { cause: this.scrub(`${cause.name}: ${cause.message}`) } : {}),
    };
  }
}

/** Aborts when any of `parents` does, or after `ms` without a `touch()`; tells a silence from a cancel. */
class IdleTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private idled = false;
  private readonly unlink: Array<() => void> = [];

  constructor(
    private readonly ms: number,
    parents: AbortSignal[],
  ) {
    for (const parent of parents) {
      if (parent.aborted) this.controller.abort(parent.reason);
      const onAbort = () => this.controller.abort(parent.reason);
      parent.addEventListener("abort", onAbort, { once: true });
      this.unlink.push(() => parent.removeEventListener("abort", onAbort));
    }
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.idled = true;
      this.controller.abort(new ProviderTimeoutError());
    }, this.ms);
  }

  explain(error: unknown): unknown {
    return this.idled && !(error instanceof DomainError) ? new ProviderTimeoutError() : error;
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const unlink of this.unlink) unlink();
  }
}

/** `promise`, or a GenerationCancelledError as soon as `signal` aborts (the promise is left to settle alone). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new GenerationCancelledError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new GenerationCancelledError(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function tooLarge(max: number): DomainError {
  return generationFailed(`the result is larger than ${max} bytes`, { maxResultBytes: max });
}

function retryAfterOf(response: Response): number | undefined {
  const header = response.headers.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/**
 * Lets go of a body we will not read. Not awaited: cancelling one branch of a tee'd stream (a
 * response some interceptor cloned) settles only when the other branch is done too.
 */
function discard(response: { body: { cancel(): Promise<void> } | null }): void {
  response.body?.cancel().catch(() => undefined);
}
