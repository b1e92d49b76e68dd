/**
 * RFC 6381 codec strings, as HLS's CODECS attribute and MediaSource.isTypeSupported() want them,
 * from what ffprobe says about a stream. null when the stream is not one a rendition carries:
 * the caller decides whether that is an error (it is, for our own output).
 */
export interface ProbedCodec {
  /** ffprobe's codec_name: "h264", "aac". */
  name: string;
  /** ffprobe's profile: "High", "Constrained Baseline", "LC". */
  profile?: string | undefined;
  /** ffprobe's level for video: 31 means 3.1. */
  level?: number | undefined;
}

/**
 * H.264 profile_idc and the constraint-flags byte players expect beside it. ffprobe names the
 * profile but does not print the flags; these are the values encoders write for each profile
 * (constrained baseline sets constraint_set0/1/2, main constraint_set1 as x264 does).
 */
const AVC_PROFILES: Readonly<Record<string, readonly [number, number]>> = {
  "constrained baseline": [0x42, 0xe0],
  baseline: [0x42, 0x00],
  main: [0x4d, 0x40],
  extended: [0x58, 0x00],
  high: [0x64, 0x00],
  "high 10": [0x6e, 0x00],
  "high 4:2:2": [0x7a, 0x00],
  "high 4:4:4 predictive": [0xf4, 0x00],
};

/** MPEG-4 audio object types by ffprobe's AAC profile name. */
const AAC_OBJECT_TYPES: Readonly<Record<string, number>> = { lc: 2, "he-aac": 5, "he-aacv2": 29 };

const hex = (byte: number) => byte.toString(16).padStart(2, "0");

export function avcCodecString(codec: ProbedCodec): string | null {
  if (codec.name !== "h264" || codec.profile === undefined || codec.level === undefined) return null;
  const profile = AVC_PROFILES[codec.profile.toLowerCase()];
  if (!profile || !Number.isInteger(codec.level) || codec.level <= 0 || codec.level > 0xff) return null;
  return `avc1.${hex(profile[0])}${hex(profile[1])}${hex(codec.level)}`;
}

export function aacCodecString(codec: ProbedCodec): string | null {
  if (codec.name !== "aac" || codec.profile === undefined) return null;
  const objectType = AAC_OBJECT_TYPES[codec.profile.toLowerCase()];
  return objectType === undefined ? null : `mp4a.40.${objectType}`;
}

/** "avc1.64001f,mp4a.40.2", or just the video's when there is no audio; null if either is unknown. */
export function codecsOf(video: ProbedCodec, audio: ProbedCodec | null): string | null {
  const videoCodec = avcCodecString(video);
  if (!videoCodec) return null;
  if (!audio) return videoCodec;
  const audioCodec = aacCodecString(audio);
  return audioCodec ? `${videoCodec},${audioCodec}` : null;
}
