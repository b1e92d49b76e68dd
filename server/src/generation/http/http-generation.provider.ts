import { rm } from "node:fs/promises";
import type {
  GenerationAvailability,
  GenerationProvider,
  GenerationRequest,
  GenerationRun,
} from "../../shared/application/generation-provider.js";
import type { HealthCheck } from "../../shared/application/health-check.js";
import { assertHttpUrl } from "../../net/ssrf-guard.js";
import { DEFAULT_HTTP_GENERATION, type HttpGenerationOptions } from "./http-generation.options.js";
import { ProviderClient } from "./provider-client.js";
import { GenerationCancelledError, OverdueError, translateProviderError } from "./provider-errors.js";
import { providerPolicies } from "./provider-policies.js";
import { Redactor } from "./redactor.js";
import { ResultDownload } from "./result-download.js";
import { waitForResult } from "./result-polling.js";
import { SharedBreaker } from "./shared-breaker.js";

export { DEFAULT_HTTP_GENERATION, type HttpGenerationOptions } from "./http-generation.options.js";
export { GenerationCancelledError } from "./provider-errors.js";

/**
 * The remote provider (HeyGen-style REST, see docs/generation-provider.md): create the video with
 * the run's Idempotency-Key, poll its status, stream the result to `run.outputPath`, DELETE it on
 * cancel. Every call goes through retry → circuit breaker → timeout; the breaker's open state is
 * written to the cache so every process's availability reflects it.
 *
 * The pieces, a file each: the provider's calls (provider-client.ts), the polling
 * (result-polling.ts), the download (result-download.ts), the policies and their backoff
 * (provider-policies.ts), the shared breaker state (shared-breaker.ts), the errors and what a job
 * sees of them (provider-errors.ts), the key kept out of text (redactor.ts).
 */
export class HttpGenerationProvider implements GenerationProvider, GenerationAvailability {
  readonly describe: string;
  readonly healthCheck: HealthCheck;
  private readonly options: HttpGenerationOptions;
  private readonly redactor: Redactor;
  private readonly client: ProviderClient;
  private readonly result: ResultDownload;
  private readonly breaker: SharedBreaker;

  constructor(options: Partial<HttpGenerationOptions> & Pick<HttpGenerationOptions, "baseUrl" | "apiKey" | "cache" | "logger">) {
    this.options = { ...DEFAULT_HTTP_GENERATION, ...options };
    const base = assertHttpUrl(this.options.baseUrl.endsWith("/") ? this.options.baseUrl : `${this.options.baseUrl}/`);
    // The origin only: a base URL may carry credentials or tokens in its path or query.
    this.describe = `http (${base.origin})`;
    this.redactor = new Redactor(this.options.apiKey);
    const { bounded, unbounded, breaker } = providerPolicies(this.options, this.redactor);
    this.breaker = new SharedBreaker(breaker, this.options);
    this.client = new ProviderClient(base, this.options, bounded, this.options.metrics, this.redactor);
    this.result = new ResultDownload(this.client, unbounded, this.options);
    this.healthCheck = {
      name: "generation",
      optional: true,
      check: async () => {
        if (!(await this.isAvailable())) throw new Error("the generation provider's circuit is open");
      },
    };
  }

  isAvailable(): Promise<boolean> {
    return this.breaker.isAvailable();
  }

  async close(): Promise<void> {
    await this.result.close();
  }

  async generate(request: GenerationRequest, run: GenerationRun): Promise<void> {
    const { signal } = run;
    if (signal.aborted) throw new GenerationCancelledError(signal.reason);
    let id: string | undefined;
    try {
      id = await this.client.createVideo(request, run);
      const resultUrl = await waitForResult(this.client, id, run, this.options, this.redactor);
      await this.result.fetchTo(resultUrl, run);
    } catch (error) {
      if (signal.aborted) {
        if (id !== undefined) await this.client.cancelRemote(id);
        await rm(run.outputPath, { force: true });
        throw new GenerationCancelledError(signal.reason);
      }
      if (error instanceof OverdueError && id !== undefined) await this.client.cancelRemote(id);
      throw translateProviderError(error, this.redactor, this.options.logger);
    }
  }
}
