import "../videos/videos.css";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { isReelbaseError } from "@reelbase/client";
import { client } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { navigate } from "../router";
import { browserUpload, isSessionGone, type Video } from "../videos/browser-upload";
import { formatMegabytes } from "../videos/format";
import { forgetUpload, isSameFile, savedUploadFor } from "../videos/saved-uploads";
import { UploadCancelledError, UploadStalledError, type MultipartUpload, type UploadProgress } from "../videos/uploader";
import { useDocumentTitle } from "../components/use-document-title";

type Phase = "idle" | "creating" | "sending" | "stalled" | "done";

/**
 * `#/upload` makes a new video; `#/upload/<id>` sends a file to an existing draft (one whose
 * upload was cancelled or refused). The file goes to storage in parts, straight from the browser.
 */
export function Upload({ params }: { params: string[] }) {
  const existingId = params[0];
  useDocumentTitle("Upload a video");
  const queryClient = useQueryClient();
  const titleId = useId();
  const fileId = useId();
  const [title, setTitle] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>("idle");
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const videoIdRef = useRef<string | null>(existingId ?? null);
  const uploadRef = useRef<MultipartUpload<Blob, Video> | null>(null);
  const mountedRef = useRef(true);

  // Read once: the entry changes as this page uploads, and the note is about an earlier page.
  const [interrupted] = useState(() => (existingId ? savedUploadFor(existingId) : null));
  const existing = useQuery({
    queryKey: ["videos.get", { id: existingId }],
    queryFn: () => client.videos.get.query({ id: existingId ?? "" }),
    enabled: existingId !== undefined,
  });

  useEffect(() => {
    mountedRef.current = true;
    return () => {
      mountedRef.current = false;
    };
  }, []);

  // A reload or a closed tab would lose the file the resume needs; an in-app link keeps the upload going.
  const busy = phase === "creating" || phase === "sending";
  useEffect(() => {
    if (!busy) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [busy]);

  async function send(run: (upload: MultipartUpload<Blob, Video>) => Promise<Video>, upload: MultipartUpload<Blob, Video>) {
    setError(null);
    setPhase("sending");
    try {
      const video = await run(upload);
      uploadRef.current = null;
      forgetUpload(video.id);
      setPhase("done");
      queryClient.setQueryData(["videos.get", { id: video.id }], video);
      void queryClient.invalidateQueries({ queryKey: ["videos.list"] });
      if (mountedRef.current) navigate("videos", video.id);
    } catch (caught) {
      if (caught instanceof UploadCancelledError) return;
      setError(caught);
      // Retries ran out, or the API itself was out of reach (no answer at all): the session is still there to resume.
      if (caught instanceof UploadStalledError || !isReelbaseError(caught)) {
        setPhase("stalled");
      } else {
        // A refusal of the session or of the file (e.g. not a video): the next try opens a new session.
        uploadRef.current = null;
        if (videoIdRef.current) forgetUpload(videoIdRef.current);
        setPhase("idle");
      }
      void queryClient.invalidateQueries({ queryKey: ["videos.list"] });
    }
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!file) {
      setError(new Error("Choose a video file first."));
      return;
    }
    setError(null);
    setProgress(null);
    setPhase("creating");
    try {
      if (!videoIdRef.current) {
        const video = await client.videos.create.mutate({ title: (title.trim() || file.name).slice(0, 200) });
        videoIdRef.current = video.id;
      }
    } catch (caught) {
      setError(caught);
      setPhase("idle");
      return;
    }
    const videoId = videoIdRef.current;
    const upload = browserUpload(file, videoId, setProgress);
    uploadRef.current = upload;
    const saved = savedUploadFor(videoId);
    if (saved && isSameFile(saved, file)) {
      upload.adopt(saved);
      await send(async (it) => {
        try {
          return await it.resume();
        } catch (caught) {
          if (!isSessionGone(caught)) throw caught;
          forgetUpload(videoId);
          const fresh = browserUpload(file, videoId, setProgress);
          uploadRef.current = fresh;
          return fresh.start();
        }
      }, upload);
      return;
    }
    await send((it) => it.start(), upload);
  }

  async function onResume() {
    const upload = uploadRef.current;
    if (upload) await send((it) => it.resume(), upload);
  }

  async function onCancel() {
    const upload = uploadRef.current;
    uploadRef.current = null;
    setPhase("idle");
    setProgress(null);
    if (videoIdRef.current) forgetUpload(videoIdRef.current);
    try {
      await upload?.cancel();
      setError(null);
    } catch (caught) {
      setError(caught);
    }
    void queryClient.invalidateQueries({ queryKey: ["videos.list"] });
  }

  const sent = progress?.sentBytes ?? 0;
  const total = progress?.totalBytes ?? file?.size ?? 0;
  const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;

  return (
    <>
      <h1>Upload a video</h1>
      {existing.data && (
        <p className="muted">
          To the video <strong>{existing.data.title}</strong>.
        </p>
      )}
      {interrupted && (
        <p className="notice" data-testid="interrupted-upload">
          An upload of {interrupted.fileName} ({formatMegabytes(interrupted.fileSize)} MB) to this video was interrupted. Choose
          the same file to send only what is missing.
        </p>
      )}
      <ErrorNotice error={existing.error} onRetry={() => void existing.refetch()} />
      <form className="card" onSubmit={(event) => void onSubmit(event)}>
        {!existingId && (
          <>
            <label htmlFor={titleId}>Title</label>
            <input
              id={titleId}
              value={title}
              onChange={(event) => setTitle(event.target.value)}
              maxLength={200}
              placeholder="The file name if left empty"
              disabled={phase !== "idle"}
            />
          </>
        )}
        <label htmlFor={fileId}>Video file</label>
        <input
          id={fileId}
          type="file"
          accept="video/*"
          required
          disabled={phase !== "idle"}
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
        {file && (
          <p className="muted">
            {file.name}, {formatMegabytes(file.size)} MB
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={phase !== "idle" || !file}>
            Upload
          </button>
        </div>
      </form>

      {phase !== "idle" && (
        <section className="card stack" aria-labelledby={`${fileId}-progress`}>
          <h2 id={`${fileId}-progress`}>Progress</h2>
          <progress aria-label="Upload progress" value={sent} max={Math.max(total, 1)} />
          <p>
            {formatMegabytes(sent)} of {formatMegabytes(total)} MB
            {progress && progress.partCount > 1 && (
              <span className="muted">
                {" "}
                · {progress.storedParts} of {progress.partCount} parts stored
              </span>
            )}
          </p>
          <p aria-live="polite" data-testid="upload-state">
            {phase === "creating" && "Starting the upload…"}
            {phase === "sending" &&
              (sent >= total && total > 0 ? "Checking the file…" : `Uploading: ${percent - (percent % 10)}%`)}
            {phase === "stalled" &&
              `The upload stopped: the connection failed several times. ${formatMegabytes(progress?.storedBytes ?? 0)} MB are stored; resuming sends the rest.`}
            {phase === "done" && "Uploaded."}
          </p>
          <div className="actions">
            {phase === "stalled" && (
              <button type="button" onClick={() => void onResume()}>
                Resume upload
              </button>
            )}
            {(phase === "sending" || phase === "stalled") && (
              <button type="button" className="danger" onClick={() => void onCancel()}>
                Cancel upload
              </button>
            )}
          </div>
        </section>
      )}
      <ErrorNotice error={error} />
    </>
  );
}
