import type { ServerResponse } from "node:http";

/**
 * Every 30 s each open event stream gets an SSE comment line, which EventSource clients ignore: a
 * job that is queued or silent for minutes would otherwise leave its stream without a byte either
 * way, and the server's 2-minute idle timeout (or a proxy's shorter one) would cut it.
 */
export const SSE_KEEP_ALIVE_MS = 30_000;
export const SSE_KEEP_ALIVE_FRAME = ": keep-alive\n\n";

/**
 * One timer for all streams rather than one per stream: with a thousand streams open, a thousand
 * timers are memory the fan-out budget (docs/benchmarks.md) does not have.
 */
class SseKeepAlive {
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;

  add(res: ServerResponse): void {
    this.streams.add(res);
    if (!this.timer) {
      this.timer = setInterval(() => this.pingAll(), SSE_KEEP_ALIVE_MS);
      // An open stream must not keep a stopping process alive.
      this.timer.unref();
    }
  }

  delete(res: ServerResponse): void {
    this.streams.delete(res);
    if (this.streams.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Writes the comment to every open stream; a stream whose socket is full is skipped this round. */
  pingAll(): number {
    let pinged = 0;
    for (const res of this.streams) {
      if (res.destroyed || res.writableEnded || res.writableNeedDrain) continue;
      res.write(SSE_KEEP_ALIVE_FRAME);
      pinged++;
    }
    return pinged;
  }

  get size(): number {
    return this.streams.size;
  }
}

export const sseKeepAlive = new SseKeepAlive();
