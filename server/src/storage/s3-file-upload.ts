import { pipeline } from "node:stream";
import { AbortMultipartUploadCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Logger } from "../shared/application/logger.js";
import { HashMeter, type SourceFile } from "./source-file.js";

/**
 * A multipart upload holds at most PART_QUEUE parts of PART_BYTES in memory (32 MiB), whatever the
 * file's size; 10,000 parts of 8 MiB allow 80 GB, far beyond any rendition. A file smaller than
 * one part goes up as a single PutObject.
 */
const PART_BYTES = 8 * 1024 * 1024;
const PART_QUEUE = 4;
/** How long the best-effort abort of a failed multipart upload may take. */
const ABORT_TIMEOUT_MS = 10_000;

export interface UploadTarget {
  client: S3Client;
  bucket: string;
  logger: Logger;
}

/**
 * One attempt at storing `source` under `key`, with `sha256` as `x-amz-meta-sha256`. Streams from
 * byte 0 of the file, so the caller may simply call it again after a failure. Answers what was
 * actually read while uploading, for the caller to compare with what it announced.
 */
export async function uploadFile(
  target: UploadTarget,
  key: string,
  source: SourceFile,
  object: { contentType: string; sizeBytes: number; sha256: string },
): Promise<{ sizeBytes: number; sha256: string }> {
  const meter = new HashMeter();
  // pipeline, not pipe: a read error must fail the body Upload consumes, not leave it waiting. Upload reports it.
  const body = pipeline(source.stream(), meter, () => {});
  const upload = new Upload({
    client: target.client,
    params: {
      Bucket: target.bucket,
      Key: key,
      Body: body,
      ContentType: object.contentType,
      ContentLength: object.sizeBytes,
      Metadata: { sha256: object.sha256 },
    },
    partSize: PART_BYTES,
    queueSize: PART_QUEUE,
    // The SDK would abort the multipart upload itself, but then a failed abort (e.g. no
    // s3:AbortMultipartUpload permission) replaces the upload's own error, which decides on a retry.
    leavePartsOnError: true,
  });
  try {
    await upload.done();
  } catch (error) {
    await abandonMultipart(target, key, upload.uploadId);
    throw error;
  } finally {
    body.destroy();
  }
  return { sizeBytes: meter.bytes, sha256: meter.digest() };
}

/** Best effort, so parts are not billed; a bucket lifecycle rule (AbortIncompleteMultipartUpload) is the backstop. */
async function abandonMultipart(target: UploadTarget, key: string, uploadId: string | undefined): Promise<void> {
  if (!uploadId) return;
  const command = new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId });
  try {
    await target.client.send(command, { abortSignal: AbortSignal.timeout(ABORT_TIMEOUT_MS) });
  } catch (error) {
    target.logger.warn("could not abort a multipart upload", {
      key,
      errorName: error instanceof Error ? error.name : typeof error,
    });
  }
}
