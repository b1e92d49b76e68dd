/** The knobs of delivery, from config (WEBHOOK_*). */
export interface WebhookDeliverySettings {
  retryDelaysMs: readonly number[];
  disableAfterMs: number;
  timeoutMs: number;
  concurrency: number;
  creditsLowThreshold: number;
}

export const APP_CONFIG_WEBHOOKS = Symbol.for("WebhookDeliverySettings");
