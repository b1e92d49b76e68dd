import { ProviderHttpError } from "./provider-errors.js";

const MAX_REASON_CHARS = 500;

/** The provider's words and our errors as they may be logged or shown: short, and never with the API key. */
export class Redactor {
  constructor(private readonly apiKey: string) {}

  /** The provider's own words, short and without our key (a provider may echo a request back). */
  reasonOf(error: unknown): string {
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

  scrub(text: string): string {
    return this.apiKey ? text.split(this.apiKey).join("[REDACTED]") : text;
  }

  /** Log fields for a failed call; never the request, which carries the key. */
  describeError(error: unknown): Record<string, unknown> {
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
