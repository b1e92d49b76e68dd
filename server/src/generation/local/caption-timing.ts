/**
 * When each caption is on screen: exactly while its segment's audio plays, with a short silence
 * between segments (longer after a sentence than inside one). Computed in samples of the speech,
 * so the audio track built from the same numbers and the captions cannot drift apart.
 */

export interface SpokenSegment {
  /** Length of the segment's speech in samples. */
  samples: number;
  endsSentence: boolean;
}

export interface TimedCaption {
  startSample: number;
  endSample: number;
  startSeconds: number;
  endSeconds: number;
}

export interface Timeline {
  sampleRate: number;
  captions: TimedCaption[];
  totalSamples: number;
  totalSeconds: number;
}

export interface Pauses {
  /** After a segment that ends a sentence. */
  sentenceSeconds: number;
  /** After a part of a long sentence. */
  clauseSeconds: number;
}

export const DEFAULT_PAUSES: Pauses = { sentenceSeconds: 0.3, clauseSeconds: 0.1 };

/** Segments back to back with a pause after each but the last; nothing before the first. */
export function planTimeline(segments: readonly SpokenSegment[], sampleRate: number, pauses: Pauses = DEFAULT_PAUSES): Timeline {
  if (!(sampleRate > 0)) throw new RangeError(`sample rate must be positive, got ${sampleRate}`);
  const captions: TimedCaption[] = [];
  let cursor = 0;
  segments.forEach((segment, index) => {
    if (index > 0) {
      const previous = segments[index - 1];
      const pause = previous?.endsSentence ? pauses.sentenceSeconds : pauses.clauseSeconds;
      cursor += Math.round(pause * sampleRate);
    }
    const samples = Math.max(0, Math.floor(segment.samples));
    captions.push({
      startSample: cursor,
      endSample: cursor + samples,
      startSeconds: cursor / sampleRate,
      endSeconds: (cursor + samples) / sampleRate,
    });
    cursor += samples;
  });
  return { sampleRate, captions, totalSamples: cursor, totalSeconds: cursor / sampleRate };
}
