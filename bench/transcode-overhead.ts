/**
 * Wall time of one transcode through the ffmpeg adapter against the very same ffmpeg command run
 * directly on the same file: what the adapter adds (progress parsing, stderr draining, measuring
 * the output with ffprobe, sha256 of both files, renames). Prints a markdown section.
 *
 *   npx tsx bench/transcode-overhead.ts [--rounds N] [--seconds S]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { planTranscode } from "../server/src/media/ffmpeg-args.js";
import { FfmpegTranscoder } from "../server/src/media/ffmpeg.transcoder.js";
import { outputFrameRate } from "../server/src/media/frame-rate.js";
import { FfprobeProber } from "../server/src/media/ffprobe.prober.js";
import { resolveMediaBinaries } from "../server/src/media/media-binaries.js";
import type { TranscodeRequest } from "../server/src/shared/application/media-transcoder.js";
import { runFfmpeg } from "../test/support/media-fixtures.js";
import { benchCommand, codeBlock, machineFacts, progress, table } from "./lib/markdown.js";
import { ms, ratio, summarize } from "./lib/stats.js";

const TARGET_RATIO = 1.1;
const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = flag("--rounds", 5);
const SECONDS = flag("--seconds", 10);

const binaries = resolveMediaBinaries({ ffprobePath: process.env.FFPROBE_PATH, ffmpegPath: process.env.FFMPEG_PATH });
const prober = new FfprobeProber({ ffprobePath: binaries.ffprobePath });
const transcoder = new FfmpegTranscoder({ ffmpegPath: binaries.ffmpegPath, prober });

/** The baseline: ffmpeg alone, output discarded by the OS, nothing read by us. */
function runDirect(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binaries.ffmpegPath, args, { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`))));
  });
}

/**
 * CPU used so far by this process and by its reaped children (ffmpeg, ffprobe), in ms. On a shared
 * machine wall time swings with other people's load; CPU time barely does, so it shows the
 * adapter's own cost. Linux: cutime and cstime of /proc/self/stat, in clock ticks of 10 ms.
 */
function cpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  const children = (Number(fields[13]) + Number(fields[14])) * 10;
  const self = process.cpuUsage();
  return children + (self.user + self.system) / 1000;
}

/** So the printed command can be pasted into a shell: the filter graph holds ; [ ] and quotes. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "reelbase-bench-transcode-"));
  try {
    const input = path.join(dir, "source.mp4");
    progress(`generating a ${SECONDS} s 1280×720 25 fps source with audio`);
    await runFfmpeg(
      [
        ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440"],
        ...["-t", String(SECONDS), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p"],
        ...["-c:a", "aac", "-movflags", "+faststart", "-y", input],
      ],
      120_000,
    );
    const probe = await prober.probe(input);
    if (!probe) throw new Error("the generated source did not probe as a video");
    const source = { width: probe.width, height: probe.height, durationSeconds: probe.durationSeconds };

    let run = 0;
    const request = (): TranscodeRequest => ({ input, quality: "P720", source, workDir: path.join(dir, `adapter-${++run}`) });
    const directArgs = () => {
      const out = path.join(dir, `direct-${++run}`);
      const outputs = { video: `${out}.mp4`, thumbnail: `${out}.jpg`, playlist: `${out}.m3u8` };
      return planTranscode({ input, quality: "P720", source, frameRate: outputFrameRate(probe.frameRate), outputs }).args;
    };
    const cpu: Record<"direct" | "adapter", number[]> = { direct: [], adapter: [] };
    const timed = async (side: "direct" | "adapter", work: () => Promise<unknown>) => {
      const [start, startCpu] = [performance.now(), cpuMs()];
      await work();
      cpu[side].push(cpuMs() - startCpu);
      return performance.now() - start;
    };

    progress("warm-up: one of each");
    await runDirect(directArgs());
    await transcoder.transcode(request());
    const cpuRatios: number[] = [];

    const direct: number[] = [];
    const adapter: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so a drift in machine load does not favour one side.
      const runAdapter = () => timed("adapter", () => transcoder.transcode(request()));
      const runBaseline = () => timed("direct", () => runDirect(directArgs()));
      let a: number;
      let d: number;
      if (round % 2 === 0) {
        a = await runAdapter();
        d = await runBaseline();
      } else {
        d = await runBaseline();
        a = await runAdapter();
      }
      direct.push(d);
      adapter.push(a);
      ratios.push(a / d);
      cpuRatios.push((cpu.adapter.at(-1) ?? NaN) / (cpu.direct.at(-1) ?? NaN));
      progress(`round ${round + 1}/${ROUNDS}: direct ${ms(d)} ms, adapter ${ms(a)} ms, ratio ${ratio(a, d)}`);
    }

    const [d, a, r] = [summarize(direct), summarize(adapter), summarize(ratios)];
    const [cd, ca, cr] = [summarize(cpu.direct), summarize(cpu.adapter), summarize(cpuRatios)];
    const rows = direct.map((value, i) => [
      String(i + 1),
      ms(value),
      ms(adapter[i] ?? NaN),
      (ratios[i] ?? NaN).toFixed(3),
      ms(cpu.direct[i] ?? NaN),
      ms(cpu.adapter[i] ?? NaN),
      (cpuRatios[i] ?? NaN).toFixed(3),
    ]);
    rows.push(["median (each column)", ms(d.p50), ms(a.p50), r.p50.toFixed(3), ms(cd.p50), ms(ca.p50), cr.p50.toFixed(3)]);
    const command = ["ffmpeg", ...directArgs().map(shellQuote)].join(" ").replaceAll(dir, "$TMP");
    process.stdout.write(`## Transcode: the adapter against ffmpeg run directly

Command: \`${benchCommand("transcode-overhead.ts")}\`

${machineFacts({ ffmpeg: binaries.describe, source: `${source.width}×${source.height}, ${source.durationSeconds.toFixed(1)} s, 25 fps, H.264 + AAC` })}

Setup: one P720 transcode of the generated source per side per round, ${ROUNDS} rounds after one warm-up
each, the order alternating every round. **direct** spawns the adapter's exact ffmpeg command (from
\`planTranscode\`) with its output ignored; **adapter** is \`FfmpegTranscoder.transcode\`: the same
command plus progress parsing, stderr draining, ffprobe of the rendition, sha256 of both files, renames.

${table(["round", "direct ms", "adapter ms", "wall ratio", "direct CPU ms", "adapter CPU ms", "CPU ratio"], rows)}

**Median wall-time ratio ${r.p50.toFixed(3)}** (target ≤ ${TARGET_RATIO}: ${r.p50 <= TARGET_RATIO ? "met" : "NOT met"});
median CPU-time ratio ${cr.p50.toFixed(3)}. CPU time counts ffmpeg and ffprobe (reaped children) and this
process (progress parsing, hashing); it moves far less with other load on the machine than wall time does.

The command both sides run:

${codeBlock(command, "sh")}
`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
