import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type { WebhookSecrets } from "../application/webhook-secrets.js";
import { generateWebhookSecret } from "./webhook-signature.js";

const VERSION = "v1";

/**
 * Secrets sealed with AES-256-GCM under a key derived from JWT_SECRET (production refuses a weak
 * one), so the table alone cannot sign a webhook. `v1.<iv>.<tag>.<ciphertext>`, base64url each.
 */
export class SealedWebhookSecrets implements WebhookSecrets {
  private readonly key: Buffer;

  constructor(jwtSecret: string) {
    this.key = createHmac("sha256", jwtSecret).update("reelbase/webhook-secrets/v1").digest();
  }

  generate(): string {
    return generateWebhookSecret();
  }

  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), sealed]
      .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
      .join(".");
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(".");
    if (version !== VERSION || !iv || !tag || data === undefined)
      throw new Error("a webhook secret is not sealed in a known format");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  }
}
