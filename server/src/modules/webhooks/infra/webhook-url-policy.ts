import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isPublicUnicast } from "../../../net/ssrf-guard.js";
import type { WebhookUrlPolicy } from "../application/webhook-secrets.js";
import { WebhookErrors } from "../domain/webhook.errors.js";

/** As the SSRF guard compares hosts: any case, IPv6 without brackets. */
export function normalizeHost(host: string): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare.toLowerCase();
}

/** Why a URL is never called, or null: only http(s), no credentials, and http: only to an allow-listed host. */
export function webhookUrlRefusal(url: string, allowedHosts: ReadonlySet<string>): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "not a URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `only https: URLs are called, not ${parsed.protocol}`;
  if (parsed.username !== "" || parsed.password !== "") return "URLs with credentials are not called";
  if (parsed.protocol === "http:" && !allowedHosts.has(normalizeHost(parsed.hostname))) {
    return "http: is called only for allow-listed hosts (WEBHOOK_ALLOWED_HOSTS); use https:";
  }
  return null;
}

/**
 * Checked when an endpoint is saved, so a mistake is told at once; the sender checks again on the
 * address it actually connects to (a name may point elsewhere later).
 */
export class DnsWebhookUrlPolicy implements WebhookUrlPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(
    allowedHosts: readonly string[],
    private readonly resolve: (host: string) => Promise<string[]> = async (host) =>
      (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address),
  ) {
    this.allowed = new Set(allowedHosts.map(normalizeHost));
  }

  async check(url: string): Promise<void> {
    const refusal = webhookUrlRefusal(url, this.allowed);
    if (refusal) throw WebhookErrors.urlRefused(refusal);
    const host = normalizeHost(new URL(url).hostname);
    if (this.allowed.has(host)) return;
    const addresses = isIP(host) ? [host] : await this.resolve(host).catch(() => null);
    if (addresses === null || addresses.length === 0) throw WebhookErrors.urlRefused(`${host} does not resolve`);
    if (!addresses.every(isPublicUnicast)) {
      throw WebhookErrors.urlRefused(`${host} points to a private, loopback or otherwise non-public address`);
    }
  }
}
