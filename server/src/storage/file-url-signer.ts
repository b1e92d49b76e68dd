import { createHmac, timingSafeEqual } from "node:crypto";

/** What a local file URL grants: one method on one key until `expires`, with the upload's exact type and size. */
export interface FileUrlClaims {
  method: "GET" | "PUT";
  key: string;
  /** Unix seconds. */
  expires: number;
  /** PUT only: the Content-Type the upload must carry. */
  contentType?: string;
  /** PUT only: the exact number of bytes the upload must carry. */
  sizeBytes?: number;
  /** GET only: the name a download is saved as (Content-Disposition). */
  filename?: string;
}

const VERSION = "reelbase-file-url/v1";
const PARAM = {
  expires: "expires",
  contentType: "type",
  sizeBytes: "size",
  filename: "filename",
  signature: "signature",
} as const;
const DIGITS = /^\d{1,16}$/;

/**
 * HMAC-SHA256 over every claim. The method and key come from the request itself, never from the
 * query, so a URL replayed for another key or method fails the comparison like a tampered one.
 */
export class FileUrlSigner {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error("The file URL signing secret is too short");
  }

  sign(claims: FileUrlClaims): string {
    // A JSON array is an unambiguous encoding: no choice of separator can make two claim sets collide.
    const payload = JSON.stringify([
      VERSION,
      claims.method,
      claims.key,
      claims.expires,
      claims.contentType ?? null,
      claims.sizeBytes ?? null,
      claims.filename ?? null,
    ]);
    return createHmac("sha256", this.secret).update(payload).digest("base64url");
  }

  verify(claims: FileUrlClaims, signature: string): boolean {
    const expected = Buffer.from(this.sign(claims), "base64url");
    const given = Buffer.from(signature, "base64url");
    // timingSafeEqual throws on a length mismatch; the length of an HMAC is public anyway.
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The query string of a signed URL (the key travels in the path). */
  toQuery(claims: FileUrlClaims): string {
    const query = new URLSearchParams();
    query.set(PARAM.expires, String(claims.expires));
    if (claims.contentType !== undefined) query.set(PARAM.contentType, claims.contentType);
    if (claims.sizeBytes !== undefined) query.set(PARAM.sizeBytes, String(claims.sizeBytes));
    if (claims.filename !== undefined) query.set(PARAM.filename, claims.filename);
    query.set(PARAM.signature, this.sign(claims));
    return query.toString();
  }
}

/**
 * The claims a request presents: method and key from the request line, the rest from the query.
 * null when the query is malformed (missing or repeated parameters), which callers treat as tampering.
 */
export function readFileUrlClaims(
  method: FileUrlClaims["method"],
  key: string,
  query: URLSearchParams,
): { claims: FileUrlClaims; signature: string } | null {
  const single = (name: string): string | undefined | null => {
    const values = query.getAll(name);
    if (values.length > 1) return null;
    return values[0];
  };
  const expires = single(PARAM.expires);
  const signature = single(PARAM.signature);
  const contentType = single(PARAM.contentType);
  const sizeBytes = single(PARAM.sizeBytes);
  const filename = single(PARAM.filename);
  if (!expires || !signature || !DIGITS.test(expires)) return null;
  if (contentType === null || sizeBytes === null || filename === null) return null;
  if (sizeBytes !== undefined && !DIGITS.test(sizeBytes)) return null;
  return {
    signature,
    claims: {
      method,
      key,
      expires: Number(expires),
      ...(contentType !== undefined ? { contentType } : {}),
      ...(sizeBytes !== undefined ? { sizeBytes: Number(sizeBytes) } : {}),
      ...(filename !== undefined ? { filename } : {}),
    },
  };
}
