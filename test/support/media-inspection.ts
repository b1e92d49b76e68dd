import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { resolveMediaBinaries } from "../../server/src/media/media-binaries.js";

/** Checks on produced media, independent of the code under test. */

const { ffprobePath } = resolveMediaBinaries({ ffprobePath: process.env.FFPROBE_PATH, ffmpegPath: undefined });

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  profile?: string;
}

/** ffprobe's own view of a file's streams and container. */
export function ffprobeJson(
  file: string,
): Promise<{ streams: ProbedStream[]; format: { format_name: string; duration?: string } }> {
  return new Promise((resolve, reject) => {
    const args = ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", file];
    execFile(ffprobePath, args, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))));
  });
}

/** The types of an MP4's top-level boxes, in file order (for "moov before mdat", i.e. faststart). */
export async function topLevelBoxes(file: string): Promise<string[]> {
  const bytes = await readFile(file);
  const types: string[] = [];
  for (let offset = 0; offset + 8 <= bytes.length;) {
    const size32 = bytes.readUInt32BE(offset);
    types.push(bytes.toString("latin1", offset + 4, offset + 8));
    const size = size32 === 1 ? Number(bytes.readBigUInt64BE(offset + 8)) : size32 === 0 ? bytes.length - offset : size32;
    if (size < 8) throw new Error(`bad box size ${size} at ${offset}`);
    offset += size;
  }
  return types;
}

/** Pids of the ffmpeg processes this process started and that still exist (Linux /proc). */
export async function childFfmpegPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(path.join("/proc", entry, "stat"), "utf8").catch(() => "");
    // "pid (comm) state ppid …": comm may hold spaces, so split after the last ')'.
    const match = /^\d+ \((.*)\) \S+ (\d+)/s.exec(stat);
    if (match?.[1] === "ffmpeg" && Number(match[2]) === process.pid) pids.push(Number(entry));
  }
  return pids;
}

export function isProcessGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export interface FileServer {
  base: string;
  close(): Promise<void>;
}

/** Serves files by URL path with single-range support, as S3 and the local /files route do. */
export async function serveFiles(
  files: ReadonlyMap<string, string>,
  onRequest?: (request: { path: string; range: string | undefined }) => void,
): Promise<FileServer> {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    onRequest?.({ path: pathname, range: req.headers.range });
    const file = files.get(pathname);
    if (!file) return void res.writeHead(404).end();
    void stat(file).then(({ size }) => {
      const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
      const start = match ? Number(match[1]) : 0;
      const end = match?.[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
      if (start >= size) return void res.writeHead(416, { "Content-Range": `bytes */${size}` }).end();
      const headers = { "Accept-Ranges": "bytes", "Content-Type": "video/mp4", "Content-Length": String(end - start + 1) };
      res.writeHead(match ? 206 : 200, match ? { ...headers, "Content-Range": `bytes ${start}-${end}/${size}` } : headers);
      if (req.method === "HEAD") return void res.end();
      createReadStream(file, { start, end }).pipe(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
