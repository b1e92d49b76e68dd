/**
 * Resumable multipart upload (docs/uploads.md), with no React and no DOM in it: the API calls and
 * the part transport are injected, so the same logic runs in the browser (XHR) and in unit tests.
 *
 * The server stores a part whole or not at all, so a part is the unit of retry: a failed part is
 * sent again after a backoff, a bounded number of times; when that runs out the upload stops
 * with an UploadStalledError and `resume()` asks the server which parts it holds and sends only
 * the rest.
 */

export interface PartSource<Body> {
  readonly size: number;
  /** Bytes [start, end) of the file, as a body the transport can send (a Blob slice in a browser). */
  slice(start: number, end: number): Body;
}

export interface UploadTarget {
  videoId: string;
  filename: string;
  contentType: string;
}

export interface SignedPart {
  partNumber: number;
  url: string;
  method: "PUT";
  headers: Record<string, string>;
}

export interface StoredPart {
  partNumber: number;
  etag: string;
  sizeBytes: number;
}

/** The uploads.* procedures, as the uploader needs them. */
export interface UploadApi<Result> {
  create(input: UploadTarget & { sizeBytes: number }): Promise<{ uploadId: string; partSize: number; partCount: number }>;
  signParts(input: { uploadId: string; partNumbers: number[] }): Promise<{ parts: SignedPart[] }>;
  listParts(input: { uploadId: string }): Promise<{ parts: StoredPart[] }>;
  complete(input: { uploadId: string; parts: { partNumber: number; etag: string }[] }): Promise<Result>;
  abort(input: { uploadId: string }): Promise<unknown>;
}

export interface PartRequest<Body> {
  url: string;
  method: "PUT";
  headers: Record<string, string>;
  body: Body;
  sizeBytes: number;
  /** Bytes of this part sent so far. */
  onProgress(sentBytes: number): void;
  signal: AbortSignal;
}

/** Sends one part; resolves with the stored part's ETag (null when the answer did not expose it). */
export type PartTransport<Body> = (request: PartRequest<Body>) => Promise<{ etag: string | null }>;

/** A part the storage refused or never answered; status 0 is a network failure. */
export class PartSendError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "PartSendError";
  }
}

