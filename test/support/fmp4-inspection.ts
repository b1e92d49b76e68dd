import { execFile } from "node:child_process";
import { open } from "node:fs/promises";
import { resolveMediaBinaries } from "../../server/src/media/media-binaries.js";

/** Checks on fragmented-MP4 renditions, independent of the code under test (ffprobe and raw bytes). */

const { ffprobePath } = resolveMediaBinaries({ ffprobePath: process.env.FFPROBE_PATH, ffmpegPath: undefined });

function ffprobe(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ffprobePath, ["-v", "error", ...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

/** Presentation times (s) of the video packets flagged as keyframes, in order. */
export async function keyframeTimes(file: string): Promise<number[]> {
  const csv = await ffprobe(["-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", file]);
  return csv
    .split("\n")
    .map((line) => line.split(","))
    .filter(([, flags]) => flags?.startsWith("K"))
    .map(([pts]) => Number(pts))
    .sort((a, b) => a - b);
}

/** Frames a full decode of the video stream yields (ffprobe -count_frames decodes every one). */
export async function decodedFrames(file: string): Promise<number> {
  const out = await ffprobe([
    "-count_frames",
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=nb_read_frames",
    "-of",
    "csv=p=0",
    file,
  ]);
  return Number(out.trim());
}

/** The stated frame rate of the video stream, e.g. "25/1". */
export async function videoFrameRate(file: string): Promise<string> {
  return (await ffprobe(["-select_streams", "v:0", "-show_entries", "stream=avg_frame_rate", "-of", "csv=p=0", file])).trim();
}

export async function readRange(file: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The type of the box whose header starts at this offset ("moof", "sidx", …). */
export async function boxTypeAt(file: string, offset: number): Promise<string> {
  return (await readRange(file, offset, 8)).toString("latin1", 4, 8);
}

/** profile_idc, constraint flags and level_idc from the avcC record in the init section, as hex. */
export function avcConfiguration(init: Buffer): string {
  const at = init.indexOf("avcC", 0, "latin1");
  if (at < 0) throw new Error("no avcC box in the init section");
  return init.subarray(at + 5, at + 8).toString("hex");
}
