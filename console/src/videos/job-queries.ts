import type { QueryClient } from "@tanstack/react-query";

/** What a job's start or end changes: its video's status and renditions, the jobs, the balance (charge or refund). */
export function invalidateAfterJob(queryClient: QueryClient, videoId: string): void {
  for (const queryKey of [
    ["videos.get", { id: videoId }],
    ["jobs.list", { videoId }],
    ["videos.playback", { id: videoId }],
    ["videos.quote", { id: videoId }],
    ["videos.list"],
    ["credits.balance"],
  ]) {
    void queryClient.invalidateQueries({ queryKey });
  }
}
