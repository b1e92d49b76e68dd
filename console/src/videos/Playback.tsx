import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { ErrorCodes, errorCodeOf } from "@reelbase/client";
import { client, type RouterOutputs } from "../api/client";
import { ErrorBoundary } from "../components/ErrorBoundary";
import { ErrorNotice } from "../components/ErrorNotice";
import { QUALITY_LABELS, QUALITIES, type Quality } from "./pricing";

// The player module pulls in hls.js (by a dynamic import of its own): nothing of it loads before "Play".
const Player = lazy(() => import("./Player").then((module) => ({ default: module.Player })));

type PlaybackInfo = RouterOutputs["videos"]["playback"];

/** Playback tokens last an hour by default; asking again at half of that keeps the URLs valid when Play is pressed. */
const PLAYBACK_STALE_MS = 30 * 60 * 1000;

function qualityLabel(quality: string): string {
  return (QUALITIES as readonly string[]).includes(quality) ? QUALITY_LABELS[quality as Quality] : quality;
}

export function Playback({ videoId, playable }: { videoId: string; playable: boolean }) {
  const queryClient = useQueryClient();
  const playback = useQuery({
    queryKey: ["videos.playback", { id: videoId }],
    queryFn: () => client.videos.playback.query({ id: videoId }),
    enabled: playable,
    staleTime: PLAYBACK_STALE_MS,
  });
  // What the player plays is fixed when it opens, so a refreshed token does not restart it.
  const [opened, setOpened] = useState<PlaybackInfo | null>(null);

  if (!playable) return <p className="muted">Playable once a rendition is ready.</p>;
  if (errorCodeOf(playback.error) === ErrorCodes.PLAYBACK_NOT_READY) {
    return <p className="muted">No rendition streams yet (it is being made, or it predates HLS).</p>;
  }
  return (
    <div className="stack">
      <ErrorNotice error={playback.error} onRetry={() => void playback.refetch()} />
      {opened ? (
        <ErrorBoundary>
          <Suspense fallback={<p>Loading the player…</p>}>
            <Player
              hlsUrl={opened.hlsUrl}
              posterUrl={opened.posterUrl}
              renditions={opened.renditions}
              // The server counts a view when the playlist is fetched; the chart below would still say none.
              onFirstPlay={() => void queryClient.invalidateQueries({ queryKey: ["videos.analytics", { id: videoId }] })}
            />
          </Suspense>
        </ErrorBoundary>
      ) : (
        <div className="actions">
          <button type="button" onClick={() => playback.data && setOpened(playback.data)} disabled={!playback.data}>
            Play
          </button>
        </div>
      )}
      {playback.data && playback.data.renditions.length > 0 && (
        <p className="downloads">
          Download MP4:{" "}
          {playback.data.renditions.map((rendition, index) => (
            <span key={rendition.quality}>
              {index > 0 && " · "}
              <a href={rendition.mp4Url} download>
                {qualityLabel(rendition.quality)}
              </a>
            </span>
          ))}
        </p>
      )}
    </div>
  );
}
