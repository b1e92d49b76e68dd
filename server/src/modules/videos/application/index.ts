/**
 * What the videos context offers other contexts. Anything not exported here is the context's own:
 * the ESLint layer rule refuses an import from another context past this file.
 */
export { VideoAccess } from "./video-access.js";
export { VideoProcessing } from "./video-processing.service.js";
export { VideoOutputs, type JobOutputFile, type VideoSource } from "./video-outputs.service.js";
export { VIDEO_JOBS, type VideoJobs } from "./video-jobs.js";
export { generatedSourceKey, renditionKey, thumbnailKey } from "./storage-keys.js";
export { VideoErrors } from "../domain/video.errors.js";
export { TITLE_MAX_LENGTH, type Video, type VideoProbe } from "../domain/video.entity.js";
export type { JobInput } from "../domain/video-processing.js";
export { STORED_FILE_KINDS, type StoredFileKind } from "../domain/stored-file.js";
