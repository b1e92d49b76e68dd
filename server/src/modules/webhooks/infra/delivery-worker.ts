import { PollingLoop } from "../../../outbox/polling-loop.js";
import type { Clock } from "../../../shared/application/clock.js";
import type { Logger } from "../../../shared/application/logger.js";
import type { AttemptDelivery } from "../application/attempt-delivery.js";
import type { WebhookDeliveryRepository } from "../application/webhook-delivery.repository.js";

export interface DeliveryWorkerOptions {
  /** Attempts in flight in this process at once. */
  concurrency: number;
  /** Attempts in flight to one endpoint at once: a slow or dead receiver holds this many slots, never all. */
  perEndpoint?: number;
  /** The sender's timeout: a claim outlives it, so only a dead process's claim runs out. */
  attemptTimeoutMs: number;
  pollMs?: number;
}

/**
 * Works the deliveries table as a queue: claims due deliveries while it has free slots and runs
 * one attempt for each. Any number of processes may do so at once (claims are SKIP LOCKED and
 * expire), so a process that dies mid-attempt only delays its deliveries by a claim's length.
 */
export class DeliveryWorker {
  private readonly loop: PollingLoop;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perEndpointCount = new Map<string, number>();
  private readonly perEndpoint: number;

  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly attempt: AttemptDelivery,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: DeliveryWorkerOptions,
  ) {
    // Half the slots (8 of the default 16): one receiver can keep a steady stream going, never take them all.
    this.perEndpoint = options.perEndpoint ?? Math.max(1, Math.floor(options.concurrency / 2));
    this.loop = new PollingLoop({
      name: "webhook deliveries",
      pollMs: options.pollMs ?? 500,
      logger,
      step: () => this.claimAndStart(),
    });
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Stops claiming and waits for the attempts in flight (each bounded by the sender's timeout). */
  async close(): Promise<void> {
    await this.loop.close();
    await Promise.allSettled(this.inFlight.values());
  }

  private async claimAndStart(): Promise<boolean> {
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) return false;
    const now = this.clock.now();
    const busy = [...this.perEndpointCount].filter(([, count]) => count >= this.perEndpoint).map(([id]) => id);
    const claimed = await this.deliveries.claimDue(
      now,
      new Date(now.getTime() + this.options.attemptTimeoutMs + 30_000),
      free,
      busy,
      this.perEndpoint,
    );
    const overCap: string[] = [];
    for (const item of claimed) {
      const endpointId = item.delivery.endpointId;
      if ((this.perEndpointCount.get(endpointId) ?? 0) >= this.perEndpoint) {
        overCap.push(item.delivery.id);
        continue;
      }
      this.perEndpointCount.set(endpointId, (this.perEndpointCount.get(endpointId) ?? 0) + 1);
      const run = this.attempt
        .execute(item, this.loop.signal)
        .catch((error: unknown) => {
          // The claim runs out and another round tries again.
          this.logger.warn("a webhook delivery attempt failed to complete", { deliveryId: item.delivery.id, error });
        })
        .finally(() => {
          this.inFlight.delete(item.delivery.id);
          const left = (this.perEndpointCount.get(endpointId) ?? 1) - 1;
          if (left <= 0) this.perEndpointCount.delete(endpointId);
          else this.perEndpointCount.set(endpointId, left);
          this.loop.wake();
        });
      this.inFlight.set(item.delivery.id, run);
    }
    // One claim may take more of one endpoint's deliveries than its cap: those go back at once.
    if (overCap.length > 0) await this.deliveries.release(overCap);
    return claimed.length > 0 && claimed.length === free && overCap.length === 0;
  }
}
