/**
 * Wall time of LocalGenerationProvider rendering a one-minute script at 1280×720, as a share of
 * the video's length and against the same espeak-ng + ffmpeg work run directly by a shell script
 * this bench writes: the same speech child script on the same segments, two at a time, then the
 * provider's exact ffmpeg command on the same prepared files. Prints a markdown section.
 *
 *   npx tsx bench/local-generation.ts [--rounds N]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { captionLayout, wrapText } from "../server/src/generation/local/caption-layout.js";
import { planTimeline } from "../server/src/generation/local/caption-timing.js";
import { LocalGenerationProvider } from "../server/src/generation/local/local-generation.provider.js";
import { RENDER_FPS, filterGraph, renderArgs, type CaptionLine } from "../server/src/generation/local/render-args.js";
import { splitScript } from "../server/src/generation/local/sentences.js";
import { locateSynthScript, synthesizeSpeech } from "../server/src/generation/local/speech-synthesis.js";
import { readWav, writeTimelineWav } from "../server/src/generation/local/wav.js";
import { resolveMediaBinaries } from "../server/src/media/media-binaries.js";
import { benchCommand, codeBlock, machineFacts, progress, table } from "./lib/markdown.js";
import { ms, summarize } from "./lib/stats.js";

const TARGET_OF_DURATION = 0.25;
const TARGET_OF_DIRECT = 1.15;
const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = flag("--rounds", 5);
const [WIDTH, HEIGHT] = [1280, 720];
const VOICE = "en-us";
const CONCURRENCY = 2;

/** About 160 words: a minute of espeak-ng's default 175 words a minute with the pauses. */
const SCRIPT = [
  "Welcome to Reelbase, the video platform that turns a few lines of text into a finished clip.",
  "In this short demonstration, we will walk through what happens when you send a script to the generator.",
  "First, the script is split into sentences, and a sentence that is too long for the screen is split again at its commas.",
  "Then every piece is spoken by a speech synthesiser that runs entirely on this machine, without any network.",
  "The spoken pieces are laid end to end, with a short pause after each sentence, into one audio track.",
  "Finally, a caption is drawn for each piece, and it stays on screen exactly while that piece is heard.",
  "The result is an ordinary video file, with H.264 video and AAC audio, that plays in any browser.",
  "Does it sound natural? Not quite, but it is fast, private, and free of licence fees.",
  "Thank you for watching, and enjoy building with Reelbase!",
].join(" ");

const binaries = resolveMediaBinaries({ ffprobePath: process.env.FFPROBE_PATH, ffmpegPath: process.env.FFMPEG_PATH });
const provider = new LocalGenerationProvider({ ffmpegPath: binaries.ffmpegPath, synthesisConcurrency: CONCURRENCY });

/** CPU of this process plus its reaped children (and theirs), in ms: steadier than wall time on a shared machine. */
function cpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const children = (Number(fields[13]) + Number(fields[14])) * 10;
  const self = process.cpuUsage();
  return children + (self.user + self.system) / 1000;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** The script as printed: no machine-specific paths. */
