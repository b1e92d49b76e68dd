import type { Quality } from "../../../shared/domain/quality.js";
import type { Voice } from "../../../shared/domain/voices.js";

/** TRANSCODE: the video's uploaded source → a rendition at `quality` and a thumbnail. */
export interface TranscodeParams {
  quality: Quality;
}

/** GENERATE: `script` spoken in `voice` → the video's source, a rendition at `quality` and a thumbnail. */
export interface GenerateParams {
  quality: Quality;
  script: string;
  voice: Voice;
}

/** What a job carries, by its type: the type is the discriminant, so `params` is always the right shape. */
export type JobSpec = { type: "TRANSCODE"; params: TranscodeParams } | { type: "GENERATE"; params: GenerateParams };

export type JobParamsOf<T extends JobSpec["type"]> = Extract<JobSpec, { type: T }>["params"];

/** Same job asked for twice (an idempotency key's replay): same type and the very same parameters. */
export function sameSpec(a: JobSpec, b: JobSpec): boolean {
  if (a.type === "TRANSCODE" && b.type === "TRANSCODE") return a.params.quality === b.params.quality;
  if (a.type === "GENERATE" && b.type === "GENERATE")
    return a.params.quality === b.params.quality && a.params.script === b.params.script && a.params.voice === b.params.voice;
  return false;
}

export function copySpec(spec: JobSpec): JobSpec {
  return spec.type === "TRANSCODE"
    ? { type: spec.type, params: { ...spec.params } }
    : { type: spec.type, params: { ...spec.params } };
}
