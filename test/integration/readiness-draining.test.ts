import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { gracefulClose, type GracefulClose } from "../../server/src/http/graceful-close.js";
import { healthRoutes } from "../../server/src/http/health.routes.js";
import { withLivenessProbe } from "../../server/src/http/liveness.js";
import type { HealthCheck } from "../../server/src/shared/application/health-check.js";

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A check that passes, or, while held, waits until released (and says when it was called). */
function gatedCheck() {
  let held: { release: () => void } | null = null;
  let called: () => void = () => undefined;
  const check: HealthCheck = {
    name: "database",
    check: async () => {
      called();
      if (held) await new Promise<void>((resolve) => (held = { release: resolve }));
    },
  };
  return {
    check,
    /** From now on the check waits; resolves once a probe is waiting on it. */
    hold: () => {
      held = { release: () => undefined };
      return new Promise<void>((resolve) => (called = resolve));
    },
    release: () => {
      const gate = held;
      held = null;
      gate?.release();
    },
  };
}

/** The server as bootstrap.ts builds it: gracefulClose around liveness ahead of express. */
async function start(checks: HealthCheck[]): Promise<{ server: Server; graceful: GracefulClose; port: number }> {
  const server = createServer(withLivenessProbe(express().use(healthRoutes(checks))));
  const graceful = gracefulClose(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, graceful, port: (server.address() as AddressInfo).port };
}

/** An open connection the server has accepted (its "connection" event has run). */
async function openConnection(server: Server, port: number): Promise<Socket> {
  const accepted = once(server, "connection");
  const socket = connect(port, "127.0.0.1");
  await Promise.all([once(socket, "connect"), accepted]);
  return socket;
}

/** Writes one GET and reads its answer; the server closes the connection after it (Connection: close). */
async function rawGet(socket: Socket, path: string): Promise<RawAnswer> {
  let text = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => (text += chunk));
  const ended = once(socket, "close");
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await ended;
  const [head = "", body = ""] = text.split("\r\n\r\n");
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
  );
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}

describe("readiness while the server drains", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("answers 503 shutting_down once close() has begun (what SIGTERM starts), while liveness stays 200", async () => {
    const gate = gatedCheck();
    const { server, graceful, port } = await start([gate.check]);
    cleanups.push(async () => void server.closeAllConnections());

    const before = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({ status: "ok" });

    // Connections open when the signal comes: the next request on each is read before the
    // quiet-connection timer can close it (graceful-close.ts), so these are answered.
    const forLiveness = await openConnection(server, port);
    const forReadiness = await openConnection(server, port);
    const closed = graceful.close(10_000);
    const [live, ready] = await Promise.all([rawGet(forLiveness, "/health/live"), rawGet(forReadiness, "/health/ready")]);

    expect(live).toMatchObject({ status: 200, headers: { connection: "close" } });
    expect(JSON.parse(live.body)).toEqual({ status: "ok" });
    expect(ready).toMatchObject({ status: 503, headers: { connection: "close" } });
    expect(JSON.parse(ready.body)).toMatchObject({ status: "shutting_down", message: expect.stringMatching(/shutting down/) });
    await closed;
  });

  it("answers 503 to a probe whose checks were still running when close() began", async () => {
    const gate = gatedCheck();
    const { server, graceful, port } = await start([gate.check]);
    cleanups.push(async () => void server.closeAllConnections());

    const waiting = gate.hold();
    const probe = fetch(`http://127.0.0.1:${port}/health/ready`);
    await waiting;
    const closed = graceful.close(10_000);
    gate.release();
    const answer = await probe;

    expect(answer.status).toBe(503);
    expect(answer.headers.get("connection")).toBe("close");
    expect(await answer.json()).toMatchObject({ status: "shutting_down" });
    await closed;
  });
});
