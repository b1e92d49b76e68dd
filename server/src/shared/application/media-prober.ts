export interface MediaProbe {
  durationSeconds: number;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string | null;
  formatName: string;
  /** Frames per second as the container states it (average first); null when it does not say. */
  frameRate: number | null;
  /** RFC 6381 ("avc1.64001f,mp4a.40.2") when every stream is H.264/AAC; null for anything else. */
  codecs: string | null;
}

export interface MediaProber {
  /** null when the input has no decodable video stream (not a video, or corrupt). */
  probe(location: string): Promise<MediaProbe | null>;
}

export const MEDIA_PROBER = Symbol.for("MediaProber");
