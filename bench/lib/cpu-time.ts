import { readFile } from "node:fs/promises";

/** Linux's USER_HZ: /proc times are in 1/100 s on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process (all its threads) has used, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): Promise<number> {
  return cpuSecondsIn(`/proc/${pid}/stat`);
}

/** The same for one thread; a process's main thread (in Node, the event loop) has tid = pid. */
export function threadCpuSeconds(pid: number, tid = pid): Promise<number> {
  return cpuSecondsIn(`/proc/${pid}/task/${tid}/stat`);
}

async function cpuSecondsIn(statPath: string): Promise<number> {
  const stat = await readFile(statPath, "utf8");
  // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Busy and total CPU seconds of the whole machine (all cores), from the first line of /proc/stat. */
export async function machineCpuSeconds(): Promise<{ busy: number; total: number }> {
  const line = (await readFile("/proc/stat", "utf8")).split("\n")[0] ?? "";
  const [, ...values] = line.trim().split(/\s+/);
  const ticks = values.map(Number);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0); // user … steal; guest is inside user
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}
