const SECRET_KEY = /pass(word)?|secret|token|authorization|api[-_]?key|cookie|^key$/i;
const REDACTED = "[REDACTED]";

/** Deep-copies log metadata with every secret-looking field masked, whatever its nesting. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = SECRET_KEY.test(key) ? REDACTED : redact(item, depth + 1);
  }
  return result;
}
