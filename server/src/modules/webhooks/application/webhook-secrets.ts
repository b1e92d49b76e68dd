/** Signing secrets: made here, sealed before they are stored (a database dump does not sign webhooks). */
export interface WebhookSecrets {
  /** A fresh `whsec_…` secret. */
  generate(): string;
  seal(secret: string): string;
  open(sealed: string): string;
}

export const WEBHOOK_SECRETS = Symbol.for("WebhookSecrets");

/** Whether a URL may receive webhooks: http(s), and a public address unless its host is allow-listed. */
export interface WebhookUrlPolicy {
  /** Throws WebhookErrors.urlRefused with the reason; resolves the host's name to check where it points. */
  check(url: string): Promise<void>;
}

export const WEBHOOK_URL_POLICY = Symbol.for("WebhookUrlPolicy");
