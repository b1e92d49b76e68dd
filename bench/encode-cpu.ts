/**
 * CPU time of one rendition encode that serves both the download and HLS (planTranscode: HLS muxer,
 * single-file fMP4, a keyframe every 2 s at a constant frame rate) against the MP4-only encode it
 * replaced (the argument list below, as planTranscode built it before), on the same source and
 * quality, interleaved. A third side, the old MP4 with only the fixed GOP added, tells the cost of
 * the GOP from the cost of the muxer. Prints a markdown section.
 *
 *   npx tsx bench/encode-cpu.ts [--rounds N] [--seconds S]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AUDIO_KBPS, planTranscode } from "../server/src/media/ffmpeg-args.js";
import { FfprobeProber, toInput, VIDEO_FORMATS } from "../server/src/media/ffprobe.prober.js";
import { keyframeArgs, outputFrameRate, type OutputFrameRate } from "../server/src/media/frame-rate.js";
import { resolveMediaBinaries } from "../server/src/media/media-binaries.js";
import { fitInside, QUALITY_SPECS, type Quality } from "../server/src/shared/domain/quality.js";
import { runFfmpeg } from "../test/support/media-fixtures.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { ms, summarize } from "./lib/stats.js";

const TARGET_RATIO = 1.05;
const QUALITY: Quality = "P720";
const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = flag("--rounds", 5);
const SECONDS = flag("--seconds", 20);

const binaries = resolveMediaBinaries({ ffprobePath: process.env.FFPROBE_PATH, ffmpegPath: process.env.FFMPEG_PATH });
const prober = new FfprobeProber({ ffprobePath: binaries.ffprobePath });

interface Source {
  file: string;
  width: number;
  height: number;
  durationSeconds: number;
}

/**
 * The MP4-only command as planTranscode built it up to commit 1d4c633 (x264's default GOP of up to
 * 250 frames with scene-cut keyframes, the source's own frame rate, +faststart), kept verbatim as
 * the baseline. `extra` lets the attribution side add the fixed GOP (and its constant rate) and nothing else.
 */
function mp4OnlyArgs(source: Source, out: string, extra?: OutputFrameRate): string[] {
  const input = toInput(source.file);
  const video = fitInside(QUALITY, source.width, source.height);
  const smallest = fitInside("P360", source.width, source.height);
  const thumbnail = smallest.width < video.width ? smallest : video;
  const thumbnailAtSeconds = Math.round(source.durationSeconds * 0.1 * 1000) / 1000;
  const videoKbps = QUALITY_SPECS[QUALITY].bitrateKbps - AUDIO_KBPS;
  const fps = extra ? `fps=fps=${extra.expr},` : "";
  const graph = [
    "[0:v:0]split=2[main][poster]",
    `[main]${fps}scale=${video.width}:${video.height},setsar=1,format=yuv420p[v]`,
    `[poster]setpts=PTS-STARTPTS,select='gte(t,${thumbnailAtSeconds})',scale=${thumbnail.width}:${thumbnail.height},setsar=1,format=yuvj420p[t]`,
  ].join(";");
  return [
    ...["-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-progress", "pipe:1"],
    ...["-protocol_whitelist", input.protocols, "-format_whitelist", VIDEO_FORMATS],
    ...(input.protocols === "file" ? [] : ["-reconnect", "1", "-rw_timeout", "30000000"]),
    ...["-i", input.arg, "-filter_complex", graph],
    ...["-map", "[v]", "-map", "0:a:0?", "-map_metadata", "-1", "-map_chapters", "-1"],
    ...["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-maxrate", `${videoKbps}k`, "-bufsize", `${videoKbps}k`],
    ...(extra ? keyframeArgs(extra) : []),
    ...["-c:a", "aac", "-b:a", `${AUDIO_KBPS}k`, "-ac", "2"],
    ...["-movflags", "+faststart", "-f", "mp4", "-y", `${out}.mp4`],
    ...["-map", "[t]", "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", "-y", `${out}.jpg`],
  ];
}

/** Exactly what FfmpegTranscoder runs today for this source and quality. */
function fmp4Args(source: Source, out: string, frameRate: OutputFrameRate): string[] {
  const outputs = { video: `${out}.mp4`, thumbnail: `${out}.jpg`, playlist: `${out}.m3u8` };
  return planTranscode({ input: source.file, quality: QUALITY, source, frameRate, outputs }).args;
}

/**
 * User + system CPU of this process's reaped children, in ms (Linux: cutime + cstime of
 * /proc/self/stat, 10 ms ticks). One ffmpeg runs at a time, so a difference is that ffmpeg's.
 */
function childCpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

