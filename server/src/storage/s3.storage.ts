import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import {
  MultipartPartMismatchError,
  type ObjectStorage,
  type PresignedUpload,
  type StoredObject,
  type UploadedPart,
} from "../shared/application/object-storage.js";
import { systemClock, type Clock } from "../shared/application/clock.js";
import type { StorageConfig } from "../config/config.js";
import type { Logger } from "../shared/application/logger.js";
import { attachmentDisposition } from "./content-disposition.js";
import { StorageErrors } from "./storage-errors.js";
import { uploadFile } from "./s3-file-upload.js";
import { assertPutFileRequest, hashSourceFile, openSourceFile } from "./source-file.js";
import { assertUploadRequest, assertValidObjectKey } from "./storage-keys.js";
import { StorageResilience, type StorageResilienceOptions } from "./storage-resilience.js";

/** The S3 part of the configuration, plus what the adapter needs besides. */
export interface S3StorageOptions extends Omit<Extract<StorageConfig, { kind: "s3" }>, "kind"> {
  maxUploadBytes: number;
  logger: Logger;
  clock?: Clock;
  resilience?: Partial<StorageResilienceOptions>;
}

/**
 * Content-Type is signed too: the presigner leaves it out by default (it adds it to the unsignable
 * headers), and `signableHeaders` overrides that. Content-Length is in the signature as well, so
 * S3 refuses a body of any other size or type with 403 SignatureDoesNotMatch.
 */
const SIGNED_UPLOAD_HEADERS = new Set(["content-type", "content-length"]);
/** SigV4's limit for presigned URLs. */
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;
/** S3 numbers parts 1..10 000 and lists at most 1 000 per page. */
const MAX_PART_NUMBER = 10_000;
const MAX_LIST_PAGES = 10;
/** What S3 answers CompleteMultipartUpload with when the parts named are not the parts it holds. */
const PART_MISMATCH_NAMES = new Set(["InvalidPart", "InvalidPartOrder", "EntityTooSmall", "NoSuchUpload"]);

class IdleTimeoutError extends Error {
  constructor() {
    super("The object stream stalled");
    this.name = "IdleTimeoutError";
  }
}

export class S3Storage implements ObjectStorage {
  readonly kind = "s3" as const;
  private readonly client: S3Client;
  /** Signs URLs for the host clients reach; never sends a request. */
  private readonly presigner: S3Client;
  private readonly resilience: StorageResilience;
  private readonly clock: Clock;

  constructor(private readonly options: S3StorageOptions) {
    this.resilience = new StorageResilience(options.resilience ?? {}, options.logger);
    const { timeoutMs } = this.resilience.options;
    this.client = new S3Client(clientConfig(options, options.endpoint, timeoutMs));
    this.presigner = options.publicEndpoint
      ? new S3Client(clientConfig(options, options.publicEndpoint, timeoutMs))
      : this.client;
    this.clock = options.clock ?? systemClock;
  }

  async createUploadUrl(
    key: string,
    options: { contentType: string; sizeBytes: number; expiresInSeconds: number },
  ): Promise<PresignedUpload> {
    assertUploadRequest(key, options, this.options.maxUploadBytes);
    const command = new PutObjectCommand({
      Bucket: this.options.bucket,
      Key: key,
      ContentType: options.contentType,
      ContentLength: options.sizeBytes,
    });
    const { url, expiresAt } = await this.presign(this.presigner, command, options.expiresInSeconds, SIGNED_UPLOAD_HEADERS);
    // Content-Length is signed as well, but browsers and fetch set it from the body and refuse to take it from us.
    return { url, method: "PUT", headers: { "Content-Type": options.contentType }, expiresAt };
  }

  async createDownloadUrl(
    key: string,
    options: { expiresInSeconds: number; filename?: string },
  ): Promise<{ url: string; expiresAt: Date }> {
    assertValidObjectKey(key);
    const command = new GetObjectCommand({
      Bucket: this.options.bucket,
      Key: key,
      ...(options.filename ? { ResponseContentDisposition: attachmentDisposition(options.filename) } : {}),
    });
    return this.presign(this.presigner, command, options.expiresInSeconds);
  }

