import { injectable } from "inversify";

/**
 * Tells this process's delivery worker that deliveries are due now, so a test or a redelivery
 * does not wait for its next poll. Harmless where no worker runs (another process polls).
 */
@injectable()
export class DeliveryWake {
  private listener: () => void = () => {};

  onWake(listener: () => void): void {
    this.listener = listener;
  }

  now(): void {
    this.listener();
  }
}
