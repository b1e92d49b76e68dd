/**
 * What the videos context needs from processing, implemented by the jobs context: deleting a
 * video ends its queued and running jobs (refunded) before its files are removed.
 */
export interface VideoJobs {
  cancelAllOf(videoId: string): Promise<void>;
}

export const VIDEO_JOBS = Symbol.for("VideoJobs");
