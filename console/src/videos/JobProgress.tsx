import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { client, type RouterOutputs } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { invalidateAfterJob } from "./job-queries";

export type Job = RouterOutputs["jobs"]["get"];
type JobStatus = Job["status"];

export function isActive(status: JobStatus): boolean {
  return status === "QUEUED" || status === "RUNNING";
}

interface LiveState {
  status: JobStatus;
  progress: number;
  error: string | null;
}

/**
 * The job's state from jobs.onProgress (SSE) while it is queued or running: the server sends the
 * current state first and ends the stream after the terminal one, which is when the video, the
 * job list and the balance are read again. The listed job is the fallback while nothing came yet.
 */
export function useJobProgress(job: Job): { state: LiveState; streamError: unknown } {
  const queryClient = useQueryClient();
  const [live, setLive] = useState<(LiveState & { run: number; jobId: string }) | null>(null);
  const [streamError, setStreamError] = useState<unknown>(null);
  const active = isActive(job.status);
  const { id, videoId, run } = job;

  useEffect(() => {
    if (!active) return;
    const subscription = client.jobs.onProgress.subscribe(
      { id },
      {
        onData: ({ data }) => {
          setStreamError(null);
          setLive({ status: data.status, progress: data.progress, error: data.error, run, jobId: id });
          if (!isActive(data.status)) invalidateAfterJob(queryClient, videoId);
        },
        onError: (error) => setStreamError(error),
      },
    );
    return () => subscription.unsubscribe();
  }, [active, id, run, videoId, queryClient]);

  // A state streamed for an earlier run (before a retry) no longer describes the job.
  const state =
    live && live.jobId === id && live.run === run && active
      ? live
      : { status: job.status, progress: job.progress, error: job.lastError };
  return { state, streamError };
}

export function JobProgress({ job }: { job: Job }) {
  const { state, streamError } = useJobProgress(job);
  return (
    <div className="job-progress">
      <progress aria-label="Job progress" value={state.progress} max={100} />
      <p className="job-progress-text">
        <span data-testid="job-status">{state.status}</span> · {state.progress}%
      </p>
      {/* Every percent would flood a screen reader: it hears the status and each tenth. */}
      <p className="visually-hidden" aria-live="polite">
        {`Job ${state.status.toLowerCase()}, ${state.progress - (state.progress % 10)}%`}
      </p>
      {state.error && <p className="error-message">{state.error}</p>}
      <ErrorNotice error={streamError} />
    </div>
  );
}
