import { describe, expect, it } from "vitest";
import { fitInside, isAllowedFor, isQuality, QUALITIES, QUALITY_SPECS } from "../../server/src/shared/domain/quality.js";

describe("Quality", () => {
  it("has the three levels of docs/product-contract.md §1.5, lowest first", () => {
    expect(QUALITIES).toEqual(["P360", "P720", "P1080"]);
    expect(QUALITY_SPECS).toEqual({
      P360: { width: 640, height: 360, bitrateKbps: 800 },
      P720: { width: 1280, height: 720, bitrateKbps: 2500 },
      P1080: { width: 1920, height: 1080, bitrateKbps: 5000 },
    });
    expect(isQuality("P720")).toBe(true);
    expect(isQuality("p720")).toBe(false);
    expect(isQuality("P480")).toBe(false);
  });

  it.each([
    ["P360", "FREE", true],
    ["P720", "FREE", true],
    ["P1080", "FREE", false],
    ["P360", "PREMIUM", true],
    ["P720", "PREMIUM", true],
    ["P1080", "PREMIUM", true],
  ] as const)("%s for %s: %s", (quality, tier, allowed) => {
    expect(isAllowedFor(quality, tier)).toBe(allowed);
  });
});

describe("fitInside", () => {
  it.each([
    // landscape
    ["P720", 1920, 1080, 1280, 720],
    ["P360", 1920, 1080, 640, 360],
    ["P1080", 3840, 2160, 1920, 1080],
    ["P720", 1280, 720, 1280, 720],
    // portrait: the box turns with the source (720p means the short side)
    ["P720", 1080, 1920, 720, 1280],
    ["P360", 1080, 1920, 360, 640],
    ["P1080", 2160, 3840, 1080, 1920],
    // square: limited by the box's short side
    ["P720", 1080, 1080, 720, 720],
    // wider than 16:9 is limited by width, taller-than-box by height
    ["P720", 2560, 1080, 1280, 540],
    ["P720", 1440, 1080, 960, 720],
    // never upscaled
    ["P1080", 320, 240, 320, 240],
    ["P720", 240, 320, 240, 320],
    // odd sources: rounded to even, never above the source
    ["P1080", 641, 361, 640, 360],
    ["P720", 1279, 719, 1278, 718],
    ["P360", 1281, 721, 640, 360],
    // tiny sources stay at least 2×2
    ["P720", 3, 3, 2, 2],
    ["P720", 1, 1, 2, 2],
    ["P360", 2, 1, 2, 2],
    // extreme aspect ratios
    ["P360", 10000, 10, 640, 2],
    ["P360", 10, 10000, 2, 640],
    ["P720", 4000, 100, 1280, 32],
  ] as const)("%s of %i×%i is %i×%i", (quality, width, height, outWidth, outHeight) => {
    expect(fitInside(quality, width, height)).toEqual({ width: outWidth, height: outHeight });
  });

  it("keeps every output even, inside the box, not upscaled and close to the source's aspect ratio", () => {
    let seed = 42;
    const random = (max: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 2 + (seed % (max - 1));
    };
    for (let i = 0; i < 500; i++) {
      const [width, height] = [random(5000), random(5000)];
      for (const quality of QUALITIES) {
        const out = fitInside(quality, width, height);
        const { width: long, height: short } = QUALITY_SPECS[quality];
        const [boxWidth, boxHeight] = height > width ? [short, long] : [long, short];
        const context = `${quality} ${width}×${height} → ${out.width}×${out.height}`;
        expect(out.width % 2, context).toBe(0);
        expect(out.height % 2, context).toBe(0);
        expect(out.width, context).toBeLessThanOrEqual(Math.max(2, Math.min(boxWidth, width)));
        expect(out.height, context).toBeLessThanOrEqual(Math.max(2, Math.min(boxHeight, height)));
        // Rounding to even moves each side by at most 2 px from the exact scaled size.
        const scale = Math.min(1, boxWidth / width, boxHeight / height);
        expect(Math.abs(out.width - width * scale), context).toBeLessThanOrEqual(2);
        expect(Math.abs(out.height - height * scale), context).toBeLessThanOrEqual(2);
      }
    }
  });

  it.each([
    [0, 100],
    [100, -1],
    [Number.NaN, 100],
    [Number.POSITIVE_INFINITY, 100],
  ])("refuses a source of %d×%d", (width, height) => {
    expect(() => fitInside("P720", width, height)).toThrow(RangeError);
  });
});
