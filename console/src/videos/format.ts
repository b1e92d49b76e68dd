/**
 * Megabytes of 10^6 bytes, as file managers show sizes; one decimal below 10 MB so small files still
 * move, two below 0.1 MB so a short clip or a generated video is not shown as "0.0 MB".
 */
export function formatMegabytes(bytes: number): string {
  const megabytes = bytes / 1_000_000;
  if (bytes > 0 && megabytes < 0.1) return megabytes.toFixed(2);
  return megabytes < 10 ? megabytes.toFixed(1) : megabytes.toFixed(0);
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, "0")}`;
}

// One way to write a date across the console; the account screens' version also covers a missing one.
export { formatDateTime } from "../account/format";

export function creditsWord(amount: number | undefined): string {
  return amount === 1 ? "credit" : "credits";
}
