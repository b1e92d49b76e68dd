import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { IPolicy } from "cockatiel";
import type { Agent } from "undici";
import { generationFailed, type GenerationRun } from "../../shared/application/generation-provider.js";
import type { Logger } from "../../shared/application/logger.js";
import type { DomainError } from "../../shared/domain/domain-error.js";
import { assertHttpUrl, createSsrfGuardAgent, guardedFetch } from "../../net/ssrf-guard.js";
import { IdleTimer } from "./idle-timer.js";
import { discard, retryAfterOf, type ProviderClient } from "./provider-client.js";
import { ProviderHttpError, untilAborted } from "./provider-errors.js";

const MAX_REDIRECTS = 5;

export interface ResultDownloadOptions {
  /** Idle timeout of a download (no bytes for this long), and the result agent's connect timeout. */
  timeoutMs: number;
  maxResultBytes: number;
  /** Result hosts fetched without the public-address check (a test's receiver). */
  resultAllowHosts: readonly string[];
  logger: Logger;
}

/**
 * Streams a finished video to `run.outputPath`, never holding it in memory, stopping at
 * `maxResultBytes`. The provider's own origin is fetched with its key; any other host only through
 * the SSRF guard, without the key. Redirects are followed by hand so every hop is judged the same way.
 */
export class ResultDownload {
  private readonly agent: Agent;

  constructor(
    private readonly client: ProviderClient,
    /** Retry → breaker without a per-attempt timeout: a download bounds itself with an idle timer. */
    private readonly unbounded: IPolicy,
    private readonly options: ResultDownloadOptions,
  ) {
    this.agent = createSsrfGuardAgent({
      allowHosts: options.resultAllowHosts,
      idleTimeoutMs: options.timeoutMs,
      connectTimeoutMs: options.timeoutMs,
    });
  }

  async fetchTo(resultUrl: string, run: GenerationRun): Promise<void> {
    const max = this.options.maxResultBytes;
    try {
      this.options.logger.debug("generation result download", { host: safeHost(resultUrl) });
      const execution = this.unbounded.execute(async ({ signal: policySignal }) => {
        const idle = new IdleTimer(this.options.timeoutMs, [run.signal, policySignal]);
        try {
          const response = await this.open(new URL(resultUrl, this.client.base), idle.signal);
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

  close(): Promise<void> {
    return this.agent.close();
  }

  private async open(first: URL, signal: AbortSignal): Promise<Response> {
    let url = first;
    for (let hop = 0; ; hop++) {
      assertHttpUrl(url);
      const own = url.origin === this.client.base.origin;
      const response = own
        ? await fetch(url, { headers: this.client.authHeaders(), redirect: "manual", signal })
        : ((await guardedFetch(url, { dispatcher: this.agent, signal })) as unknown as Response);
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
}

function tooLarge(max: number): DomainError {
  return generationFailed(`the result is larger than ${max} bytes`, { maxResultBytes: max });
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
