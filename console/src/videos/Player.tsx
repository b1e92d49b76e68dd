import type Hls from "hls.js";
import { useEffect, useId, useRef, useState } from "react";

export interface PlayerProps {
  hlsUrl: string;
  posterUrl: string | null;
  renditions: readonly { quality: string; height: number | null; mp4Url: string }[];
  /** Once per player, when the video first plays: by then the view it counts is stored. */
  onFirstPlay?: () => void;
}

interface Level {
  index: number;
  label: string;
}

type Mode = "loading" | "hls.js" | "native" | "mp4";

const AUTO = "auto";

/** Media Source Extensions, or the managed variant iOS 17.1+ Safari offers instead: what hls.js needs. */
function hasMediaSource(): boolean {
  return "MediaSource" in window || "ManagedMediaSource" in window;
}

function levelLabel(height: number | null | undefined, bitrate?: number): string {
  const name = height ? `${height}p` : "Unknown size";
  return bitrate ? `${name} (${Math.round(bitrate / 1000)} kb/s)` : name;
}

/**
 * The HLS player. hls.js is imported here, when a player opens, so it is not in the first load.
 * The browser's own HLS is used only where Media Source is missing (iOS Safari before 17.1): where
 * both exist, hls.js gives the quality menu the native player lacks.
 */
export function Player({ hlsUrl, posterUrl, renditions, onFirstPlay }: PlayerProps) {
  const played = useRef(false);
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<Hls | null>(null);
  const qualityId = useId();
  const [mode, setMode] = useState<Mode>("loading");
  const [levels, setLevels] = useState<Level[]>([]);
  const [selected, setSelected] = useState(AUTO);
  const [playing, setPlaying] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  // The Play button that opened the player is gone: focus goes to the video, whose controls then work from the keyboard.
  useEffect(() => videoRef.current?.focus(), []);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let disposed = false;
    let hls: Hls | null = null;

    async function attach(media: HTMLVideoElement): Promise<void> {
      if (hasMediaSource()) {
        const { default: HlsPlayer } = await import("hls.js");
        if (disposed) return;
        if (HlsPlayer.isSupported()) {
          const player = new HlsPlayer();
          hls = player;
          hlsRef.current = player;
          player.on(HlsPlayer.Events.MANIFEST_PARSED, (_event, data) =>
            setLevels(data.levels.map((level, index) => ({ index, label: levelLabel(level.height, level.bitrate) }))),
          );
          player.on(HlsPlayer.Events.LEVEL_SWITCHED, (_event, data) => setPlaying(levelLabel(player.levels[data.level]?.height)));
          player.on(HlsPlayer.Events.ERROR, (_event, data) => {
            if (!data.fatal) return;
            // A decode hiccup is recoverable once in place; a playlist or segment that cannot be fetched is not.
            if (data.type === HlsPlayer.ErrorTypes.MEDIA_ERROR) player.recoverMediaError();
            else setFailure(`Playback failed (${data.details}). The link may have expired: reload the page.`);
          });
          player.loadSource(hlsUrl);
          player.attachMedia(media);
          setMode("hls.js");
          void media.play().catch(() => undefined);
          return;
        }
      }
      if (media.canPlayType("application/vnd.apple.mpegurl")) {
        media.src = hlsUrl;
        setMode("native");
      } else {
        const best = renditions.at(-1);
        if (!best) {
          setFailure("This browser cannot play HLS and the video has no MP4 rendition.");
          return;
        }
        media.src = best.mp4Url;
        setMode("mp4");
      }
      void media.play().catch(() => undefined);
    }

    attach(video).catch((error: unknown) =>
      setFailure(`The player could not load: ${error instanceof Error ? error.message : String(error)}`),
    );
    return () => {
      disposed = true;
      hls?.destroy();
      hlsRef.current = null;
    };
  }, [hlsUrl, renditions]);

  /** hls.js switches level in place; without it, a fixed quality is the rendition's MP4, resumed where it was. */
  function choose(value: string) {
    setSelected(value);
    const hls = hlsRef.current;
    if (hls) {
      hls.currentLevel = value === AUTO ? -1 : Number(value);
      return;
    }
    const video = videoRef.current;
    if (!video) return;
    const at = video.currentTime;
    const paused = video.paused;
    const fallback = mode === "mp4" ? renditions.at(-1)?.mp4Url : hlsUrl;
    const source = value === AUTO ? fallback : renditions[Number(value)]?.mp4Url;
    if (!source) return;
    video.src = source;
    video.addEventListener(
      "loadedmetadata",
      () => {
        video.currentTime = at;
        if (!paused) void video.play().catch(() => undefined);
      },
      { once: true },
    );
  }

  const options: Level[] =
    mode === "hls.js" ? levels : renditions.map((rendition, index) => ({ index, label: levelLabel(rendition.height) }));

  return (
    <div className="player stack">
      <video
        data-testid="player"
        data-mode={mode}
        ref={videoRef}
        controls
        playsInline
        poster={posterUrl ?? undefined}
        onPlaying={() => {
          if (played.current) return;
          played.current = true;
          onFirstPlay?.();
        }}
      />
      <div className="actions">
        <label htmlFor={qualityId}>Quality</label>
        <select id={qualityId} value={selected} onChange={(event) => choose(event.target.value)} disabled={mode === "loading"}>
          <option value={AUTO}>Auto</option>
          {options.map((level) => (
            <option key={level.index} value={String(level.index)}>
              {level.label}
            </option>
          ))}
        </select>
        <span className="muted" aria-live="polite" data-testid="playing-level">
          {playing ? `Playing ${playing}` : ""}
        </span>
      </div>
      {failure && (
        <p role="alert" className="error-notice">
          {failure}
        </p>
      )}
    </div>
  );
}
