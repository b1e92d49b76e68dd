import { describe, expect, it } from "vitest";
import {
  GENERATION_COST,
  MAX_BALANCE,
  assertCreditAmount,
  signupGrant,
  transcodeCost,
} from "../../server/src/modules/billing/domain/credit-rules.js";

describe("transcodeCost", () => {
  it("charges ceil(source minutes) × 1 / 2 / 4 for P360 / P720 / P1080", () => {
    expect(transcodeCost(60, "P360")).toBe(1);
    expect(transcodeCost(60, "P720")).toBe(2);
    expect(transcodeCost(60, "P1080")).toBe(4);
    expect(transcodeCost(61, "P360")).toBe(2);
    expect(transcodeCost(150, "P720")).toBe(6);
    expect(transcodeCost(600, "P1080")).toBe(40);
  });

  it("charges at least one minute, also for a zero-length or sub-second source", () => {
    expect(transcodeCost(0, "P360")).toBe(1);
    expect(transcodeCost(0.2, "P1080")).toBe(4);
    expect(transcodeCost(59.999, "P720")).toBe(2);
  });

  it("rounds a fractional minute up, never down", () => {
    expect(transcodeCost(120.001, "P360")).toBe(3);
  });

  it("refuses a duration that is negative or not a number", () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => transcodeCost(bad, "P360")).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
    }
  });
});

describe("fixed costs and grants", () => {
  it("generation costs 5", () => {
    expect(GENERATION_COST).toBe(5);
  });

  it("grants 30 to FREE and 300 to PREMIUM at sign-up", () => {
    expect(signupGrant("FREE")).toBe(30);
    expect(signupGrant("PREMIUM")).toBe(300);
  });
});

describe("assertCreditAmount", () => {
  it("accepts positive whole numbers up to the balance limit", () => {
    expect(() => assertCreditAmount(1)).not.toThrow();
    expect(() => assertCreditAmount(MAX_BALANCE)).not.toThrow();
  });

  it("refuses zero, negatives, fractions, and amounts past the limit", () => {
    for (const bad of [0, -5, 1.5, Number.NaN, MAX_BALANCE + 1, Number.MAX_SAFE_INTEGER + 2]) {
      expect(() => assertCreditAmount(bad)).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED", kind: "BAD_REQUEST" }));
    }
  });
});
