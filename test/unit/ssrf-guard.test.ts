import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertHttpUrl,
  createSsrfGuardAgent,
  guardedFetch,
  isPublicUnicast,
  isSsrfRefusal,
} from "../../server/src/net/ssrf-guard.js";

// Only loopback addresses appear in URLs here: a refused request must reach nobody, and a test that
// regressed must not reach a private network or the internet either.
describe("the SSRF guard", () => {
  let receiver: Server;
  let port: number;
  const received: string[] = [];
  const connections: string[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      received.push(request.url ?? "");
      response.end("reached");
    });
    receiver.on("connection", (socket) => connections.push(socket.remoteAddress ?? "?"));
    // Dual-stack: accepts 127.0.0.0/8, ::1 and ::ffff:127.0.0.1 alike, so any leak would land here.
    await new Promise<void>((resolve) => receiver.listen(0, "::", resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it("refuses loopback IP literals, names resolving to loopback and IPv4-mapped IPv6, connecting nowhere", async () => {
    const agent = createSsrfGuardAgent();
    try {
      for (const url of [
        `http://127.0.0.2:${port}/v4-literal`,
        `http://[::1]:${port}/v6-literal`,
        `http://localhost:${port}/by-name`,
        `http://[::ffff:127.0.0.1]:${port}/v4-mapped`,
        `https://127.0.0.2:${port}/tls`,
      ]) {
        const error = await guardedFetch(url, { dispatcher: agent }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(isSsrfRefusal(error), url).toBe(true);
      }
    } finally {
      await agent.close();
    }
    expect(received).toEqual([]);
    expect(connections).toEqual([]);
  });

  it("lets an allow-listed host through", async () => {
    const agent = createSsrfGuardAgent({ allowHosts: ["127.0.0.2", "[::1]"] });
    try {
      const v4 = await guardedFetch(`http://127.0.0.2:${port}/allowed`, { dispatcher: agent });
      expect(await v4.text()).toBe("reached");
      const v6 = await guardedFetch(`http://[::1]:${port}/allowed-v6`, { dispatcher: agent });
      expect(v6.status).toBe(200);
      await v6.body?.cancel();
    } finally {
      await agent.close();
    }
    expect(received).toEqual(["/allowed", "/allowed-v6"]);
  });

  it("checks every address a name resolves to", async () => {
    // A resolver answering one public and one loopback address: refused as a whole (no socket opened).
    const agent = createSsrfGuardAgent({
      lookup: ((_host: string, _options: unknown, callback: (e: null, a: { address: string; family: number }[]) => void) =>
        callback(null, [
          { address: "192.0.2.10", family: 4 },
          { address: "127.0.0.1", family: 4 },
        ])) as never,
    });
    try {
      const error = await guardedFetch(`http://mixed.test:${port}/`, { dispatcher: agent }).catch((caught: unknown) => caught);
      expect(isSsrfRefusal(error)).toBe(true);
    } finally {
      await agent.close();
    }
    expect(connections).toHaveLength(2); // only the two allowed requests above
  });

  it("fetches only http and https", async () => {
    for (const url of ["file:///etc/passwd", "ftp://127.0.0.2/", "data:text/plain,hi", "gopher://localhost/", "not a url"]) {
      expect(() => assertHttpUrl(url), url).toThrow();
      expect(
        isSsrfRefusal(
          (() => {
            try {
              assertHttpUrl(url);
            } catch (error) {
              return error;
            }
          })(),
        ),
      ).toBe(true);
    }
    expect(assertHttpUrl("https://example.com/x").host).toBe("example.com");
  });

  it("sorts addresses into public unicast and everything else", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "255.255.255.255",
      "224.0.0.1",
      "::1",
      "::",
      "fe80::1",
      "fc00::1",
      "fd12:3456::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "[::1]",
      "not-an-ip",
    ]) {
      expect(isPublicUnicast(address), address).toBe(false);
    }
    // Judged only, never connected to.
    for (const address of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect(isPublicUnicast(address), address).toBe(true);
    }
  });
});
