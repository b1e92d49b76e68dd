import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Server as NetServer, type Socket } from "node:net";

/** A keep-alive connection quiet this long after the signal is closed; a busier one is closed by its next answer. */
export const IDLE_QUIET_MS = 250;

const EVENT_STREAM = /^text\/event-stream/;

interface Connection {
  /** Requests on it whose answer has not finished. */
  busy: number;
  idleSince: number;
  timer?: NodeJS.Timeout;
}

/** Whether close() has been called on the server a connection belongs to; one object per server. */
interface DrainState {
  closing: boolean;
}

const drainStateOf = new WeakMap<Socket, DrainState>();

/**
 * True once the server that received `req` has begun a graceful close (SIGTERM): readiness then
 * answers 503 so a load balancer stops routing here while the requests in flight finish. False for
 * a server without gracefulClose.
 */
export function isDraining(req: IncomingMessage): boolean {
  return drainStateOf.get(req.socket)?.closing ?? false;
}

export interface GracefulClose {
  /**
   * Stops accepting connections, lets every request already received finish, and resolves once
   * every connection is gone; whatever is still open after `graceMs` is cut.
   */
  close(graceMs: number): Promise<void>;
}

/**
 * Graceful shutdown for an HTTP/1.1 server with keep-alive clients. Call before the server
 * listens; `close` replaces `server.close()`.
 *
 * Once closing:
 * - the listening socket is closed at once (new connections are refused, a load balancer
 *   tries elsewhere);
 * - every answer not yet started, to a request already in flight or one that arrives later on an
 *   open connection, carries `Connection: close`, and node closes the connection after it: the
 *   client opens its next connection elsewhere, never reusing this one;
 * - an idle keep-alive connection is closed only once it has been quiet for IDLE_QUIET_MS, never
 *   under a request. `server.close()` would close every idle one at once, and a client that
 *   had just sent its next request on one (it is idle for the microseconds between an answer and
 *   the next request) would see it reset;
 * - open event streams (SSE subscriptions) end at once: they never end by themselves, and their
 *   clients reconnect, to another process;
 * - `isDraining(req)` is true, so /health/ready answers 503 "shutting_down" on the connections
 *   still open (liveness stays 200: the process is alive, only leaving);
 * - after `graceMs`, every connection still open is cut.
 */
export function gracefulClose(server: Server): GracefulClose {
  const connections = new Map<Socket, Connection>();
  const answering = new Set<ServerResponse>();
  const drain: DrainState = { closing: false };

  const closeWhenQuiet = (socket: Socket, connection: Connection) => {
    clearTimeout(connection.timer);
    if (connection.busy > 0) return;
    const wait = Math.max(0, connection.idleSince + IDLE_QUIET_MS - Date.now());
    connection.timer = setTimeout(() => {
      // Timers run before the event loop reads sockets: under load a request may already have
      // arrived, unread. setImmediate runs after that read, which would have started the request.
      setImmediate(() => {
        if (connection.busy === 0) socket.destroy();
      });
    }, wait);
  };

  server.on("connection", (socket: Socket) => {
    const connection: Connection = { busy: 0, idleSince: Date.now() };
    connections.set(socket, connection);
    drainStateOf.set(socket, drain);
    socket.once("close", () => {
      clearTimeout(connection.timer);
      connections.delete(socket);
    });
    if (drain.closing) closeWhenQuiet(socket, connection);
  });

  // Ahead of the application's listener, which may answer synchronously (liveness).
  server.prependListener("request", (req, res: ServerResponse) => {
    const socket = req.socket;
    const connection = connections.get(socket);
    if (connection) {
      connection.busy += 1;
      clearTimeout(connection.timer);
    }
    if (drain.closing) res.setHeader("connection", "close");
    answering.add(res);
    res.once("close", () => {
      answering.delete(res);
      if (!connection) return;
      connection.busy -= 1;
      connection.idleSince = Date.now();
      if (drain.closing && !socket.destroyed) closeWhenQuiet(socket, connection);
    });
  });

  return {
    close: async (graceMs) => {
      drain.closing = true;
      // net's close, not http's: http's also closes every idle connection at once (see above).
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      for (const res of answering) {
        if (!res.headersSent) res.setHeader("connection", "close");
        else if (EVENT_STREAM.test(String(res.getHeader("content-type") ?? ""))) res.destroy();
      }
      for (const [socket, connection] of connections) closeWhenQuiet(socket, connection);
      const cut = setTimeout(() => server.closeAllConnections(), graceMs);
      try {
        await closed;
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
