import { inject, injectable } from "inversify";
import { APP_CONFIG, type AppConfig } from "../../../config/config.js";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import {
  MultipartPartMismatchError,
  OBJECT_STORAGE,
  type ObjectStorage,
  type PresignedUpload,
  type UploadedPart,
} from "../../../shared/application/object-storage.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import { newId } from "../../../shared/domain/ids.js";
import type { Video } from "../domain/video.entity.js";
import { CompleteUploadUseCase } from "./complete-upload.use-case.js";
import { AbortUploadSession } from "./abort-upload-session.js";
import { SourceUploadStart, type SourceUploadInput } from "./source-upload-start.js";
import { UPLOAD_SESSION_REPOSITORY, type UploadSession, type UploadSessionRepository } from "./upload-session.repository.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

/** No part is smaller (but the last): S3 needs 5 MiB, and fewer, larger parts cost fewer requests. */
export const MIN_PART_BYTES = 8 * 1024 ** 2;
/** S3's most parts per upload. */
export const MAX_PARTS = 10_000;
/** How long a session may take from create to complete; part URLs are signed per request within it. */
export const UPLOAD_SESSION_TTL_SECONDS = 24 * 3600;

export function partSizeFor(sizeBytes: number): number {
  return Math.max(MIN_PART_BYTES, Math.ceil(sizeBytes / MAX_PARTS));
}

export const UploadErrors = {
  notFound: () => new DomainError(ErrorCodes.UPLOAD_SESSION_NOT_FOUND, "NOT_FOUND", "Upload not found"),
  notActive: (status: string) =>
    new DomainError(ErrorCodes.UPLOAD_SESSION_NOT_ACTIVE, "CONFLICT", `This upload is ${status.toLowerCase()}, not active`, {
      status,
    }),
  partMismatch: (message: string, details: Record<string, unknown> = {}) =>
    new DomainError(ErrorCodes.UPLOAD_PART_MISMATCH, "BUSINESS_RULE", message, details),
  partOutOfRange: (partCount: number) =>
    new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", `Part numbers run from 1 to ${partCount}`, {
      field: "partNumbers",
      partCount,
    }),
};

export interface CreatedUpload {
  uploadId: string;
  partSize: number;
  partCount: number;
  expiresAt: Date;
}

/**
 * Resumable multipart uploads (uploads.*): the bytes go straight to storage in parts, each part
 * PUT to its own signed URL; listParts says what arrived, so a client resumes after a drop; complete
 * assembles the parts and then verifies and probes the object through videos.completeUpload's code.
 */
