import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";

export const PlaybackErrors = {
  notReady: () =>
    new DomainError(
      ErrorCodes.PLAYBACK_NOT_READY,
      "BUSINESS_RULE",
      "This video has no rendition that streams yet; process it first (an MP4-only rendition still downloads with videos.downloadUrl)",
    ),
  tokenInvalid: () => new DomainError(ErrorCodes.PLAYBACK_TOKEN_INVALID, "FORBIDDEN", "Invalid playback token"),
  tokenExpired: () => new DomainError(ErrorCodes.PLAYBACK_TOKEN_EXPIRED, "FORBIDDEN", "This playback token has expired"),
  variantNotFound: (quality: string) =>
    new DomainError(ErrorCodes.FILE_NOT_FOUND, "NOT_FOUND", `This video has no ${quality} stream`, { quality }),
};
