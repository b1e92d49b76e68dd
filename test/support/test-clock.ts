import type { Clock } from "../../server/src/shared/application/clock.js";

/** Real time plus an offset, so tests can jump past token expiry without waiting. */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
