import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { client } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { creditsWord, formatDateTime } from "./format";
import { invalidateAfterJob } from "./job-queries";
import { isActive, JobProgress, type Job } from "./JobProgress";
import { QUALITY_LABELS } from "./pricing";

const TYPE_LABELS: Record<Job["type"], string> = { TRANSCODE: "Transcode", GENERATE: "Generation" };

function JobRow({ job }: { job: Job }) {
  const queryClient = useQueryClient();
  const row = useRef<HTMLLIElement>(null);
  const afterChange = () => invalidateAfterJob(queryClient, job.videoId);
  // Cancel and Retry each remove themselves (the job is no longer active, or no longer failed):
  // focus stays on the job they acted on, not on <body>.
  const keepFocus = () => row.current?.focus();
  const cancel = useMutation({
    mutationFn: () => client.jobs.cancel.mutate({ id: job.id }),
    onSuccess: keepFocus,
    onSettled: afterChange,
  });
  const retry = useMutation({
    mutationFn: () => client.jobs.retry.mutate({ id: job.id }),
    onSuccess: keepFocus,
    onSettled: afterChange,
  });
  return (
    <li className="card job" data-testid="job" data-job-id={job.id} ref={row} tabIndex={-1}>
      <p className="job-title">
        <strong>
          {TYPE_LABELS[job.type]} {QUALITY_LABELS[job.quality]}
        </strong>
        <span className="muted">
          {" "}
          · run {job.run} · {job.creditsCharged} {creditsWord(job.creditsCharged)} · {formatDateTime(job.createdAt)}
        </span>
      </p>
      <JobProgress job={job} />
      <div className="actions">
        {isActive(job.status) && (
          <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            Cancel job
          </button>
        )}
        {job.status === "FAILED" && (
          <>
            <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
              Retry job
            </button>
            <span className="muted">
              a new run, charged {job.creditsCharged} {creditsWord(job.creditsCharged)} again
            </span>
          </>
        )}
      </div>
      <ErrorNotice error={cancel.error} />
      <ErrorNotice error={retry.error} />
    </li>
  );
}

export function JobList({ jobs }: { jobs: readonly Job[] }) {
  if (jobs.length === 0) return <p className="muted">No jobs yet.</p>;
  return (
    <ul className="job-list">
      {jobs.map((job) => (
        <JobRow key={job.id} job={job} />
      ))}
    </ul>
  );
}
