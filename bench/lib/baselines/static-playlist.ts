/**
 * The ceiling bench/playlist-serving.ts measures playlist serving against: node:http answering
 * constant bodies, as a static file server with the playlists in memory would.
 *
 *   node --import tsx bench/lib/baselines/static-playlist.ts <file holding {"/path": body, …} as JSON>
 *
 * Prints "listening on http://…" once it accepts connections.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const bodies = new Map(
  Object.entries(JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as Record<string, string>).map(([path, body]) => [
    path,
    Buffer.from(body, "utf8"),
  ]),
);
const server = createServer((req, res) => {
  const body = bodies.get(req.url ?? "");
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    "content-type": "application/vnd.apple.mpegurl",
    "cache-control": "private, no-store",
    "content-length": body.length,
  });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
