import { isAbortError, isTrackedEnvelope } from "@trpc/server/unstable-core-do-not-import";

export interface SseFramesOptions {
  serialize: (value: unknown) => unknown;
  formatError: (opts: { error: unknown }) => unknown;
  /** The `Last-Event-ID` the client sent, restored after an untracked event (as tRPC does). */
  lastEventId: string | null;
}

/**
 * A tracked value's frame, encoded once: when one job event goes to a thousand streams of one
 * process, the thousand streams write the same bytes (docs/benchmarks.md, SSE fan-out).
 */
const encoded = new WeakMap<object, Buffer>();

/**
 * A subscription's event stream, byte for byte what tRPC's sseStreamProducer writes without ping
 * or time limits (the adapter parity test compares them), as whole frames: one socket write per
 * event instead of a chain of web streams per connection.
 */
export async function* sseFrames(iterable: AsyncIterable<unknown>, options: SseFramesOptions): AsyncGenerator<string | Buffer> {
  yield frame({ event: "connected", data: "{}" });
  let lastEventId = options.lastEventId && !/[\0\n\r]/.test(options.lastEventId) ? options.lastEventId : null;
  try {
    for await (const value of iterable) {
      if (isTrackedEnvelope(value)) {
        lastEventId = String(value[0]);
        let bytes = encoded.get(value);
        if (!bytes) {
          bytes = Buffer.from(frame({ data: JSON.stringify(options.serialize(value[1])), id: lastEventId }));
          encoded.set(value, bytes);
        }
        yield bytes;
        continue;
      }
      const data = JSON.stringify(options.serialize(value));
      if (lastEventId === null) yield frame({ data });
      else yield frame({ data, id: "" }) + frame({ event: "restore-id", data: "", id: lastEventId });
    }
    yield frame({ event: "return", data: "" });
  } catch (cause) {
    if (isAbortError(cause)) return;
    yield frame({ event: "serialized-error", data: JSON.stringify(options.serialize(options.formatError({ error: cause }))) });
  }
}

function frame(chunk: { event?: string; data?: string; id?: string }): string {
  let text = "";
  if (chunk.event !== undefined) text += `event: ${chunk.event}\n`;
  if (chunk.data !== undefined) text += `data: ${chunk.data}\n`;
  if (chunk.id !== undefined) text += `id: ${chunk.id}\n`;
  return `${text}\n\n`;
}
