import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * s3rver accepts any SigV4 signature ("Signature version 4 calculation is unimplemented" in its
 * authentication middleware), so on its own it cannot show that a presigned URL binds its signed
 * headers. This proxy checks presigned requests the way S3 and MinIO do (AWS SigV4, query form,
 * computed here from the SigV4 algorithm with node:crypto, not with the SDK that made the URL) and forwards
 * the ones that verify. Point the storage's publicEndpoint at it.
 */
export interface VerifyingProxy {
  url: string;
  close(): Promise<void>;
}

/** Passes a request on to `target` unchanged (but its Host) and streams the answer back. */
export function forwardTo(target: URL, req: http.IncomingMessage, res: http.ServerResponse): void {
  const upstream = http.request(
    {
      hostname: target.hostname,
      port: target.port,
      path: req.url,
      method: req.method,
      headers: { ...req.headers, host: target.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => res.destroy());
  req.pipe(upstream);
}

export async function startSigV4VerifyingProxy(options: {
  target: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): Promise<VerifyingProxy> {
  const target = new URL(options.target);
  const server = http.createServer((req, res) => {
    const [rawPath = "/", rawQuery = ""] = (req.url ?? "/").split("?", 2);
    const query = parseQuery(rawQuery);
    if (query.has("X-Amz-Signature") && !verifies(req, rawPath, query, options.credentials)) {
      res.writeHead(403, { "Content-Type": "application/xml", Connection: "close" });
      res.end("<Error><Code>SignatureDoesNotMatch</Code></Error>");
      return;
    }
    forwardTo(target, req, res);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function verifies(
  req: http.IncomingMessage,
  rawPath: string,
  query: Map<string, string>,
  credentials: { accessKeyId: string; secretAccessKey: string },
): boolean {
  const [accessKeyId, date, region, service, terminator] = (query.get("X-Amz-Credential") ?? "").split("/");
  const amzDate = query.get("X-Amz-Date") ?? "";
  if (accessKeyId !== credentials.accessKeyId || !date || !region || !service || terminator !== "aws4_request") return false;
  const signedHeaders = (query.get("X-Amz-SignedHeaders") ?? "").split(";");
  const canonicalQuery = [...query.entries()]
    .filter(([name]) => name !== "X-Amz-Signature")
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const canonicalHeaders = signedHeaders
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const canonicalRequest = [
    req.method,
    rawPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(";"),
    query.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD",
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonicalRequest).digest("hex")].join(
    "\n",
  );
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString("hex"));
  const given = Buffer.from(query.get("X-Amz-Signature") ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseQuery(raw: string): Map<string, string> {
  const entries = raw
    .split("&")
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const at = pair.indexOf("=");
      const [name, value] = at === -1 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
      return [decodeURIComponent(name), decodeURIComponent(value)] as const;
    });
  return new Map(entries);
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}
