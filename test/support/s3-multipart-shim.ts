import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/**
 * s3rver stores multipart parts but answers neither ListParts nor AbortMultipartUpload, checks no
 * part's ETag at CompleteMultipartUpload and no presigned URL's expiry. This proxy in front of it
 * does those as S3 does, from s3rver's own upload folder (`<dir>/<bucket>/._S3rver_uploads/<id>/<n>`),
 * and forwards everything else unchanged.
 */
export async function startS3MultipartShim(options: {
  target: string;
  directory: string;
  bucket: string;
}): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(options.target);
  const uploadsDir = path.join(options.directory, options.bucket, "._S3rver_uploads");
  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://shim.invalid");
    const uploadId = url.searchParams.get("uploadId");
    const amzDate = url.searchParams.get("X-Amz-Date");
    const expires = url.searchParams.get("X-Amz-Expires");
    if (amzDate && expires && expiresAt(amzDate, Number(expires)) < Date.now()) {
      return xml(res, 403, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
    }
    if (uploadId && !/^[0-9a-f]{32}$/.test(uploadId)) return xml(res, 404, "<Error><Code>NoSuchUpload</Code></Error>");
    const folder = uploadId ? path.join(uploadsDir, uploadId) : "";
    if (uploadId && req.method === "GET") {
      const parts = await partsIn(folder);
      if (!parts) return xml(res, 404, "<Error><Code>NoSuchUpload</Code></Error>");
      const body = parts
        .map((part) => `<Part><PartNumber>${part.number}</PartNumber><ETag>"${part.md5}"</ETag><Size>${part.size}</Size></Part>`)
        .join("");
      return xml(
        res,
        200,
        `<ListPartsResult><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${body}</ListPartsResult>`,
      );
    }
    if (uploadId && req.method === "DELETE") {
      await rm(folder, { recursive: true, force: true });
      res.writeHead(204).end();
      return;
    }
    if (uploadId && req.method === "PUT") {
      // S3 stores a part only once all of it arrived; s3rver writes whatever came before a drop.
      const chunks: Buffer[] = [];
      let aborted = false;
      req.on("aborted", () => (aborted = true));
      try {
        for await (const chunk of req) chunks.push(chunk as Buffer);
      } catch {
        aborted = true;
      }
      if (aborted || !req.complete) {
        res.destroy();
        return;
      }
      return forward(req, res, Buffer.concat(chunks));
    }
    if (uploadId && req.method === "POST") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const parts = await partsIn(folder);
      if (!parts) return xml(res, 404, "<Error><Code>NoSuchUpload</Code></Error>");
      const held = new Map(parts.map((part) => [part.number, part.md5]));
      for (const match of body.toString("utf8").matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
        const number = Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(match[1] ?? "")?.[1]);
        const etag = (/<ETag>([^<]*)<\/ETag>/.exec(match[1] ?? "")?.[1] ?? "").replace(/"|&quot;|&#34;/g, "");
        if (held.get(number) !== etag) return xml(res, 400, "<Error><Code>InvalidPart</Code></Error>");
      }
      return forward(req, res, body);
    }
    forward(req, res);
  }
  function forward(req: http.IncomingMessage, res: http.ServerResponse, body?: Buffer): void {
    const upstream = http.request(
      {
        agent: false,
        hostname: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: {
          ...req.headers,
          host: target.host,
          connection: "close",
          ...(body ? { "content-length": String(body.length) } : {}),
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    // A reader that goes away mid-body (ffprobe range-reads and hangs up) must not leave s3rver
    // writing into a connection nobody drains: that connection would keep s3rver from closing.
    res.on("close", () => upstream.destroy());
    if (body) upstream.end(body);
    else req.pipe(upstream);
  }
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

function xml(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "application/xml" }).end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
}

function expiresAt(amzDate: string, seconds: number): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return 0;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + seconds * 1000;
}

async function partsIn(folder: string): Promise<{ number: number; md5: string; size: number }[] | null> {
  const names = await readdir(folder).catch(() => null);
  if (!names) return null;
  const parts: { number: number; md5: string; size: number }[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const file = path.join(folder, name);
    const hash = createHash("md5");
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    parts.push({ number: Number(name), md5: hash.digest("hex"), size: (await stat(file)).size });
  }
  return parts.sort((a, b) => a.number - b.number);
}