async function runFfmpegMeasured(args: string[], out: string): Promise<{ cpuMs: number; wallMs: number; bytes: number }> {
  const [startCpu, start] = [childCpuMs(), performance.now()];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(binaries.ffmpegPath, args, { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`))));
  });
  const measured = { cpuMs: childCpuMs() - startCpu, wallMs: performance.now() - start };
  const { size } = await stat(`${out}.mp4`);
  await Promise.all([".mp4", ".jpg", ".m3u8"].map((ext) => rm(`${out}${ext}`, { force: true })));
  return { ...measured, bytes: size };
}

const SIDES = ["mp4", "mp4-gop", "fmp4"] as const;
type Side = (typeof SIDES)[number];

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "reelbase-bench-encode-cpu-"));
  try {
    const file = path.join(dir, "source.mp4");
    progress(`generating a ${SECONDS} s 1280×720 25 fps testsrc2 source with audio`);
    await runFfmpeg(
      [
        ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440"],
        ...["-t", String(SECONDS), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p"],
        ...["-c:a", "aac", "-movflags", "+faststart", "-y", file],
      ],
      180_000,
    );
    const probe = await prober.probe(file);
    if (!probe) throw new Error("the generated source did not probe as a video");
    const source: Source = { file, width: probe.width, height: probe.height, durationSeconds: probe.durationSeconds };
    const frameRate = outputFrameRate(probe.frameRate);

    let run = 0;
    const once = (side: Side) => {
      const out = path.join(dir, `${side}-${++run}`);
      const args =
        side === "mp4"
          ? mp4OnlyArgs(source, out)
          : side === "mp4-gop"
            ? mp4OnlyArgs(source, out, frameRate)
            : fmp4Args(source, out, frameRate);
      return runFfmpegMeasured(args, out);
    };

    progress("warm-up: one of each");
    for (const side of SIDES) await once(side);

    const samples: Record<Side, { cpuMs: number; wallMs: number; bytes: number }[]> = { mp4: [], "mp4-gop": [], fmp4: [] };
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order every round so a drift in the machine's load does not favour one side.
      const order = SIDES.map((_, i) => SIDES[(i + round) % SIDES.length] as Side);
      for (const side of order) samples[side].push(await once(side));
      const [base, fmp4] = [samples.mp4.at(-1)?.cpuMs ?? NaN, samples.fmp4.at(-1)?.cpuMs ?? NaN];
      ratios.push(fmp4 / base);
      progress(
        `round ${round + 1}/${ROUNDS} (${order.join(", ")}): mp4 ${ms(base)} ms CPU, fmp4 ${ms(fmp4)} ms CPU, ratio ${(fmp4 / base).toFixed(3)}`,
      );
    }

    const total = (side: Side) => samples[side].reduce((sum, sample) => sum + sample.cpuMs, 0);
    const median = (side: Side, key: "cpuMs" | "wallMs" | "bytes") => summarize(samples[side].map((sample) => sample[key])).p50;
    const medianRatio = summarize(ratios).p50;
    // Other load only ever adds CPU time (contention for caches and cores), so each side's fastest
    // run is its least disturbed one: a second estimate next to the median.
    const fastest = (side: Side) => Math.min(...samples[side].map((sample) => sample.cpuMs));
    const fastestRatio = fastest("fmp4") / fastest("mp4");
    const totalRatio = total("fmp4") / total("mp4");
    const gopRatio = total("mp4-gop") / total("mp4");
    const muxRatio = total("fmp4") / total("mp4-gop");
    const rows = samples.mp4.map((_, i) => [
      String(i + 1),
      ...SIDES.map((side) => ms(samples[side][i]?.cpuMs ?? NaN)),
      (ratios[i] ?? NaN).toFixed(3),
    ]);
    rows.push(["median", ...SIDES.map((side) => ms(median(side, "cpuMs"))), medianRatio.toFixed(3)]);
    rows.push(["fastest", ...SIDES.map((side) => ms(fastest(side))), fastestRatio.toFixed(3)]);
    const sizes = SIDES.map((side) => [
      side,
      ms(median(side, "wallMs")),
      `${(median(side, "bytes") / 1024).toFixed(0)} KiB`,
      `${((median(side, "bytes") * 8) / source.durationSeconds / 1000).toFixed(0)} kb/s`,
    ]);
    const met = Math.max(medianRatio, totalRatio) <= TARGET_RATIO;

    process.stdout.write(`## Encode CPU: one fMP4 for download + HLS against the MP4-only encode

Command: \`${benchCommand("encode-cpu.ts")}\`

${machineFacts({ ffmpeg: binaries.describe, source: `${source.width}×${source.height}, ${source.durationSeconds.toFixed(1)} s, testsrc2 at ${frameRate.expr} fps, H.264 + AAC`, quality: QUALITY })}

Setup: ${ROUNDS} rounds after one warm-up of each side, the order rotating every round, one ffmpeg at a
time; CPU is the ffmpeg child's user + system time (cutime + cstime of this process, 10 ms ticks).
**mp4** is the MP4-only command planTranscode built before (x264's default GOP, +faststart), kept in
the bench verbatim; **mp4-gop** is that command plus only the fixed 2 s GOP at a constant rate (the
\`fps\` filter, \`-force_key_frames\`, \`-g\`/\`-keyint_min\`, \`-sc_threshold 0\`); **fmp4** is
planTranscode today: the same GOP, written by the HLS muxer as one single-file fMP4 plus its playlist.

${table(["round", "mp4 CPU ms", "mp4-gop CPU ms", "fmp4 CPU ms", "fmp4 / mp4"], rows)}

${table(["side", "median wall ms", "median size", "bitrate"], sizes)}

**CPU ratio fmp4 / mp4: median of rounds ${medianRatio.toFixed(3)}, of totals ${totalRatio.toFixed(3)},
of each side's fastest run ${fastestRatio.toFixed(3)}** (target ≤ ${TARGET_RATIO}, median and totals: ${met ? "met" : "NOT met"}). Split by cause (totals): the fixed GOP ${gopRatio.toFixed(3)}×,
the HLS/fMP4 muxer on top of it ${muxRatio.toFixed(3)}×.
`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
