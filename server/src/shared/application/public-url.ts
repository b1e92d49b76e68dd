/**
 * The URL clients reach this API at. PUBLIC_URL when configured; otherwise known only once
 * the HTTP server listens (port 0 in tests), so it is filled in then.
 */
export class PublicUrl {
  private current: string | undefined;

  constructor(configured: string | undefined) {
    this.current = configured?.replace(/\/+$/, "");
  }

  get value(): string {
    if (!this.current) throw new Error("The public URL is not known before the HTTP server listens");
    return this.current;
  }

  setIfUnset(url: string): void {
    this.current ??= url.replace(/\/+$/, "");
  }
}

export const PUBLIC_URL = Symbol.for("PublicUrl");
