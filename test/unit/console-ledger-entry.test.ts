import { describe, expect, it } from "vitest";
import { entryPurpose, kindLabel, signedAmount } from "../../console/src/account/ledger-entry.js";

describe("console ledger entries", () => {
  it("signs amounts, with a real minus sign for charges", () => {
    expect(signedAmount(25)).toBe("+25");
    expect(signedAmount(-3)).toBe("\u22123");
    expect(signedAmount(0)).toBe("0");
  });

  it("names the known kinds and shows an unknown one as the server spells it", () => {
    expect(kindLabel("ADMIN_GRANT")).toBe("Admin grant");
    expect(kindLabel("CHARGE")).toBe("Charge");
    expect(kindLabel("BONUS")).toBe("BONUS");
  });

  it("says what an entry was for: its reason, its job, both, or a dash", () => {
    const jobId = "0b8f5a36-5a43-4f0e-9d53-6f2e1f2d8c11";
    expect(entryPurpose({ kind: "CHARGE", amount: -5, jobId, reason: null })).toBe(`job ${jobId}`);
    expect(entryPurpose({ kind: "GRANT", amount: 100, jobId: null, reason: "sign-up grant" })).toBe("sign-up grant");
    expect(entryPurpose({ kind: "REFUND", amount: 5, jobId, reason: "job failed" })).toBe(`job failed · job ${jobId}`);
    expect(entryPurpose({ kind: "ADMIN_GRANT", amount: 5, jobId: null, reason: "  " })).toBe("\u2014");
  });
});
