import { describe, expect, it } from "vitest";
import { DEFAULT_FRAME_RATE, keyframeArgs, outputFrameRate, parseRate } from "../../server/src/media/frame-rate.js";

describe("parseRate", () => {
  it.each([
    ["25/1", 25],
    ["30000/1001", 30000 / 1001],
    ["24", 24],
  ])("reads %s", (text, value) => {
    expect(parseRate(text)).toBe(value);
  });

  it.each(["0/0", "1/0", "", "abc", "-25/1", "25/1/2"])("treats %j as unstated", (text) => {
    expect(parseRate(text)).toBeUndefined();
  });
});

describe("outputFrameRate", () => {
  it.each([
    [25, "25", 25],
    [30000 / 1001, "30000/1001", 30000 / 1001],
    [24000 / 1001, "24000/1001", 24000 / 1001],
    [60, "60", 60],
    [30.2, "30", 30], // a phone's variable-rate average is the standard rate it aims at
    [29.9, "30000/1001", 30000 / 1001],
    [10, "10", 10],
    [12.5, "12500/1000", 12.5],
  ])("keeps %d as %s", (source, expr, value) => {
    expect(outputFrameRate(source)).toEqual({ expr, value });
  });

  it.each([
    [120, "60"],
    [100, "50"],
    [120000 / 1001, "60000/1001"],
    [240, "60"],
    [90, "45"],
  ])("divides %d down to %s, keeping every k-th frame", (source, expr) => {
    expect(outputFrameRate(source).expr).toBe(expr);
  });

  it.each([null, undefined, 0, 0.5, 90000, Number.NaN, Number.POSITIVE_INFINITY])("defaults to 30 for %s", (source) => {
    expect(outputFrameRate(source)).toEqual(DEFAULT_FRAME_RATE);
  });
});

describe("keyframeArgs", () => {
  it("forces a keyframe on every 2 s mark and caps the GOP at one segment", () => {
    expect(keyframeArgs(outputFrameRate(25))).toEqual([
      ...["-force_key_frames", "expr:gte(t,n_forced*2)", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0"],
    ]);
    expect(keyframeArgs(outputFrameRate(30000 / 1001))).toContain("60");
  });
});
