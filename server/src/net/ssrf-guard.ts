import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { Agent, buildConnector, fetch as undiciFetch, type Dispatcher } from "undici";

/**
 * Fetching a URL someone else chose (a provider's result URL, a webhook target) without letting it
 * reach inside our network: only http(s), and only hosts whose every address is public unicast.
 * The check runs where the socket is opened (the dispatcher's connect), after DNS, so a name that
 * resolves to 127.0.0.1 or 10.x — or re-resolves there later — is refused as an IP literal is.
 */

export const SSRF_REFUSED = "ERR_SSRF_REFUSED";

/** A URL or address the guard will not connect to. Never worth a retry. */
export class SsrfRefusedError extends Error {
  readonly code = SSRF_REFUSED;
  constructor(message: string) {
    super(message);
    this.name = "SsrfRefusedError";
  }
}

export interface SsrfGuardOptions {
  /**
   * Host names or IP literals (as in a URL, any case, IPv6 with or without brackets) connected to
   * without the address check: a dependency we run ourselves, or a test's local receiver.
   */
  allowHosts?: readonly string[];
  /** Connect timeout, ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Longest wait for response headers, and the longest silence between body chunks, ms (default 30 s). */
  idleTimeoutMs?: number;
  /** The resolver (dns.lookup by default); tests may answer names themselves. */
  lookup?: LookupFunction;
}

/** True for an address anyone on the internet could also reach: ipaddr's "unicast" range only. */
export function isPublicUnicast(address: string): boolean {
  const bare = stripBrackets(address);
  if (!ipaddr.isValid(bare)) return false;
  // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into the IPv4 address it carries.
  return ipaddr.process(bare).range() === "unicast";
}

/** Only http: and https: URLs; throws SsrfRefusedError otherwise. */
export function assertHttpUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SsrfRefusedError("not a URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new SsrfRefusedError(`only http and https URLs are fetched, not ${parsed.protocol}`);
  }
  return parsed;
}

/** True when `error` (or one of its causes, as fetch wraps them) is the guard's refusal. */
export function isSsrfRefusal(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if ((current as Error & { code?: unknown }).code === SSRF_REFUSED) return true;
    current = current.cause;
  }
  return false;
}

/** An undici Agent that refuses to open a socket to anything but public unicast addresses (or allowed hosts). */
export function createSsrfGuardAgent(options: SsrfGuardOptions = {}): Agent {
  const allowed = new Set((options.allowHosts ?? []).map((host) => stripBrackets(host).toLowerCase()));
  const resolve = options.lookup ?? (dnsLookup as LookupFunction);
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true } as LookupAllOptions, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const list = (Array.isArray(addresses) ? addresses : [{ address: addresses, family: 4 }]) as LookupAddress[];
      // Every answer must pass: a name answering one public and one private address is refused.
      const refused = list.find((entry) => !isPublicUnicast(entry.address));
      if (list.length === 0 || refused) {
        return callback(new SsrfRefusedError(`${hostname} resolves to an address that is not public`), "", 0);
      }
      if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
  const timeout = options.connectTimeoutMs ?? 10_000;
  const guarded = buildConnector({ timeout, lookup: guardedLookup });
  const plain = buildConnector({ timeout });
  const idle = options.idleTimeoutMs ?? 30_000;
  return new Agent({
    headersTimeout: idle,
    bodyTimeout: idle,
    connect: (connectOptions, callback) => {
      const host = stripBrackets(connectOptions.hostname).toLowerCase();
      if (allowed.has(host)) return plain(connectOptions, callback);
      if (connectOptions.protocol !== "http:" && connectOptions.protocol !== "https:") {
        return callback(new SsrfRefusedError(`only http and https, not ${connectOptions.protocol}`), null);
      }
      // IP literals never reach the lookup: judge them here.
      if (ipaddr.isValid(host) && !isPublicUnicast(host)) {
        return callback(new SsrfRefusedError("the address is not public"), null);
      }
      return guarded(connectOptions, callback);
    },
  });
}

/**
 * fetch through a guard agent (undici's own fetch, so the dispatcher is always honoured). Redirects
 * are not followed: the caller decides, and a next hop goes through the guard again.
 */
export function guardedFetch(
  url: string | URL,
  init: { dispatcher: Dispatcher; signal?: AbortSignal; headers?: Record<string, string> },
): ReturnType<typeof undiciFetch> {
  const target = assertHttpUrl(url);
  return undiciFetch(target, { ...init, redirect: "manual" });
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
