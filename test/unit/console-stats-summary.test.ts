import { describe, expect, it } from "vitest";
import { formatBytes, jobTotals } from "../../console/src/admin/stats-summary.js";

describe("console admin stats", () => {
  it("sums jobs over their types, in total and per status", () => {
    const totals = jobTotals({
      TRANSCODE: { QUEUED: 1, SUCCEEDED: 4, FAILED: 1 },
      GENERATE: { QUEUED: 0, SUCCEEDED: 2, FAILED: 3 },
    });
    expect(totals).toEqual({ total: 11, byStatus: { QUEUED: 1, SUCCEEDED: 6, FAILED: 4 } });
    expect(jobTotals({})).toEqual({ total: 0, byStatus: {} });
  });

  it("writes sizes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(5 * 1024 ** 3)).toBe("5.0 GiB");
    expect(formatBytes(3 * 1024 ** 5)).toBe("3072.0 TiB");
  });
});
