/**
 * The baseline of bench/multipart-upload.ts: a plain node:http server that streams each PUT body to a
 * file, answering 200 once the file is closed. Nothing else: no signature, no cap, no hash, no
 * rename. With --fsync the file is flushed to disk before the answer, as the API did with a part before
 * docs/adr/0027.
 *
 *   node --import tsx bench/lib/file-sink-server.ts <dir> [--fsync]
 *
 * Prints `listening on http://127.0.0.1:<port>` once it accepts requests.
 */
import { createWriteStream } from "node:fs";
import http from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";

const dir = process.argv[2];
if (!dir) throw new Error("usage: file-sink-server.ts <dir> [--fsync]");
const flush = process.argv.includes("--fsync");
let sequence = 0;

const server = http.createServer((req, res) => {
  const file = path.join(dir, `${process.pid}-${++sequence}.part`);
  pipeline(req, createWriteStream(file, { flags: "wx", flush })).then(
    () => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'),
    (error: unknown) => res.writeHead(500).end(String(error)),
  );
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
