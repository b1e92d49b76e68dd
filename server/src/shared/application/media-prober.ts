export interface MediaProbe {
  durationSeconds: number;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string | null;
  formatName: string;
}

export interface MediaProber {
  /** null when the input has no decodable video stream (not a video, or corrupt). */
  probe(location: string): Promise<MediaProbe | null>;
}

export const MEDIA_PROBER = Symbol.for("MediaProber");