@injectable()
export class MultipartUploads {
  constructor(
    @inject(UPLOAD_SESSION_REPOSITORY) private readonly sessions: UploadSessionRepository,
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(SourceUploadStart) private readonly uploads: SourceUploadStart,
    @inject(AbortUploadSession) private readonly abortSession: AbortUploadSession,
    @inject(CompleteUploadUseCase) private readonly completeUpload: CompleteUploadUseCase,
    @inject(APP_CONFIG) private readonly config: AppConfig,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(caller: Caller, input: SourceUploadInput): Promise<CreatedUpload> {
    const started = await this.uploads.begin(caller, input);
    const { video, key, now } = started;
    const { uploadId } = await this.storage.createMultipartUpload(key, { contentType: input.contentType });
    const partSize = partSizeFor(input.sizeBytes);
    const session: UploadSession = {
      id: newId(),
      videoId: video.id,
      ownerId: video.ownerId,
      storageUploadId: uploadId,
      storageKey: key,
      partSize,
      partCount: Math.ceil(input.sizeBytes / partSize),
      sizeBytes: input.sizeBytes,
      contentType: input.contentType,
      filename: input.filename,
      expiresAt: new Date(now.getTime() + UPLOAD_SESSION_TTL_SECONDS * 1000),
      status: "ACTIVE",
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.videos.save(video, started.previousStatus);
    } catch (error) {
      await this.storage.abortMultipartUpload(key, uploadId).catch(() => undefined);
      throw error;
    }
    await this.sessions.create(session);
    await this.uploads.supersede(started, session.id);
    return { uploadId: session.id, partSize, partCount: session.partCount, expiresAt: session.expiresAt };
  }

  async signParts(
    caller: Caller,
    uploadId: string,
    partNumbers: number[],
  ): Promise<(PresignedUpload & { partNumber: number })[]> {
    const session = await this.active(caller, uploadId);
    if (partNumbers.some((n) => n < 1 || n > session.partCount)) throw UploadErrors.partOutOfRange(session.partCount);
    const remaining = Math.floor((session.expiresAt.getTime() - this.clock.now().getTime()) / 1000);
    const expiresInSeconds = Math.max(1, Math.min(this.config.files.uploadUrlTtlSeconds, remaining));
    const parts: (PresignedUpload & { partNumber: number })[] = [];
    for (const partNumber of [...new Set(partNumbers)]) {
      const url = await this.storage.signPartUrl(session.storageKey, session.storageUploadId, {
        partNumber,
        sizeBytes: expectedPartSize(session, partNumber),
        expiresInSeconds,
      });
      parts.push({ partNumber, ...url });
    }
    return parts;
  }

  async listParts(caller: Caller, uploadId: string): Promise<UploadedPart[]> {
    const session = await this.active(caller, uploadId);
    const parts = await this.storage.listParts(session.storageKey, session.storageUploadId);
    if (!parts) throw UploadErrors.notActive((await this.sessions.findById(uploadId))?.status ?? "ABORTED");
    return parts;
  }

  /**
   * Checks the named parts against what storage holds, claims the session (ACTIVE → COMPLETED,
   * conditionally: of two racing calls one wins, the other is 409), assembles, then verifies and
   * probes exactly as videos.completeUpload does. A refusal before the claim changes nothing.
   */
  async complete(caller: Caller, uploadId: string, named: { partNumber: number; etag: string }[]): Promise<Video> {
    const session = await this.active(caller, uploadId);
    const held = await this.storage.listParts(session.storageKey, session.storageUploadId);
    if (!held) throw UploadErrors.notActive((await this.sessions.findById(uploadId))?.status ?? "ABORTED");
    const parts = checkParts(session, named, held);
    if (!(await this.sessions.changeStatus(session.id, "ACTIVE", "COMPLETED", this.clock.now()))) {
      throw UploadErrors.notActive((await this.sessions.findById(uploadId))?.status ?? "COMPLETED");
    }
    try {
      await this.storage.completeMultipartUpload(session.storageKey, session.storageUploadId, parts);
    } catch (error) {
      // Nothing was assembled: the session is open again, the parts are where they were.
      await this.sessions.changeStatus(session.id, "COMPLETED", "ACTIVE", this.clock.now());
      if (error instanceof MultipartPartMismatchError) throw storageRefusal(error);
      throw error;
    }
    return this.completeUpload.execute(caller, session.videoId);
  }

  async abort(caller: Caller, uploadId: string): Promise<void> {
    const session = await this.active(caller, uploadId);
    if (!(await this.abortSession.run(session))) {
      throw UploadErrors.notActive((await this.sessions.findById(uploadId))?.status ?? "ABORTED");
    }
  }

  private async active(caller: Caller, uploadId: string): Promise<UploadSession> {
    const session = await this.sessions.findById(uploadId);
    if (!session || session.ownerId !== caller.userId) throw UploadErrors.notFound();
    if (session.status !== "ACTIVE") throw UploadErrors.notActive(session.status);
    if (session.expiresAt.getTime() <= this.clock.now().getTime()) throw UploadErrors.notActive("EXPIRED");
    return session;
  }
}

/** Every part but the last is partSize; the last is the remainder. */
export function expectedPartSize(
  session: Pick<UploadSession, "partSize" | "partCount" | "sizeBytes">,
  partNumber: number,
): number {
  return partNumber < session.partCount ? session.partSize : session.sizeBytes - session.partSize * (session.partCount - 1);
}

function unquoted(etag: string): string {
  return etag.replace(/"/g, "").trim();
}

/** The parts as storage will be asked to assemble them, or UPLOAD_PART_MISMATCH naming what is wrong. */
function checkParts(
  session: UploadSession,
  named: { partNumber: number; etag: string }[],
  held: UploadedPart[],
): { partNumber: number; etag: string }[] {
  const byNumber = new Map(held.map((part) => [part.partNumber, part]));
  const given = new Map(named.map((part) => [part.partNumber, unquoted(part.etag)]));
  const missing: number[] = [];
  const wrongEtag: number[] = [];
  const wrongSize: number[] = [];
  for (let partNumber = 1; partNumber <= session.partCount; partNumber++) {
    const stored = byNumber.get(partNumber);
    if (!stored) {
      missing.push(partNumber);
      continue;
    }
    if (given.get(partNumber) !== unquoted(stored.etag)) wrongEtag.push(partNumber);
    if (stored.sizeBytes !== expectedPartSize(session, partNumber)) wrongSize.push(partNumber);
  }
  const extra = named.map((part) => part.partNumber).filter((n) => n < 1 || n > session.partCount);
  if (named.length !== given.size || extra.length > 0) {
    throw UploadErrors.partMismatch(`Name each part from 1 to ${session.partCount} exactly once`, {
      partCount: session.partCount,
    });
  }
  if (missing.length > 0) {
    throw UploadErrors.partMismatch(`Parts not uploaded yet: ${summary(missing)}`, { missingParts: missing.slice(0, 100) });
  }
  if (wrongEtag.length > 0) {
    throw UploadErrors.partMismatch(`ETags that do not match the stored parts: ${summary(wrongEtag)}`, {
      wrongEtagParts: wrongEtag.slice(0, 100),
    });
  }
  if (wrongSize.length > 0) {
    throw UploadErrors.partMismatch(`Parts of the wrong size: ${summary(wrongSize)}`, {
      wrongSizeParts: wrongSize.slice(0, 100),
    });
  }
  return held
    .filter((part) => part.partNumber <= session.partCount)
    .map((part) => ({ partNumber: part.partNumber, etag: unquoted(part.etag) }));
}

/** A part whose stored bytes changed since its PUT (local store, docs/adr/0027) is named, to be sent again. */
function storageRefusal(error: MultipartPartMismatchError): DomainError {
  if (error.changedParts.length === 0) return UploadErrors.partMismatch("Storage refused the parts as named");
  const changed = [...error.changedParts];
  return UploadErrors.partMismatch(`Parts whose stored bytes changed since they were sent, to send again: ${summary(changed)}`, {
    changedParts: changed.slice(0, 100),
  });
}

function summary(numbers: number[]): string {
  return numbers.length > 10 ? `${numbers.slice(0, 10).join(", ")} and ${numbers.length - 10} more` : numbers.join(", ");
}
