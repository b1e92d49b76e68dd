import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../server/src/config/config.js";
import { runHousekeepingTask } from "../../server/src/housekeeping/run-task.js";
import { TimerHousekeeping } from "../../server/src/housekeeping/timer-housekeeping.js";
import { OrphanedWorkDirsTask } from "../../server/src/modules/jobs/infra/processors/work-dirs.task.js";
import type { HousekeepingReport, HousekeepingTask } from "../../server/src/shared/application/housekeeping.js";
import type { Logger } from "../../server/src/shared/application/logger.js";

function recordingLogger() {
  const lines: { level: string; message: string; meta?: Record<string, unknown> | undefined }[] = [];
  const at =
    (level: string) =>
    (message: string, meta?: Record<string, unknown>): void =>
      void lines.push({ level, message, meta });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

function countingTask(name: string, report: () => HousekeepingReport | Promise<HousekeepingReport> = () => ({ removed: 0 })) {
  const task = { name, runs: 0, run: async () => (task.runs++, report()) };
  return task satisfies HousekeepingTask;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("housekeeping runs", () => {
  it("log one line when they did something, nothing when they did not, and a warning when they fail", async () => {
    const { logger, lines } = recordingLogger();
    await runHousekeepingTask(countingTask("idle"), logger);
    expect(lines).toEqual([]);
    await runHousekeepingTask(
      countingTask("busy", () => ({ removed: 3, failed: 0 })),
      logger,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "info",
      message: "housekeeping busy: removed 3, failed 0",
      meta: { task: "busy", removed: 3 },
    });
    const broken = countingTask("broken", () => Promise.reject(new Error("database down")));
    await expect(runHousekeepingTask(broken, logger)).rejects.toThrow("database down");
    expect(lines[1]).toMatchObject({ level: "warn", message: "housekeeping broken failed" });
  });
});

describe("the housekeeping timer", () => {
  let timer: TimerHousekeeping | undefined;
  afterEach(async () => {
    await timer?.close();
  });

  it("runs every task each interval, goes on past a failing one, and stops on close", async () => {
    const { logger } = recordingLogger();
    const first = countingTask("first", () => Promise.reject(new Error("boom")));
    const second = countingTask("second");
    timer = new TimerHousekeeping([first, second], { intervalMs: 50, logger });
    timer.start();
    await vi.waitFor(() => expect(second.runs).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 10 });
    expect(first.runs).toBeGreaterThanOrEqual(second.runs);
    await timer.close();
    const after = second.runs;
    await sleep(200);
    expect(second.runs).toBe(after);
  });

  it("never starts a round while the last one still runs, and close waits for it", async () => {
    const { logger } = recordingLogger();
    let release = () => {};
    let finished = false;
    const slow = countingTask("slow", async () => {
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
      return { removed: 1 };
    });
    timer = new TimerHousekeeping([slow], { intervalMs: 20, logger });
    timer.start();
    await vi.waitFor(() => expect(slow.runs).toBe(1), { timeout: 5000, interval: 5 });
    await sleep(150);
    expect(slow.runs).toBe(1);
    const closing = timer.close();
    release();
    await closing;
    expect(finished).toBe(true);
  });

  it("does not keep the process alive", () => {
    timer = new TimerHousekeeping([countingTask("any")], { intervalMs: 60_000, logger: recordingLogger().logger });
    const spy = vi.spyOn(globalThis, "setInterval");
    timer.start();
    const handle = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    spy.mockRestore();
  });
});

describe("the scratch-folder task", () => {
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
  });

  it("removes the folders of processes that are gone and keeps those of live ones, on every process's own timer", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "reelbase-housekeeping-workdirs-"));
    roots.push(root);
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const dead = path.join(root, `reelbase-job-${randomUUID()}-${Number(child.stdout)}-abc123`);
    const live = path.join(root, `reelbase-job-${randomUUID()}-${process.pid}-def456`);
    await mkdir(path.join(dead, "partial"), { recursive: true });
    await mkdir(live);

    const task = new OrphanedWorkDirsTask(root);
    expect(task.perProcess).toBe(true);
    expect(await task.run()).toEqual({ removed: 1 });
    expect(await readdir(root)).toEqual([path.basename(live)]);
    expect(await task.run()).toEqual({ removed: 0 });
  });
});

describe("housekeeping configuration", () => {
  it("runs every 15 minutes by default, remembers idempotency keys for 24 h, and can be turned off", () => {
    expect(loadConfig({}).housekeeping).toEqual({
      enabled: true,
      intervalMs: 900_000,
      abandonedUploadMarginSeconds: 3600,
      idempotencyRetentionHours: 24,
    });
    expect(loadConfig({ HOUSEKEEPING: "off" }).housekeeping.enabled).toBe(false);
    expect(
      loadConfig({ HOUSEKEEPING_INTERVAL_MS: "60000", ABANDONED_UPLOAD_MARGIN_SECONDS: "0", IDEMPOTENCY_RETENTION_HOURS: "48" })
        .housekeeping,
    ).toMatchObject({ intervalMs: 60_000, abandonedUploadMarginSeconds: 0, idempotencyRetentionHours: 48 });
  });

  it("names every bad value", () => {
    expect(() => loadConfig({ HOUSEKEEPING: "maybe", HOUSEKEEPING_INTERVAL_MS: "5", IDEMPOTENCY_RETENTION_HOURS: "0" })).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.stringContaining("HOUSEKEEPING:"),
          expect.stringContaining("HOUSEKEEPING_INTERVAL_MS:"),
          expect.stringContaining("IDEMPOTENCY_RETENTION_HOURS:"),
        ]),
      }),
    );
  });
});
