import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import type { VideoStatus } from "./video-status.js";

export const VideoErrors = {
  notFound: () => new DomainError(ErrorCodes.VIDEO_NOT_FOUND, "NOT_FOUND", "Video not found"),
  notOwner: () => new DomainError(ErrorCodes.NOT_VIDEO_OWNER, "FORBIDDEN", "Only the video's owner can do this"),
  invalidState: (from: VideoStatus, to: VideoStatus) =>
    new DomainError(ErrorCodes.VIDEO_INVALID_STATE, "BUSINESS_RULE", `A ${from} video cannot become ${to}`, { from, to }),
  invalidTitle: () =>
    new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", "Title must be 1 to 200 characters", { field: "title" }),
  invalidDescription: () =>
    new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", "Description must be at most 5000 characters", {
      field: "description",
    }),
  uploadMissing: () =>
    new DomainError(
      ErrorCodes.UPLOAD_OBJECT_MISSING,
      "BUSINESS_RULE",
      "No uploaded file was found; PUT the file to the upload URL first",
    ),
  uploadSizeMismatch: (declared: number, actual: number) =>
    new DomainError(
      ErrorCodes.UPLOAD_SIZE_MISMATCH,
      "BUSINESS_RULE",
      `The uploaded file has ${actual} bytes, but ${declared} were declared`,
      { declared, actual },
    ),
  notAVideo: () =>
    new DomainError(
      ErrorCodes.UPLOAD_NOT_A_VIDEO,
      "BUSINESS_RULE",
      "The uploaded file is not a video; the video is back to DRAFT, upload again",
    ),
  renditionExists: (quality: string) =>
    new DomainError(ErrorCodes.RENDITION_EXISTS, "BUSINESS_RULE", `This video already has a ${quality} rendition`, { quality }),
  fileNotFound: (kind: string) =>
    new DomainError(ErrorCodes.FILE_NOT_FOUND, "NOT_FOUND", `This video has no ${kind} file yet`, { kind }),
};