function shown(script: string, dir: string): string {
  const repo = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
  return script.replaceAll(dir, "$TMP").replaceAll(shellQuote(process.execPath), "node").replaceAll(`${repo}/`, "./");
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/**
 * Lays out, once and untimed, the files the provider makes on the way (segment texts, the speech
 * track, caption files, the filter graph) and writes the shell script that redoes the expensive
 * part: speaking every segment with the child script, then the ffmpeg command.
 */
async function prepareDirect(dir: string) {
  const layout = captionLayout(WIDTH, HEIGHT);
  const segments = splitScript(SCRIPT, layout);
  const prep = path.join(dir, "prep");
  await mkdir(prep);
  const wavs = segments.map((_, index) => path.join(prep, `segment-${index}.wav`));
  const synthScript = locateSynthScript();
  await synthesizeSpeech(
    segments.map((segment, index) => ({ text: segment.text, outputFile: wavs[index] ?? "" })),
    { voice: VOICE, concurrency: CONCURRENCY, signal: new AbortController().signal, timeoutMs: 120_000, scriptPath: synthScript },
  );
  const audios = await Promise.all(wavs.map((file) => readWav(file)));
  const timeline = planTimeline(
    audios.map((audio, index) => ({ samples: audio.samples, endsSentence: segments[index]?.endsSentence ?? true })),
    audios[0]?.sampleRate ?? 22_050,
  );
  const audioFile = path.join(prep, "speech.wav");
  await writeTimelineWav(audioFile, audios, timeline);
  const captions: CaptionLine[] = [];
  for (const [index, segment] of segments.entries()) {
    const caption = timeline.captions[index];
    if (!caption) continue;
    const lines = wrapText(segment.text, layout.maxLineChars);
    for (const [line, text] of lines.entries()) {
      const textFile = path.join(prep, `caption-${index}-${line}.txt`);
      await writeFile(textFile, text);
      captions.push({ textFile, startSeconds: caption.startSeconds, endSeconds: caption.endSeconds, line, lines: lines.length });
    }
  }
  const fontFile = createRequire(import.meta.url).resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf");
  const plan = { width: WIDTH, height: HEIGHT, fps: RENDER_FPS, totalSeconds: timeline.totalSeconds, layout, fontFile, captions };
  const filterScriptFile = path.join(prep, "captions.filtergraph");
  await writeFile(filterScriptFile, filterGraph(plan));

  // The same segments, split between two speech processes as the provider's pool of two would.
  const direct = path.join(dir, "direct");
  await mkdir(direct);
  const jobFiles = [0, 1].map((worker) => path.join(direct, `jobs-${worker}.jsonl`));
  for (const [worker, file] of jobFiles.entries()) {
    const lines = segments
      .map((segment, id) => ({ id, text: segment.text, voice: VOICE, out: path.join(direct, `segment-${id}.wav`) }))
      .filter((job) => job.id % 2 === worker)
      .map((job) => JSON.stringify(job));
    await writeFile(file, `${lines.join("\n")}\n`);
  }
  const output = path.join(direct, "out.mp4");
  const ffmpegArgs = renderArgs({ ...plan, audioFile: `file:${audioFile}`, filterScriptFile, outputFile: `file:${output}` });
  const node = shellQuote(process.execPath);
  const script = [
    "#!/bin/sh",
    "set -e",
    `${node} ${shellQuote(synthScript)} < ${shellQuote(jobFiles[0] ?? "")} > /dev/null &`,
    "first=$!",
    `${node} ${shellQuote(synthScript)} < ${shellQuote(jobFiles[1] ?? "")} > /dev/null &`,
    "second=$!",
    'wait "$first"',
    'wait "$second"',
    `${shellQuote(binaries.ffmpegPath)} ${ffmpegArgs.map(shellQuote).join(" ")} > /dev/null`,
    "",
  ].join("\n");
  const scriptFile = path.join(dir, "direct.sh");
  await writeFile(scriptFile, script, { mode: 0o755 });
  return { scriptFile, script, segments, timeline, words: SCRIPT.split(/\s+/).length };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "reelbase-bench-local-generation-"));
  try {
    progress("preparing the direct run's files and script");
    const direct = await prepareDirect(dir);
    const seconds = direct.timeline.totalSeconds;
    let runs = 0;
    const viaProvider = async () => {
      const folder = path.join(dir, `provider-${++runs}`);
      await mkdir(folder);
      await provider.generate(
        { idempotencyKey: `bench-${runs}`, script: SCRIPT, voice: VOICE, width: WIDTH, height: HEIGHT },
        { outputPath: path.join(folder, "out.mp4"), signal: new AbortController().signal, onProgress: () => {} },
      );
      await rm(folder, { recursive: true, force: true });
    };
    const viaShell = () => run("sh", [direct.scriptFile]);
    const cpu = { provider: [] as number[], direct: [] as number[] };
    const timed = async (side: keyof typeof cpu, work: () => Promise<unknown>) => {
      const [start, startCpu] = [performance.now(), cpuMs()];
      await work();
      cpu[side].push(cpuMs() - startCpu);
      return performance.now() - start;
    };

    progress(`warm-up: one of each (${direct.segments.length} segments, ${seconds.toFixed(1)} s of video)`);
    await viaShell();
    await viaProvider();

    const rows: string[][] = [];
    const wall = { provider: [] as number[], direct: [] as number[], ofDirect: [] as number[], ofDuration: [] as number[] };
    const cpuRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so a drift in machine load does not favour one side.
      let p: number;
      let d: number;
      if (round % 2 === 0) {
        p = await timed("provider", viaProvider);
        d = await timed("direct", viaShell);
      } else {
        d = await timed("direct", viaShell);
        p = await timed("provider", viaProvider);
      }
      const [pc, dc] = [cpu.provider.at(-1) ?? NaN, cpu.direct.at(-1) ?? NaN];
      wall.provider.push(p);
      wall.direct.push(d);
      wall.ofDirect.push(p / d);
      wall.ofDuration.push(p / 1000 / seconds);
      cpuRatios.push(pc / dc);
      rows.push([
        String(round + 1),
        ms(d),
        ms(p),
        (p / 1000 / seconds).toFixed(3),
        (p / d).toFixed(3),
        ms(dc),
        ms(pc),
        (pc / dc).toFixed(3),
      ]);
      progress(`round ${round + 1}/${ROUNDS}: direct ${ms(d)} ms, provider ${ms(p)} ms, ratio ${(p / d).toFixed(3)}`);
    }
    const median = (values: number[]) => summarize(values).p50;
    const [ofDuration, ofDirect, cpuRatio] = [median(wall.ofDuration), median(wall.ofDirect), median(cpuRatios)];
    rows.push([
      "median (each column)",
      ms(median(wall.direct)),
      ms(median(wall.provider)),
      `**${ofDuration.toFixed(3)}**`,
      `**${ofDirect.toFixed(3)}**`,
      ms(median(cpu.direct)),
      ms(median(cpu.provider)),
      `**${cpuRatio.toFixed(3)}**`,
    ]);
    const verdict = (value: number, target: number) => (value <= target ? "met" : "NOT met");
    process.stdout.write(`## Local generation: a one-minute script at 1280×720

Command: \`${benchCommand("local-generation.ts")}\`

${machineFacts({
  ffmpeg: binaries.describe,
  script: `${direct.words} words, ${direct.segments.length} segments (captions), voice ${VOICE}`,
  video: `${WIDTH}×${HEIGHT}, ${RENDER_FPS} fps, ${seconds.toFixed(1)} s`,
})}

Setup: ${ROUNDS} rounds after one warm-up each, the order alternating every round. **provider** is
\`LocalGenerationProvider.generate\` (split, espeak-ng in ${CONCURRENCY} child processes, the speech track, caption
files, ffmpeg with progress parsing, rename). **direct** is the shell script below: the same speech child
script on the same segments (two processes, alternate segments), then the provider's exact ffmpeg command
on files prepared once beforehand. "of video" is provider wall time divided by the video's length.

${table(["round", "direct ms", "provider ms", "of video", "of direct", "direct CPU ms", "provider CPU ms", "CPU ratio"], rows)}

**Median provider time ${ofDuration.toFixed(3)} of the video's length** (target ≤ ${TARGET_OF_DURATION}: ${verdict(ofDuration, TARGET_OF_DURATION)});
**median ${ofDirect.toFixed(3)}× the direct run** (target ≤ ${TARGET_OF_DIRECT}: ${verdict(ofDirect, TARGET_OF_DIRECT)}); median
CPU-time ratio ${cpuRatio.toFixed(3)} (this process and its reaped children: the speech processes and ffmpeg).

The direct script (the temporary folder shown as \`$TMP\`, the repository as \`.\`, Node as \`node\`):

${codeBlock(shown(direct.script, dir), "sh")}
`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
