import { open, readFile } from "node:fs/promises";
import type { Timeline } from "./caption-timing.js";

/** 16-bit PCM as espeak-ng writes it (mono, 22 050 Hz), read from a RIFF/WAVE file. */
export interface PcmAudio {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Interleaved samples, little-endian. */
  data: Buffer;
  /** Samples per channel. */
  samples: number;
}

/**
 * Reads the fmt and data chunks. A data size past the end of the file (a writer that could not
 * seek back to fill it in) is taken as "up to the end".
 */
export function parseWav(bytes: Buffer): PcmAudio {
  if (bytes.length < 12 || bytes.toString("latin1", 0, 4) !== "RIFF" || bytes.toString("latin1", 8, 12) !== "WAVE") {
    throw new Error("not a RIFF/WAVE file");
  }
  let format: { sampleRate: number; channels: number; bitsPerSample: number } | undefined;
  for (let offset = 12; offset + 8 <= bytes.length;) {
    const id = bytes.toString("latin1", offset, offset + 4);
    const declared = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    const size = Math.min(declared, bytes.length - body);
    if (id === "fmt ") {
      if (size < 16) throw new Error("WAVE fmt chunk too short");
      const audioFormat = bytes.readUInt16LE(body);
      const channels = bytes.readUInt16LE(body + 2);
      const sampleRate = bytes.readUInt32LE(body + 4);
      const bitsPerSample = bytes.readUInt16LE(body + 14);
      if (audioFormat !== 1 || bitsPerSample !== 16 || channels < 1 || sampleRate <= 0) {
        throw new Error(`unsupported WAVE format ${audioFormat}/${bitsPerSample}-bit/${channels}ch/${sampleRate}Hz`);
      }
      format = { sampleRate, channels, bitsPerSample };
    } else if (id === "data") {
      if (!format) throw new Error("WAVE data chunk before fmt");
      const frame = format.channels * 2;
      const usable = size - (size % frame);
      return { ...format, data: bytes.subarray(body, body + usable), samples: usable / frame };
    }
    offset = body + size + (size % 2); // chunks are padded to an even size
  }
  throw new Error("WAVE file has no data chunk");
}

export async function readWav(file: string): Promise<PcmAudio> {
  return parseWav(await readFile(file));
}

export function wavHeader(dataBytes: number, format: Pick<PcmAudio, "sampleRate" | "channels" | "bitsPerSample">): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = format.channels * (format.bitsPerSample / 8);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write("WAVEfmt ", 8, "latin1");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(format.bitsPerSample, 34);
  header.write("data", 36, "latin1");
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/**
 * Writes one WAV with each segment's speech at its caption's start sample and silence between,
 * so the track is exactly timeline.totalSamples long. All segments must share one format.
 */
export async function writeTimelineWav(file: string, audios: readonly PcmAudio[], timeline: Timeline): Promise<void> {
  const first = audios[0];
  if (!first || audios.length !== timeline.captions.length) throw new Error("one audio per caption is needed");
  const frame = first.channels * 2;
  const handle = await open(file, "w");
  try {
    await handle.write(wavHeader(timeline.totalSamples * frame, first));
    let written = 0;
    for (const [index, audio] of audios.entries()) {
      const caption = timeline.captions[index];
      if (!caption) break;
      if (audio.sampleRate !== first.sampleRate || audio.channels !== first.channels) {
        throw new Error("speech segments differ in sample rate or channels");
      }
      if (caption.startSample > written) await handle.write(Buffer.alloc((caption.startSample - written) * frame));
      const samples = Math.min(audio.samples, caption.endSample - caption.startSample);
      await handle.write(audio.data.subarray(0, samples * frame));
      written = caption.startSample + samples;
    }
    if (timeline.totalSamples > written) await handle.write(Buffer.alloc((timeline.totalSamples - written) * frame));
  } finally {
    await handle.close();
  }
}
