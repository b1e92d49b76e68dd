/**
 * Loaded into a server under test with `--import`: the first SIGUSR2 starts V8's CPU profiler on
 * the main thread, the second writes the profile to $CPU_PROFILE_FILE. `--cpu-prof` would profile
 * start-up (tsx compiling every module) along with the load, and tsx's loader thread writes a
 * profile of its own under the same name.
 */
import { rename, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";

const file = process.env.CPU_PROFILE_FILE;
if (!file) throw new Error("CPU_PROFILE_FILE must name where the profile goes");
const session = new Session();
session.connect();
let profiling = false;

process.on("SIGUSR2", () => {
  const toggle = async () => {
    if (!profiling) {
      profiling = true;
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: 200 });
      await session.post("Profiler.start");
      return;
    }
    profiling = false;
    const { profile } = await session.post("Profiler.stop");
    // Renamed into place so a reader polling for the file never sees half of it.
    await writeFile(`${file}.partial`, JSON.stringify(profile));
    await rename(`${file}.partial`, file);
  };
  toggle().catch((error: unknown) => process.stderr.write(`cpu-profile-probe: ${String(error)}\n`));
});
