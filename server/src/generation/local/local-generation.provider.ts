import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { GenerationProvider, GenerationRequest, GenerationRun } from "../../shared/application/generation-provider.js";
import { generationFailed } from "../../shared/application/generation-provider.js";
import type { Logger } from "../../shared/application/logger.js";
import { TranscodeCancelledError, mediaToolFailed } from "../../shared/application/media-transcoder.js";
import { DomainError } from "../../shared/domain/domain-error.js";
import { runFfmpegProcess, type FfmpegOutcome } from "../../media/ffmpeg-process.js";
import { FfmpegProgressParser, ProgressThrottle } from "../../media/ffmpeg-progress.js";
import { captionLayout, wrapText } from "./caption-layout.js";
import { planTimeline } from "./caption-timing.js";
import { RENDER_FPS, filterGraph, renderArgs, type CaptionLine } from "./render-args.js";
import { splitScript } from "./sentences.js";
import { SynthesisFailure, locateSynthScript, synthesizeSpeech } from "./speech-synthesis.js";
import { readWav, writeTimelineWav } from "./wav.js";

export interface LocalGenerationProviderOptions {
  /** From resolveMediaBinaries(); a bare name is looked up on PATH. */
  ffmpegPath: string;
  logger?: Logger;
  /** espeak-ng processes at once. Default: 2, or 1 on a single core. */
  synthesisConcurrency?: number;
  /** SIGTERM to ffmpeg first so it can close its files, SIGKILL after this. Default 500 ms. */
  killGraceMs?: number;
}

/** Synthesis's share of the progress bar; ffmpeg has the rest up to 99, and 100 comes with the file. */
const SYNTHESIS_SHARE = 25;
const AUDIO_READY = 27;
const FONT = "dejavu-fonts-ttf/ttf/DejaVuSans.ttf";

const require = createRequire(import.meta.url);

/**
 * The embedded GenerationProvider: no network. The script is split into caption-sized segments,
 * each spoken by espeak-ng (WebAssembly, in child processes) into a WAV; the WAVs are laid end to
 * end with short pauses into one track, and ffmpeg draws each segment's caption over a colour
 * background exactly while it plays (docs/adr/0018).
 */
export class LocalGenerationProvider implements GenerationProvider {
  readonly describe = "local (espeak-ng WASM + ffmpeg drawtext)";
  private readonly concurrency: number;
  private readonly killGraceMs: number;
  private synthScript: string | undefined;
  private fontFile: string | undefined;

  constructor(private readonly options: LocalGenerationProviderOptions) {
    this.concurrency = options.synthesisConcurrency ?? Math.min(2, availableParallelism());
    this.killGraceMs = options.killGraceMs ?? 500;
  }