  async head(key: string): Promise<StoredObject | null> {
    assertValidObjectKey(key);
    return this.resilience.run("head", async (signal) => {
      try {
        const out = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }), {
          abortSignal: signal,
        });
        return {
          sizeBytes: out.ContentLength ?? 0,
          contentType: out.ContentType ?? null,
          // Never the x-amz-meta-sha256 putFile writes: a client's presigned PUT could send that header
          // too, and the source's digest must not be the uploader's word. Callers use sha256() instead.
          sha256: null,
        };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    });
  }

  async sha256(key: string): Promise<string> {
    assertValidObjectKey(key);
    const { timeoutMs } = this.resilience.options;
    // Not under the per-call timeout: hashing gigabytes takes minutes. Time to first byte and every
    // pause in the stream are bounded instead, and a failed read starts over from the first byte.
    return this.resilience.runUnbounded("sha256", async () => {
      const controller = new AbortController();
      const firstByte = setTimeout(() => controller.abort(), timeoutMs);
      let body: unknown;
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }), {
          abortSignal: controller.signal,
        });
        body = out.Body;
      } catch (error) {
        if (isNotFound(error)) throw StorageErrors.objectNotFound();
        throw error;
      } finally {
        clearTimeout(firstByte);
      }
      if (!(body instanceof Readable)) throw new Error("Expected a Node.js stream from GetObject");
      const stream = body;
      const hash = createHash("sha256");
      const idle = setTimeout(() => stream.destroy(new IdleTimeoutError()), timeoutMs);
      try {
        for await (const chunk of stream) {
          idle.refresh();
          hash.update(chunk as Buffer);
        }
      } finally {
        clearTimeout(idle);
      }
      return hash.digest("hex");
    });
  }

  async readableLocation(key: string, expiresInSeconds: number): Promise<string> {
    assertValidObjectKey(key);
    // ffprobe runs beside the API, so the URL names the endpoint this process reaches, not the public one.
    const command = new GetObjectCommand({ Bucket: this.options.bucket, Key: key });
    return (await this.presign(this.client, command, expiresInSeconds)).url;
  }

  /**
   * The digest travels as `x-amz-meta-sha256`, a header sent before the body, so the file is read
   * twice: once to hash it, once to upload it (through a second hash, so a file that changed in
   * between fails instead of being stored under a wrong digest). The local read is cheap beside the
   * upload. A failed attempt starts over from byte 0 of the same open file.
   */
  async putFile(key: string, filePath: string, options: { contentType: string }): Promise<{ sizeBytes: number; sha256: string }> {
    assertPutFileRequest(key, options.contentType);
    const source = await openSourceFile(filePath);
    try {
      const expected = await hashSourceFile(source);
      // Unbounded: a large file takes longer than timeoutMs. Each request is bounded by the socket's idle timeout instead.
      await this.resilience.runUnbounded("putFile", async () => {
        const target = { client: this.client, bucket: this.options.bucket, logger: this.options.logger };
        const sent = await uploadFile(target, key, source, { contentType: options.contentType, ...expected });
        if (sent.sizeBytes !== expected.sizeBytes || sent.sha256 !== expected.sha256) {
          // The file changed while it was read: what S3 now holds does not match its metadata.
          await this.delete(key);
          throw new Error("The file changed while it was being stored");
        }
      });
      return expected;
    } finally {
      await source.close();
    }
  }

  async createMultipartUpload(key: string, options: { contentType: string }): Promise<{ uploadId: string }> {
    assertUploadRequest(key, { contentType: options.contentType, sizeBytes: 0 }, this.options.maxUploadBytes);
    return this.resilience.run("createMultipartUpload", async (signal) => {
      const out = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, ContentType: options.contentType }),
        { abortSignal: signal },
      );
      if (!out.UploadId) throw new Error("CreateMultipartUpload answered no UploadId");
      return { uploadId: out.UploadId };
    });
  }

  /** Content-Length is signed: S3 refuses a part of any other size (403 SignatureDoesNotMatch). */
  async signPartUrl(
    key: string,
    uploadId: string,
    options: { partNumber: number; sizeBytes: number; expiresInSeconds: number },
  ): Promise<PresignedUpload> {
    assertValidObjectKey(key);
    if (!Number.isInteger(options.partNumber) || options.partNumber < 1 || options.partNumber > MAX_PART_NUMBER) {
      throw new Error("Part number out of range");
    }
    if (!Number.isSafeInteger(options.sizeBytes) || options.sizeBytes < 1 || options.sizeBytes > this.options.maxUploadBytes) {
      throw new Error("Part size out of range");
    }
    const command = new UploadPartCommand({
      Bucket: this.options.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: options.partNumber,
      ContentLength: options.sizeBytes,
    });
    // The presigner's client has requestChecksumCalculation WHEN_REQUIRED (clientConfig): no empty-body CRC in the URL.
    const { url, expiresAt } = await this.presign(this.presigner, command, options.expiresInSeconds, new Set(["content-length"]));
    return { url, method: "PUT", headers: {}, expiresAt };
  }

  async listParts(key: string, uploadId: string): Promise<UploadedPart[] | null> {
    assertValidObjectKey(key);
    return this.resilience.run("listParts", async (signal) => {
      const parts: UploadedPart[] = [];
      let marker: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        let out;
        try {
          out = await this.client.send(
            new ListPartsCommand({
              Bucket: this.options.bucket,
              Key: key,
              UploadId: uploadId,
              ...(marker ? { PartNumberMarker: marker } : {}),
            }),
            { abortSignal: signal },
          );
        } catch (error) {
          if (error instanceof Error && (error.name === "NoSuchUpload" || isNotFound(error))) return null;
          throw error;
        }
        for (const part of out.Parts ?? []) {
          if (part.PartNumber === undefined || !part.ETag) continue;
          parts.push({ partNumber: part.PartNumber, etag: part.ETag, sizeBytes: part.Size ?? 0 });
        }
        if (!out.IsTruncated || !out.NextPartNumberMarker) break;
        marker = out.NextPartNumberMarker;
      }
      return parts.sort((a, b) => a.partNumber - b.partNumber);
    });
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void> {
    assertValidObjectKey(key);
    await this.resilience.runUnbounded("completeMultipartUpload", async () => {
      try {
        await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.options.bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: {
              Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: `"${part.etag.replace(/"/g, "")}"` })),
            },
          }),
        );
      } catch (error) {
        if (error instanceof Error && PART_MISMATCH_NAMES.has(error.name)) throw new MultipartPartMismatchError(error.name);
        throw error;
      }
    });
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    assertValidObjectKey(key);
    await this.resilience.run("abortMultipartUpload", async (signal) => {
      try {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, UploadId: uploadId }), {
          abortSignal: signal,
        });
      } catch (error) {
        if (error instanceof Error && (error.name === "NoSuchUpload" || isNotFound(error))) return;
        throw error;
      }
    });
  }

  async delete(key: string): Promise<void> {
    assertValidObjectKey(key);
    await this.resilience.run("delete", async (signal) => {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }), { abortSignal: signal });
    });
  }

  async ping(): Promise<void> {
    await this.resilience.run("ping", async (signal) => {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }), { abortSignal: signal });
    });
  }

  close(): void {
    this.client.destroy();
    if (this.presigner !== this.client) this.presigner.destroy();
  }

  /** Presigning is local computation (no request), so it runs outside the resilience policies. */
  private async presign(
    client: S3Client,
    command: PutObjectCommand | GetObjectCommand | UploadPartCommand,
    expiresInSeconds: number,
    signableHeaders?: Set<string>,
  ): Promise<{ url: string; expiresAt: Date }> {
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_EXPIRY_SECONDS) {
      throw new Error("URL expiry out of range");
    }
    const signingDate = this.clock.now();
    try {
      const signOptions = { expiresIn: expiresInSeconds, signingDate, ...(signableHeaders ? { signableHeaders } : {}) };
      // One call per command type: getSignedUrl's generics take a single command's input and output types.
      const url =
        command instanceof UploadPartCommand
          ? await getSignedUrl(client, command, signOptions)
          : command instanceof PutObjectCommand
            ? await getSignedUrl(client, command, signOptions)
            : await getSignedUrl(client, command, signOptions);
      return { url, expiresAt: new Date(signingDate.getTime() + expiresInSeconds * 1000) };
    } catch (error) {
      // E.g. no credentials found by the default chain: the operator needs the reason, the client does not.
      this.options.logger.error("could not presign an object storage URL", { error });
      throw StorageErrors.failed();
    }
  }
}

function clientConfig(options: S3StorageOptions, endpoint: string | undefined, idleTimeoutMs: number): S3ClientConfig {
  return {
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // The resilience policy owns retries; the SDK's own three attempts would multiply them.
    maxAttempts: 1,
    // lib-storage's Upload sends its part requests without our abort signal: a socket silent this
    // long is what ends a stalled one (as a TimeoutError, which the policy retries).
    requestHandler: { socketTimeout: idleTimeoutMs },
    // Since 3.729 the SDK adds a CRC32 of the (empty, at signing time) body to presigned PUTs, so
    // S3 and MinIO refuse every real upload; checksums only where an operation requires them.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as Error & { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  // A missing bucket is a configuration fault, not a missing object (HEAD has no body to tell them apart).
  if (error.name === "NoSuchBucket") return false;
  return error.name === "NotFound" || error.name === "NoSuchKey" || status === 404;
}
