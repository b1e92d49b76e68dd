/** JSON text of a value, or undefined when it has none (undefined, a function, a cycle, a BigInt). */
export function encode(value: unknown): string | undefined {
  try {
    const json: unknown = JSON.stringify(value);
    return typeof json === "string" ? json : undefined;
  } catch {
    return undefined;
  }
}
