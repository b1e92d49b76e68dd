import S3rver from "s3rver";

/** s3rver knows one account. */
/** Resilience settings that make retries, timeouts and the breaker show within a test's time. */
export const FAST_POLICY = {
  timeoutMs: 2_000,
  maxRetries: 1,
  initialBackoffMs: 10,
  maxBackoffMs: 50,
  breakerThreshold: 5,
  halfOpenAfterMs: 10_000,
};

export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** A real S3-protocol server on 127.0.0.1 (port 0 picks a free one), with `bucket` created. */
export async function startS3rver(directory: string, bucket: string, port = 0): Promise<{ server: S3rver; url: string }> {
  const server = new S3rver({
    port,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = await server.run();
  return { server, url: `http://127.0.0.1:${address.port}` };
}
