import { DomainError } from "../../shared/domain/domain-error.js";
import { ProviderTimeoutError } from "./provider-errors.js";

/** Aborts when any of `parents` does, or after `ms` without a `touch()`; tells a silence from a cancel. */
export class IdleTimer {
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
