import "../videos/videos.css";
import { useQuery } from "@tanstack/react-query";
import { client } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { hrefTo } from "../router";
import { useBalance, useMe } from "../videos/balance";
import { formatDateTime, formatDuration, formatMegabytes } from "../videos/format";
import { JobList } from "../videos/JobList";
import { isActive } from "../videos/JobProgress";
import { Playback } from "../videos/Playback";
import { ProcessPanel } from "../videos/ProcessPanel";
import { DeleteVideo, TitleEditor } from "../videos/VideoActions";
import { isMoving, MOVING_REFETCH_MS, VideoStatus } from "../videos/VideoStatus";
import { ViewsChart } from "../videos/ViewsChart";
import { useDocumentTitle } from "../components/use-document-title";

/** A video's jobs, newest first; one page is plenty for a video (a job per quality and run). */
const JOBS_LIMIT = 50;

/** `#/videos/<id>`: status, processing with its price, live jobs, playback and views. */
export function VideoDetail({ params }: { params: string[] }) {
  const id = params[0] ?? "";
  const me = useMe();
  const balance = useBalance();
  const video = useQuery({
    queryKey: ["videos.get", { id }],
    queryFn: () => client.videos.get.query({ id }),
    refetchInterval: (query) => (query.state.data && isMoving(query.state.data.status) ? MOVING_REFETCH_MS : false),
  });
  // The error page names the screen; a loaded video names itself.
  useDocumentTitle(video.error ? "Video" : (video.data?.title ?? null));
  const jobs = useQuery({
    queryKey: ["jobs.list", { videoId: id }],
    queryFn: () => client.jobs.list.query({ videoId: id, limit: JOBS_LIMIT }),
    // The progress bars stream; this catches what a dropped stream would miss.
    refetchInterval: (query) => (query.state.data?.items.some((job) => isActive(job.status)) ? 5000 : false),
  });

  if (video.error) {
    return (
      <>
        <h1>Video</h1>
        <ErrorNotice error={video.error} onRetry={() => void video.refetch()} />
        <p>
          <a href={hrefTo("videos")}>Back to the videos</a>
        </p>
      </>
    );
  }
  if (!video.data) return <p>Loading…</p>;

  const current = video.data;
  const jobItems = jobs.data?.items ?? [];
  const playable = current.status === "READY" || jobItems.some((job) => job.status === "SUCCEEDED");

  return (
    <>
      <p className="breadcrumb">
        <a href={hrefTo("videos")}>Videos</a>
      </p>
      <TitleEditor video={current} />
      <p>
        <VideoStatus status={current.status} />
      </p>
      <dl className="video-facts">
        <dt>Duration</dt>
        <dd>{formatDuration(current.durationSeconds)}</dd>
        {current.width !== null && current.height !== null && (
          <>
            <dt>Size</dt>
            <dd>
              {current.width}×{current.height}
              {current.videoCodec && ` · ${current.videoCodec}`}
              {current.audioCodec && ` / ${current.audioCodec}`}
            </dd>
          </>
        )}
        {current.source && (
          <>
            <dt>Source</dt>
            <dd>
              {current.source.filename}, {formatMegabytes(current.source.sizeBytes)} MB
            </dd>
          </>
        )}
        <dt>Created</dt>
        <dd>{formatDateTime(current.createdAt)}</dd>
      </dl>
      {current.status === "DRAFT" && (
        <p>
          <a href={hrefTo("upload", current.id)}>Upload a file to this video</a>
        </p>
      )}
      {current.status === "UPLOADING" && (
        <p>
          <a href={hrefTo("upload", current.id)}>Resume the upload</a>{" "}
          <span className="muted">(an upload that stopped; choose the same file again)</span>
        </p>
      )}

      <section aria-labelledby="processing-heading">
        <h2 id="processing-heading">Processing</h2>
        <ProcessPanel video={current} balance={balance.data?.balance} />
        <ErrorNotice error={me.error} onRetry={() => void me.refetch()} />
        <ErrorNotice error={balance.error} onRetry={() => void balance.refetch()} />
      </section>

      <section aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">Jobs</h2>
        <ErrorNotice error={jobs.error} onRetry={() => void jobs.refetch()} />
        {jobs.data ? <JobList jobs={jobItems} /> : !jobs.error && <p>Loading…</p>}
      </section>

      <section aria-labelledby="playback-heading">
        <h2 id="playback-heading">Playback</h2>
        <Playback videoId={current.id} playable={playable} />
      </section>

      <section aria-labelledby="views-heading">
        <h2 id="views-heading">Views per day</h2>
        <ViewsChart videoId={current.id} />
      </section>

      <section aria-labelledby="danger-heading">
        <h2 id="danger-heading">Delete</h2>
        <DeleteVideo video={current} />
      </section>
    </>
  );
}
