// @ts-check
// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The speech child process of the local generation provider (speech-synthesis.ts starts it with
 * `process.execPath`): espeak-ng compiled to WebAssembly, run here so that synthesis never blocks
 * the server's event loop.
 *
 * Plain JavaScript on purpose: it runs as it is from the sources under vitest, from `npm start`'s
 * bundle and from the compiled build alike, found by its path in the repository.
 *
 * Licence: this file, and only this file, is combined with espeak-ng (GPL-3.0-or-later) in one
 * process, so it is offered under the same licence; the server talks to it only through the
 * protocol below, as a separate program (docs/adr/0018). Nothing else may import espeak-ng.
 *
 * Protocol: one JSON object a line on stdin, `{"id": number, "text": string, "voice": string,
 * "out": string}`; for each, one line on stdout, `{"id", "ok": true, "samples"}` once the WAV is
 * written to `out`, or `{"id", "ok": false, "error", "permanent"}`. Closing stdin ends the process
 * after the job in hand.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import ESpeakNg from "espeak-ng";

/**
 * Node's WebAssembly global, typed by hand: the project's lib settings (no DOM) do not declare it.
 * @type {{ compile(bytes: Uint8Array): Promise<object>, instantiate(module: object, imports: object): Promise<object> }}
 */
const wasm = /** @type {any} */ (globalThis).WebAssembly;

// Compiled once per process; each segment gets a fresh instance (the module runs main() once).
const compiled = wasm.compile(readFileSync(new URL("./espeak-ng.wasm", import.meta.resolve("espeak-ng"))));

/**
 * @param {string} text
 * @param {string} voice
 * @returns {Promise<Uint8Array>}
 */
async function speak(text, voice) {
  const module = await compiled;
  /** @type {string[]} */
  const errors = [];
  let status = 0;
  /** @type {import("espeak-ng").ESpeakNgModule} */
  const instance = await new Promise((resolve, reject) => {
    ESpeakNg({
      // -b 1: the text file is UTF-8. -f: the text is never read as an option, whatever it starts with.
      arguments: ["-b", "1", "-v", voice, "-w", "/out.wav", "-f", "/in.txt"],
      preRun: [(m) => m.FS.writeFile("/in.txt", text)],
      instantiateWasm(imports, done) {
        wasm.instantiate(module, imports).then(done, reject);
        return {};
      },
      print() {},
      printErr(line) {
        errors.push(String(line));
      },
      quit(code) {
        status = code;
      },
    }).then(resolve, reject);
  });
  if (status !== 0) {
    const reason = errors.find((line) => line.startsWith("Error:")) ?? errors[0] ?? `exit status ${status}`;
    throw Object.assign(new Error(reason.replace(/^Error:\s*/, "")), {
      permanent: /voice does not exist/i.test(reason),
    });
  }
  return instance.FS.readFile("/out.wav");
}

/** @param {string} line */
async function handle(line) {
  /** @type {{ id: number, text: string, voice: string, out: string }} */
  const job = JSON.parse(line);
  try {
    const wav = await speak(job.text, job.voice);
    writeFileSync(job.out, wav);
    // 44-byte canonical header, 16-bit mono: the parent reads the real header, this is for its log.
    return { id: job.id, ok: true, samples: Math.max(0, (wav.length - 44) >> 1) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const permanent = typeof error === "object" && error !== null && "permanent" in error && error.permanent === true;
    return { id: job.id, ok: false, error: message, permanent };
  }
}

// One job at a time, in arrival order.
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "") return;
  queue = queue.then(async () => {
    process.stdout.write(`${JSON.stringify(await handle(line))}\n`);
  });
});
