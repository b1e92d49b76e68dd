import { describe, expect, it } from "vitest";
import {
  MultipartUpload,
  PartSendError,
  UploadStalledError,
  type PartRequest,
  type UploadApi,
  type UploadProgress,
} from "../../console/src/videos/uploader.js";

const MiB = 1024 ** 2;
const PART_SIZE = 8 * MiB;

/** A file as byte ranges: the uploader only slices it, so no bytes are needed to check what it sends. */
interface Range {
  start: number;
  end: number;
}

function fakeFile(size: number) {
  return { size, slice: (start: number, end: number): Range => ({ start, end }) };
}

/** uploads.* as the server answers them: the part size of docs/uploads.md, the parts it holds. */
function fakeServer(size: number) {
  const stored = new Map<number, { etag: string; sizeBytes: number }>();
  const calls = {
    signParts: [] as number[][],
    listParts: 0,
    completed: [] as { partNumber: number; etag: string }[][],
    aborted: 0,
  };
  let etags = 0;
  const api: UploadApi<{ id: string }> = {
    create: async (input) => {
      expect(input.sizeBytes).toBe(size);
      const partSize = Math.max(PART_SIZE, Math.ceil(input.sizeBytes / 10_000));
      return { uploadId: "upload-1", partSize, partCount: Math.ceil(input.sizeBytes / partSize) };
    },
    signParts: async ({ partNumbers }) => {
      calls.signParts.push(partNumbers);
      return {
        parts: partNumbers.map((partNumber) => ({ partNumber, url: `/files/part/${partNumber}`, method: "PUT", headers: {} })),
      };
    },
    listParts: async () => {
      calls.listParts += 1;
      return { parts: [...stored].map(([partNumber, part]) => ({ partNumber, ...part })) };
    },
    complete: async ({ parts }) => {
      calls.completed.push(parts);
      for (const part of parts) expect(stored.get(part.partNumber)?.etag).toBe(part.etag);
      return { id: "video-1" };
    },
    abort: async () => {
      calls.aborted += 1;
      return { ok: true };
    },
  };
  const store = (partNumber: number, sizeBytes: number): string => {
    etags += 1;
    const etag = `"etag-${etags}"`;
    stored.set(partNumber, { etag, sizeBytes });
    return etag;
  };
  return { api, calls, store, stored };
}

type Behaviour = "ok" | "drop" | "drop-after-storing" | "too-large";

/**
 * The storage end of a part PUT: reports the body's bytes in quarters, then stores it, or fails
 * as a dropped connection does (half sent, then nothing), or stores it and loses the answer.
 */
function fakeTransport(server: ReturnType<typeof fakeServer>, behaviour: (partNumber: number, attempt: number) => Behaviour) {
  const sent: { partNumber: number; range: Range; sizeBytes: number }[] = [];
  const attempts = new Map<number, number>();
  const transport = async (request: PartRequest<Range>) => {
    const partNumber = Number(request.url.split("/").pop());
    const attempt = (attempts.get(partNumber) ?? 0) + 1;
    attempts.set(partNumber, attempt);
    sent.push({ partNumber, range: request.body, sizeBytes: request.sizeBytes });
    const what = behaviour(partNumber, attempt);
    if (what === "too-large") throw new PartSendError(413, "The part is larger than its URL allows");
    for (const quarter of [1, 2]) {
      await Promise.resolve();
      request.onProgress(Math.floor((request.sizeBytes * quarter) / 4));
    }
    if (what === "drop") throw new PartSendError(0, "The connection to the storage failed");
    for (const quarter of [3, 4]) {
      await Promise.resolve();
      request.onProgress(Math.floor((request.sizeBytes * quarter) / 4));
    }
    const etag = server.store(partNumber, request.sizeBytes);
    if (what === "drop-after-storing") throw new PartSendError(0, "The connection to the storage failed");
    return { etag };
  };
  return { transport, sent, attempts };
}

function uploader(
  size: number,
  server: ReturnType<typeof fakeServer>,
  transport: ReturnType<typeof fakeTransport>,
  concurrency = 1,
) {
  const progress: UploadProgress[] = [];
  const waits: number[] = [];
  const upload = new MultipartUpload(
    fakeFile(size),
    { videoId: "video-1", filename: "clip.mp4", contentType: "video/mp4" },
    {
      api: server.api,
      transport: transport.transport,
      concurrency,
      maxAttempts: 3,
      sleep: async (ms) => void waits.push(ms),
      onProgress: (update) => progress.push(update),
    },
  );
  return { upload, progress, waits };
}

function expectMonotonicToTotal(progress: UploadProgress[], total: number): void {
  const sent = progress.map((update) => update.sentBytes);
  for (let index = 1; index < sent.length; index += 1) expect(sent[index]).toBeGreaterThanOrEqual(sent[index - 1] ?? 0);
  expect(sent.at(-1)).toBe(total);
  expect(Math.max(...sent)).toBeLessThanOrEqual(total);
  expect(progress.at(-1)?.storedBytes).toBe(total);
}