  async generate(request: GenerationRequest, run: GenerationRun): Promise<void> {
    const { signal } = run;
    if (signal.aborted) throw new TranscodeCancelledError(signal.reason);
    const width = even(request.width);
    const height = even(request.height);
    const layout = captionLayout(width, height);
    const segments = splitScript(request.script, layout);
    if (segments.length === 0) throw generationFailed("the script has nothing to speak");

    const outputFile = path.resolve(run.outputPath);
    const partial = `${outputFile}.${randomBytes(6).toString("hex")}.partial`;
    await mkdir(path.dirname(outputFile), { recursive: true });
    const work = await mkdtemp(path.join(path.dirname(outputFile), ".local-generation-"));
    const meta = { idempotencyKey: request.idempotencyKey, voice: request.voice, width, height, segments: segments.length };
    const started = performance.now();
    const progress = new MonotonicProgress(run.onProgress, this.options.logger);
    try {
      // 1. Speech: one WAV a segment, progress weighted by the text each segment carries.
      const totalChars = segments.reduce((sum, segment) => sum + segment.text.length, 0);
      let spokenChars = 0;
      const wavs = segments.map((_, index) => path.join(work, `segment-${index}.wav`));
      try {
        await synthesizeSpeech(
          segments.map((segment, index) => ({ text: segment.text, outputFile: wavs[index] ?? "" })),
          {
            voice: request.voice,
            concurrency: this.concurrency,
            signal,
            timeoutMs: 60_000 + segments.length * 5_000,
            scriptPath: (this.synthScript ??= locateSynthScript()),
            onSegmentDone: (index) => {
              spokenChars += segments[index]?.text.length ?? 0;
              progress.report((spokenChars / totalChars) * SYNTHESIS_SHARE);
            },
          },
        );
      } catch (error) {
        throw synthesisError(error, signal);
      }

      // 2. One track and the caption files, from the same sample counts.
      const audios = await Promise.all(wavs.map((file) => readWav(file)));
      const sampleRate = audios[0]?.sampleRate ?? 22_050;
      const timeline = planTimeline(
        audios.map((audio, index) => ({ samples: audio.samples, endsSentence: segments[index]?.endsSentence ?? true })),
        sampleRate,
      );
      if (timeline.totalSamples === 0) throw generationFailed("espeak-ng produced no speech for the script");
      const audioFile = path.join(work, "speech.wav");
      await writeTimelineWav(audioFile, audios, timeline);
      const lines: CaptionLine[] = [];
      const captionFiles: Promise<void>[] = [];
      segments.forEach((segment, index) => {
        const caption = timeline.captions[index];
        if (!caption || caption.endSample === caption.startSample) return;
        const wrapped = wrapText(segment.text, layout.maxLineChars);
        wrapped.forEach((text, line) => {
          const textFile = path.join(work, `caption-${index}-${line}.txt`);
          captionFiles.push(writeFile(textFile, text, "utf8"));
          lines.push({
            textFile,
            startSeconds: caption.startSeconds,
            endSeconds: caption.endSeconds,
            line,
            lines: wrapped.length,
          });
        });
      });
      await Promise.all(captionFiles);
      const fontFile = (this.fontFile ??= require.resolve(FONT));
      const plan = { width, height, fps: RENDER_FPS, totalSeconds: timeline.totalSeconds, layout, fontFile, captions: lines };
      const filterScriptFile = path.join(work, "captions.filtergraph");
      await writeFile(filterScriptFile, filterGraph(plan), "utf8");
      if (signal.aborted) throw new TranscodeCancelledError(signal.reason);
      progress.report(AUDIO_READY);

      // 3. ffmpeg: the video, progress from its own clock against the track's length.
      const args = renderArgs({ ...plan, audioFile: `file:${audioFile}`, filterScriptFile, outputFile: `file:${partial}` });
      const throttle = new ProgressThrottle(timeline.totalSeconds, ({ percent }) =>
        progress.report(AUDIO_READY + (percent / 100) * (99 - AUDIO_READY)),
      );
      const parser = new FfmpegProgressParser();
      const timeoutMs = 120_000 + timeline.totalSeconds * 5_000;
      const outcome = await runFfmpegProcess(this.options.ffmpegPath, args, {
        signal,
        timeoutMs,
        killGraceMs: this.killGraceMs,
        onStdoutLine: (line) => {
          const position = parser.push(line);
          if (position) throttle.update(position);
        },
      });
      if (outcome.kind === "aborted") throw new TranscodeCancelledError(signal.reason);
      if (outcome.kind !== "exited" || outcome.code !== 0) throw ffmpegError(outcome, this.options.ffmpegPath, timeoutMs);
      if (signal.aborted) throw new TranscodeCancelledError(signal.reason);
      await rename(partial, outputFile);
      progress.report(100);
      this.options.logger?.info("generation finished", {
        ...meta,
        seconds: Math.round(timeline.totalSeconds * 10) / 10,
        ms: Math.round(performance.now() - started),
      });
    } catch (error) {
      await rm(partial, { force: true });
      const level = error instanceof TranscodeCancelledError ? "info" : "warn";
      this.options.logger?.[level]("generation did not finish", { ...meta, error: describeError(error) });
      throw error;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}

/** Reports never go down, nor repeat; a listener's bug is logged and costs nothing else. */
class MonotonicProgress {
  private last = -1;

  constructor(
    private readonly listener: (percent: number) => void,
    private readonly logger?: Logger,
  ) {}

  report(raw: number): void {
    const percent = Math.min(100, Math.floor(raw * 10) / 10);
    if (!(percent > this.last)) return;
    this.last = percent;
    try {
      this.listener(percent);
    } catch (error) {
      this.logger?.warn("generation progress listener threw", { error: describeError(error) });
    }
  }
}

function even(side: number): number {
  return Math.max(2, Math.floor(side / 2) * 2);
}

function synthesisError(error: unknown, signal: AbortSignal): Error {
  if (signal.aborted || (error instanceof SynthesisFailure && error.reason === "aborted")) {
    return new TranscodeCancelledError(signal.reason);
  }
  if (error instanceof SynthesisFailure) {
    return error.permanent
      ? generationFailed(error.message, { reason: "speech_rejected" })
      : mediaToolFailed(`speech_${error.reason}`, error.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Every ffmpeg failure here is ours or the machine's, never the user's file: transient, retried while attempts remain. */
function ffmpegError(outcome: Exclude<FfmpegOutcome, { kind: "aborted" }>, ffmpegPath: string, timeoutMs: number): DomainError {
  const stderr = outcome.stderrTail.trim();
  const details = { stderr };
  switch (outcome.kind) {
    case "spawn_failed":
      return mediaToolFailed("binary_missing", `ffmpeg could not be started (${outcome.errorCode}): ${ffmpegPath}`, details);
    case "timeout":
      return mediaToolFailed("timeout", `ffmpeg did not finish within ${timeoutMs} ms`, details);
    case "exited": {
      if (outcome.signal) return mediaToolFailed("killed", `ffmpeg was killed by ${outcome.signal}`, details);
      const last = stderr.split("\n").at(-1)?.slice(0, 300) || "no error output";
      return mediaToolFailed("ffmpeg_failed", `ffmpeg exited with code ${outcome.code}: ${last}`, details);
    }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