/** The retries of a part ran out; `resume()` carries on from what the server holds. */
export class UploadStalledError extends Error {
  constructor(
    readonly partNumber: number,
    cause: unknown,
  ) {
    super(`Part ${partNumber} could not be sent: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "UploadStalledError";
  }
}

export class UploadCancelledError extends Error {
  constructor() {
    super("The upload was cancelled");
    this.name = "UploadCancelledError";
  }
}

export interface UploadSession {
  uploadId: string;
  partSize: number;
  partCount: number;
}

export interface UploadProgress {
  /** Never goes down, so a retried part does not move the bar backwards. */
  sentBytes: number;
  totalBytes: number;
  /** Bytes of the parts the storage has confirmed. */
  storedBytes: number;
  partCount: number;
  storedParts: number;
}

export interface UploaderOptions<Body, Result> {
  api: UploadApi<Result>;
  transport: PartTransport<Body>;
  /** Parts in flight at once. */
  concurrency?: number;
  /** Sends of one part before the upload stalls. */
  maxAttempts?: number;
  /** The wait before attempt `attempt + 1` (attempt counts from 1). */
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  onProgress?: (progress: UploadProgress) => void;
  /** Called once the server opened the session: keep it to resume after a reload (see `adopt`). */
  onSession?: (session: UploadSession) => void;
  /**
   * Whether a failed API call (signParts) is worth another try; by default every one is. The
   * console says no to a refusal the server answered (an expired session stays expired).
   */
  isRetryableApiError?: (error: unknown) => boolean;
}

/** uploads.signParts signs at most this many part numbers per call. */
const SIGN_BATCH = 100;

export function defaultBackoffMs(attempt: number): number {
  return Math.min(8000, 500 * 2 ** (attempt - 1));
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new UploadCancelledError());
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new UploadCancelledError());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A storage refusal that another try of the same bytes cannot fix (wrong size, tampered URL); expiry and overload can be fixed. */
function isRetryableSend(error: PartSendError): boolean {
  const { status } = error;
  return status === 0 || status === 403 || status === 408 || status === 429 || status >= 500;
}

export class MultipartUpload<Body, Result> {
  private session: UploadSession | null = null;
  private readonly etags = new Map<number, string | null>();
  private readonly inFlight = new Map<number, number>();
  private highWater = 0;
  private controller = new AbortController();
  private running = false;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly isRetryableApiError: (error: unknown) => boolean;

  constructor(
    private readonly source: PartSource<Body>,
    private readonly target: UploadTarget,
    private readonly options: UploaderOptions<Body, Result>,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 3);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.sleep = options.sleep ?? defaultSleep;
    this.isRetryableApiError = options.isRetryableApiError ?? (() => true);
  }

  private isRetryable(error: unknown): boolean {
    return error instanceof PartSendError ? isRetryableSend(error) : this.isRetryableApiError(error);
  }

  get uploadId(): string | null {
    return this.session?.uploadId ?? null;
  }

  /** Opens the session and sends every part, then completes. */
  async start(): Promise<Result> {
    if (this.session) return this.resume();
    return this.run(async () => {
      const { uploadId, partSize, partCount } = await this.options.api.create({ ...this.target, sizeBytes: this.source.size });
      this.session = { uploadId, partSize, partCount };
      this.options.onSession?.(this.session);
      this.emit();
    });
  }

  /**
   * Carries on a session opened earlier (by a page since reloaded) for the same file; `resume()`
   * then sends what the server lacks.
   */
  adopt(session: UploadSession): void {
    if (this.running) throw new Error("This upload is already running");
    this.session = session;
    this.etags.clear();
  }

  /** Asks the server what it holds (the browser may have lost answers), sends only the rest, then completes. */
  async resume(): Promise<Result> {
    if (!this.session) return this.start();
    return this.run(() => this.syncWithServer());
  }

  /** Stops sending and ends the session on the server (its parts are removed, the video is a draft again). */
  async cancel(): Promise<void> {
    this.controller.abort();
    const uploadId = this.session?.uploadId;
    if (uploadId) await this.options.api.abort({ uploadId });
  }

  private async run(prepare: () => Promise<void>): Promise<Result> {
    if (this.running) throw new Error("This upload is already running");
    this.running = true;
    if (this.controller.signal.aborted) this.controller = new AbortController();
    try {
      await prepare();
      await this.sendMissing();
      return await this.complete();
    } finally {
      this.running = false;
      this.inFlight.clear();
    }
  }

  private get activeSession(): UploadSession {
    if (!this.session) throw new Error("No upload session");
    return this.session;
  }

  private partSize(partNumber: number): number {
    const { partSize } = this.activeSession;
    return Math.min(partSize, this.source.size - (partNumber - 1) * partSize);
  }

  /** Parts the server lists whole (its size is this part's) count as sent; any other part is sent (again). */
  private async syncWithServer(): Promise<void> {
    const { uploadId } = this.activeSession;
    const { parts } = await this.options.api.listParts({ uploadId });
    this.etags.clear();
    for (const part of parts) {
      if (part.partNumber <= this.activeSession.partCount && part.sizeBytes === this.partSize(part.partNumber)) {
        this.etags.set(part.partNumber, part.etag);
      }
    }
    this.emit();
  }

  private async sendMissing(): Promise<void> {
    const { partCount } = this.activeSession;
    const missing: number[] = [];
    for (let partNumber = 1; partNumber <= partCount; partNumber += 1) if (!this.etags.has(partNumber)) missing.push(partNumber);
    for (let index = 0; index < missing.length; index += SIGN_BATCH) {
      await this.sendBatch(missing.slice(index, index + SIGN_BATCH));
    }
  }

  /** One signing call for the batch, then `concurrency` workers take its parts in order. */
  private async sendBatch(partNumbers: number[]): Promise<void> {
    let signed: Map<number, SignedPart>;
    try {
      signed = await this.sign(partNumbers);
    } catch (error) {
      if (!this.isRetryable(error)) throw error;
      // Each part signs itself, within its own retries.
      signed = new Map();
    }
    const queue = [...partNumbers];
    let failure: unknown = null;
    const worker = async () => {
      while (queue.length > 0 && failure === null) {
        const partNumber = queue.shift();
        if (partNumber === undefined) return;
        try {
          await this.sendPart(partNumber, signed.get(partNumber));
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, partNumbers.length) }, worker));
    if (failure !== null) throw failure;
  }

  private async sign(partNumbers: number[]): Promise<Map<number, SignedPart>> {
    const { parts } = await this.options.api.signParts({ uploadId: this.activeSession.uploadId, partNumbers });
    return new Map(parts.map((part) => [part.partNumber, part]));
  }

  private async sendPart(partNumber: number, firstUrl: SignedPart | undefined): Promise<void> {
    const { partSize } = this.activeSession;
    const start = (partNumber - 1) * partSize;
    const sizeBytes = this.partSize(partNumber);
    let signed = firstUrl;
    for (let attempt = 1; ; attempt += 1) {
      const signal = this.controller.signal;
      if (signal.aborted) throw new UploadCancelledError();
      try {
        // A retry signs again: the first failure may have been the URL's expiry.
        signed ??= (await this.sign([partNumber])).get(partNumber);
        if (!signed) throw new Error(`The server did not sign part ${partNumber}`);
        const { etag } = await this.options.transport({
          url: signed.url,
          method: signed.method,
          headers: signed.headers,
          body: this.source.slice(start, start + sizeBytes),
          sizeBytes,
          signal,
          onProgress: (sent) => {
            this.inFlight.set(partNumber, Math.min(sent, sizeBytes));
            this.emit();
          },
        });
        this.inFlight.delete(partNumber);
        this.etags.set(partNumber, etag);
        this.emit();
        return;
      } catch (error) {
        this.inFlight.delete(partNumber);
        if (signal.aborted) throw new UploadCancelledError();
        if (attempt >= this.maxAttempts || !this.isRetryable(error)) throw new UploadStalledError(partNumber, error);
        signed = undefined;
        await this.sleep(this.backoffMs(attempt), signal);
      }
    }
  }

  private async complete(): Promise<Result> {
    const { uploadId, partCount } = this.activeSession;
    // Storage that does not expose the ETag header (a bucket without that CORS rule): the server lists them.
    if ([...this.etags.values()].some((etag) => etag === null)) {
      const { parts } = await this.options.api.listParts({ uploadId });
      for (const part of parts) if (this.etags.get(part.partNumber) === null) this.etags.set(part.partNumber, part.etag);
    }
    const parts: { partNumber: number; etag: string }[] = [];
    for (let partNumber = 1; partNumber <= partCount; partNumber += 1) {
      const etag = this.etags.get(partNumber);
      if (!etag) throw new UploadStalledError(partNumber, new Error("its ETag is unknown"));
      parts.push({ partNumber, etag });
    }
    return this.options.api.complete({ uploadId, parts });
  }

  private emit(): void {
    if (!this.session) return;
    let storedBytes = 0;
    for (const partNumber of this.etags.keys()) storedBytes += this.partSize(partNumber);
    let sending = 0;
    for (const sent of this.inFlight.values()) sending += sent;
    this.highWater = Math.min(this.source.size, Math.max(this.highWater, storedBytes + sending));
    this.options.onProgress?.({
      sentBytes: this.highWater,
      totalBytes: this.source.size,
      storedBytes,
      partCount: this.session.partCount,
      storedParts: this.etags.size,
    });
  }
}