describe("console multipart uploader", () => {
  it("sends each part's byte range, the last one the rest, and completes with every ETag in order", async () => {
    const size = 2 * PART_SIZE + 1234;
    const server = fakeServer(size);
    const transport = fakeTransport(server, () => "ok");
    const { upload } = uploader(size, server, transport, 2);

    await expect(upload.start()).resolves.toEqual({ id: "video-1" });

    expect(
      transport.sent
        .map(({ partNumber, range, sizeBytes }) => ({ partNumber, range, sizeBytes }))
        .sort((a, b) => a.partNumber - b.partNumber),
    ).toEqual([
      { partNumber: 1, range: { start: 0, end: PART_SIZE }, sizeBytes: PART_SIZE },
      { partNumber: 2, range: { start: PART_SIZE, end: 2 * PART_SIZE }, sizeBytes: PART_SIZE },
      { partNumber: 3, range: { start: 2 * PART_SIZE, end: size }, sizeBytes: 1234 },
    ]);
    expect(server.calls.signParts).toEqual([[1, 2, 3]]);
    expect(server.calls.completed).toEqual([
      [1, 2, 3].map((partNumber) => ({ partNumber, etag: server.stored.get(partNumber)?.etag })),
    ]);
  });

  it("reports progress that never goes down and ends at the total, a dropped part included", async () => {
    const size = 3 * PART_SIZE + 99;
    const server = fakeServer(size);
    const transport = fakeTransport(server, (partNumber, attempt) => (partNumber === 2 && attempt === 1 ? "drop" : "ok"));
    const { upload, progress } = uploader(size, server, transport, 2);

    await upload.start();

    expect(progress.length).toBeGreaterThan(8);
    expectMonotonicToTotal(progress, size);
    expect(progress.at(-1)).toMatchObject({ totalBytes: size, partCount: 4, storedParts: 4 });
  });

  it("retries a failed part with a growing backoff and a fresh URL, then completes", async () => {
    const size = 3 * PART_SIZE;
    const server = fakeServer(size);
    const transport = fakeTransport(server, (partNumber, attempt) => (partNumber === 2 && attempt < 3 ? "drop" : "ok"));
    const { upload, waits } = uploader(size, server, transport);

    await upload.start();

    expect(transport.attempts).toEqual(
      new Map([
        [1, 1],
        [2, 3],
        [3, 1],
      ]),
    );
    expect(waits).toEqual([500, 1000]);
    expect(server.calls.signParts).toEqual([[1, 2, 3], [2], [2]]);
    expect(server.calls.completed).toHaveLength(1);
  });

  it("stalls when a part's retries run out; a resume asks listParts and sends only the parts the server lacks", async () => {
    const size = 4 * PART_SIZE + 10;
    const server = fakeServer(size);
    let flaky = true;
    // Part 2 reaches the storage every time, but its answer is lost on the way back.
    const transport = fakeTransport(server, (partNumber) => (partNumber === 2 && flaky ? "drop-after-storing" : "ok"));
    const { upload, progress } = uploader(size, server, transport);

    const stalled = await upload.start().catch((error: unknown) => error);
    expect(stalled).toBeInstanceOf(UploadStalledError);
    expect((stalled as UploadStalledError).partNumber).toBe(2);
    expect([...server.stored.keys()].sort()).toEqual([1, 2]);
    expect(server.calls.completed).toHaveLength(0);

    flaky = false;
    transport.sent.length = 0;
    await expect(upload.resume()).resolves.toEqual({ id: "video-1" });

    expect(server.calls.listParts).toBe(1);
    expect(transport.sent.map((send) => send.partNumber)).toEqual([3, 4, 5]);
    expect(server.calls.signParts.at(-1)).toEqual([3, 4, 5]);
    expect(server.calls.completed[0]?.map((part) => part.partNumber)).toEqual([1, 2, 3, 4, 5]);
    expectMonotonicToTotal(progress, size);
  });

  it("adopts a session opened before a reload and sends only what listParts lacks", async () => {
    const size = 3 * PART_SIZE;
    const server = fakeServer(size);
    server.store(1, PART_SIZE);
    // A listed part of another size is not this file's part: it is sent again.
    server.store(2, PART_SIZE - 1);
    const transport = fakeTransport(server, () => "ok");
    const { upload } = uploader(size, server, transport);

    upload.adopt({ uploadId: "upload-1", partSize: PART_SIZE, partCount: 3 });
    await upload.resume();

    expect(transport.sent.map((send) => send.partNumber)).toEqual([2, 3]);
    expect(server.calls.completed[0]?.map((part) => part.partNumber)).toEqual([1, 2, 3]);
  });

  it("does not retry a part the storage refuses for its bytes (413): the upload stalls at once", async () => {
    const size = PART_SIZE + 1;
    const server = fakeServer(size);
    const transport = fakeTransport(server, (partNumber) => (partNumber === 1 ? "too-large" : "ok"));
    const { upload, waits } = uploader(size, server, transport);

    await expect(upload.start()).rejects.toBeInstanceOf(UploadStalledError);
    expect(transport.attempts.get(1)).toBe(1);
    expect(waits).toEqual([]);
  });

  it("cancel aborts the session on the server", async () => {
    const size = PART_SIZE + 1;
    const server = fakeServer(size);
    const transport = fakeTransport(server, () => "drop");
    const { upload } = uploader(size, server, transport);

    await upload.start().catch(() => undefined);
    await upload.cancel();
    expect(server.calls.aborted).toBe(1);
  });
});
