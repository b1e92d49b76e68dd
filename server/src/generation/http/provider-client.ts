import type { IPolicy } from "cockatiel";
import { z } from "zod";
import { generationFailed, type GenerationRequest, type GenerationRun } from "../../shared/application/generation-provider.js";
import type { Metrics } from "../../shared/application/metrics.js";
import type { HttpGenerationOptions } from "./http-generation.options.js";
import { GenerationCancelledError, ProviderHttpError, ProviderTimeoutError, untilAborted } from "./provider-errors.js";
import type { Redactor } from "./redactor.js";

const CANCEL_TIMEOUT_MS = 5_000;

const created = z.object({ id: z.string().min(1).max(256) });
const statusBody = z.object({
  id: z.string().optional(),
  status: z.enum(["queued", "processing", "completed", "failed"]),
  progress: z.number().finite().optional(),
  resultUrl: z.string().optional().nullable(),
  error: z.unknown().optional(),
});

/** One status poll's answer. */
export type ProviderVideoStatus = z.infer<typeof statusBody>;

/**
 * The provider's REST calls (docs/generation-provider.md): create a video, read its status, delete
 * it. Each one goes through retry → breaker → timeout (`bounded`), with the key sent only to the
 * provider's own origin and redirects never followed.
 */
export class ProviderClient {
  constructor(
    readonly base: URL,
    private readonly options: Pick<HttpGenerationOptions, "apiKey" | "timeoutMs" | "logger">,
    private readonly bounded: IPolicy,
    private readonly metrics: Metrics,
    private readonly redactor: Redactor,
  ) {}

  /** POST v1/videos with the run's Idempotency-Key; the provider's id of the video. */
  createVideo(request: GenerationRequest, run: GenerationRun): Promise<string> {
    return this.call(run, async (attempt) => {
      const response = await this.send("POST", "v1/videos", attempt, {
        headers: { "content-type": "application/json", "idempotency-key": request.idempotencyKey },
        body: JSON.stringify({ script: request.script, voice: request.voice, width: request.width, height: request.height }),
      });
      return this.parse(created, await response.json().catch(() => undefined)).id;
    });
  }

  /** GET v1/videos/:id. */
  status(id: string, run: GenerationRun): Promise<ProviderVideoStatus> {
    return this.call(run, async (attempt) => {
      const response = await this.send("GET", `v1/videos/${encodeURIComponent(id)}`, attempt);
      return this.parse(statusBody, await response.json().catch(() => undefined));
    });
  }

  /** Best effort, once: the provider may stop rendering a video nobody will collect. */
  async cancelRemote(id: string): Promise<void> {
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
      this.options.logger.debug("generation provider cancel failed", this.redactor.describeError(error));
    }
  }

  authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.options.apiKey}` };
  }

  /** One provider call through retry → breaker → timeout, with a cancel told apart from a timeout. */
  private call<T>(run: GenerationRun, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { metrics } = this;
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
      throw new ProviderHttpError(response.status, this.redactor.reasonOf(parseJson(text) ?? text), retryAfterOf(response));
    }
    return response;
  }

  private parse<T>(schema: z.ZodType<T>, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw generationFailed("the provider answered something this client does not understand");
    return parsed.data;
  }
}

export function retryAfterOf(response: Response): number | undefined {
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

/**
 * Lets go of a body we will not read. Not awaited: cancelling one branch of a tee'd stream (a
 * response some interceptor cloned) settles only when the other branch is done too.
 */
export function discard(response: { body: { cancel(): Promise<void> } | null }): void {
  response.body?.cancel().catch(() => undefined);
}
