import fc from "fast-check";

const UUID = "00000000-0000-4000-8000-000000000000";
const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Cursors as an attacker would make them: our codec's shape with SQL-hostile contents, and other shapes. */
export const CRAFTED_CURSORS = [
  base64urlJson(["0000-01-01T00:00:00Z", UUID]),
  base64urlJson(["-001000-01-01T00:00:00Z", UUID]),
  base64urlJson(["+275760-09-13T00:00:00Z", UUID]),
  base64urlJson(["2026-01-01T00:00:00Z", "not-a-uuid"]),
  base64urlJson(["2026-01-01T00:00:00Z", "1' OR '1'='1"]),
  base64urlJson(["2026-01-01T00:00:00Z", "a\u0000b"]),
  base64urlJson(["2026-01-01T00:00:00Z", UUID, "extra"]),
  base64urlJson({ createdAt: "2026-01-01T00:00:00Z", id: UUID }),
  base64urlJson([1, 2]),
  "%%%",
  "W10",
];

/** One UTF-16 code unit at a time, so lone surrogates and NULs turn up (fc's "binary" unit avoids them). */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x\udc00y",
    "\udfff\ud800",
    "%",
    "_",
    "\\",
    "%_\\%",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\u202e\ufeff\u200b",
    "𝕏",
    "",
    "   ",
    ...CRAFTED_CURSORS,
  ),
  fc.string({ unit: anyCodeUnit, maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  // Long, but ASCII: a query's input travels in the URL, and Node caps request heads at 16 KB.
  fc.integer({ min: 300, max: 4000 }).map((length) => "x".repeat(length)),
  fc.integer({ min: 300, max: 1500 }).map((length) => `${"é".repeat(length)}\u0000`),
);

/** Keys that pollute prototypes when code merges input into objects. JSON.parse makes them own properties. */
const PROTOTYPE_POLLUTION = [
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"__proto__":[],"toString":"x","valueOf":1}',
].map((text) => JSON.parse(text) as unknown);

const nested = fc.integer({ min: 10, max: 1000 }).chain((depth) =>
  // Objects cost more bytes per level than arrays; both stay inside a URL.
  fc.constantFrom(JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) as unknown, nestObject(Math.min(depth, 400))),
);

function nestObject(depth: number): unknown {
  let value: unknown = {};
  for (let level = 0; level < depth; level += 1) value = { a: value };
  return value;
}

const wrongType = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, -0, 2 ** 53, 1e308, -1e308, [], {}, "1", [null]),
  fc.double(),
  fc.integer(),
);

/** Anything a hostile client can put where a value is expected. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: wrongType, weight: 2 },
  { arbitrary: nested, weight: 1 },
  { arbitrary: fc.constantFrom(...PROTOTYPE_POLLUTION), weight: 1 },
);

/** A valid-shaped input with one field replaced, removed or added (as an own property, "__proto__" included). */
export function mutate(valid: unknown): fc.Arbitrary<unknown> {
  if (typeof valid !== "object" || valid === null || Array.isArray(valid)) return hostileValue;
  const keys = [...Object.keys(valid), "__proto__", "constructor", "unexpected"];
  return fc.tuple(fc.constantFrom(...keys), fc.option(hostileValue, { freq: 6, nil: undefined })).map(([key, value]) => {
    const copy: Record<string, unknown> = { ...(valid as Record<string, unknown>) };
    if (value === undefined) {
      delete copy[key];
    } else {
      Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  });
}
