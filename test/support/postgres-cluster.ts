import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { userInfo, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIN = process.env.POSTGRES_BIN_DIR ?? "/usr/lib/postgresql/15/bin";
/** initdb and the server refuse to run as root: as root, they run as this user. */
const SERVER_USER = "postgres";

/** initdb and pg_ctl are installed (and, as root, there is a user to run them as). */
export function privatePostgresAvailable(): boolean {
  return existsSync(path.join(BIN, "initdb")) && existsSync(path.join(BIN, "pg_ctl")) && existsSync("/usr/sbin/runuser");
}

export interface PrivatePostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  url: string;
  port: number;
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`: every client connection is closed, as when the server is shut down. */
  stop(): Promise<void>;
  /** Stops the server if it runs and removes the cluster. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL cluster of its own in a temporary directory, listening on 127.0.0.1:`port` only,
 * that a test may stop and start without disturbing anyone else. fsync is off: nothing here needs
 * to survive a power cut, and initdb plus a start take about two seconds.
 */
export async function createPrivatePostgres(port: number): Promise<PrivatePostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), "reelbase-pg-"));
  const asRoot = userInfo().uid === 0;
  const exec = async (tool: string, args: string[]) => {
    const command = path.join(BIN, tool);
    const timeout = 30_000;
    if (asRoot) await run("runuser", ["-u", SERVER_USER, "--", command, ...args], { timeout });
    else await run(command, args, { timeout });
  };
  if (asRoot) {
    const { stdout } = await run("id", ["-u", SERVER_USER]);
    const { stdout: gid } = await run("id", ["-g", SERVER_USER]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, "data");
  await exec("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-N", "-E", "UTF8", "--locale=C"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  let running = false;
  const cluster: PrivatePostgres = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: async () => {
      await exec("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "server.log"), "-w", "-t", "20", "start"]);
      running = true;
    },
    stop: async () => {
      await exec("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "20", "stop"]);
      running = false;
    },
    destroy: async () => {
      if (running) await cluster.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}
