import fc from "fast-check";
import type { Answer } from "./transport.js";

const SCREAMING_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/**
 * What docs/product-contract.md §2 promises for every answer: never a 5xx for anything a client sends, and every
 * error in the same shape. Returns the problems found (empty when the answer is well-formed).
 */
export function problemsWith(answer: Answer, method: string): string[] {
  if (answer.status >= 500) return [`status ${answer.status}: ${answer.body.slice(0, 300)}`];
  if (method === "HEAD" || answer.status < 400) return [];
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return [`status ${answer.status} with a body that is not JSON: ${answer.body.slice(0, 200)}`];
  }
  const requestId = answer.headers["x-request-id"];
  // A batch answers with one entry per call; each error entry must have the same shape.
  const entries = Array.isArray(body) ? body : [body];
  return entries.flatMap((entry) =>
    isRecord(entry) && "result" in entry ? [] : errorProblems(entry, Array.isArray(body) ? null : answer.status, requestId),
  );
}

function errorProblems(entry: unknown, status: number | null, requestId: unknown): string[] {
  const error = isRecord(entry) ? entry.error : undefined;
  const data = isRecord(error) ? error.data : undefined;
  if (!isRecord(error) || !isRecord(data)) return [`error without error.data: ${JSON.stringify(entry).slice(0, 200)}`];
  const problems: string[] = [];
  const where = `${String(data.code)} ${String(data.errorCode)}`;
  if (typeof error.message !== "string") problems.push(`${where}: no message`);
  if (typeof data.code !== "string" || !SCREAMING_SNAKE.test(data.code)) problems.push(`${where}: bad data.code`);
  if (typeof data.httpStatus !== "number" || (status !== null && data.httpStatus !== status)) {
    problems.push(`${where}: httpStatus ${String(data.httpStatus)} on a ${String(status)} answer`);
  }
  if (typeof data.errorCode !== "string" || !SCREAMING_SNAKE.test(data.errorCode)) problems.push(`${where}: bad errorCode`);
  if (data.errorCode === "INTERNAL" && typeof data.httpStatus === "number" && data.httpStatus < 500) {
    problems.push(`${where}: INTERNAL on a ${data.httpStatus}`);
  }
  if (typeof data.correlationId !== "string" || data.correlationId !== requestId) {
    problems.push(`${where}: correlationId ${String(data.correlationId)} is not the X-Request-Id ${String(requestId)}`);
  }
  if (data.errorCode === "VALIDATION_FAILED" && !isRecord(data.fieldErrors)) problems.push(`${where}: no fieldErrors`);
  if ("stack" in data) problems.push(`${where}: a stack on a client error`);
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Failing calls grouped by where and what ("videos.create: status 500"), each with its count and first input. */
export class Census {
  private readonly entries = new Map<string, { count: number; example: string }>();

  record(where: string, problems: string[], example: unknown): void {
    for (const problem of problems) {
      const key = `${where}: ${problem.split(":")[0] ?? problem}`;
      const entry = this.entries.get(key);
      if (entry) entry.count += 1;
      else this.entries.set(key, { count: 1, example: `${problem.slice(0, 300)} <- ${fc.stringify(example).slice(0, 300)}` });
    }
  }

  report(): string[] {
    return [...this.entries].map(([key, { count, example }]) => `${key} (${count}x) e.g. ${example}`);
  }
}
