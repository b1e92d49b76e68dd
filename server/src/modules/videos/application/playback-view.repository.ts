export interface PlaybackView {
  id: string;
  videoId: string;
  tokenId: string;
  windowStart: Date;
  day: Date;
}

export interface PlaybackViewRepository {
  /** Inserts the view unless its (tokenId, windowStart) is already there; true when this call inserted it. */
  record(view: PlaybackView): Promise<boolean>;
}

export const PLAYBACK_VIEW_REPOSITORY = Symbol.for("PlaybackViewRepository");
