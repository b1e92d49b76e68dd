import { describe, expect, it } from "vitest";
import { planTranscode } from "../../server/src/media/ffmpeg-args.js";
import { FfmpegProgressParser, ProgressThrottle } from "../../server/src/media/ffmpeg-progress.js";
import { outputFrameRate } from "../../server/src/media/frame-rate.js";
import type { TranscodeProgress } from "../../server/src/shared/application/media-transcoder.js";

const block = (outTimeUs: string, end = false, speed = "1.5x") => [
  `frame=10`,
  `out_time_us=${outTimeUs}`,
  `out_time_ms=${outTimeUs}`,
  `speed=${speed}`,
  `progress=${end ? "end" : "continue"}`,
];

describe("FfmpegProgressParser", () => {
  it("yields the position only when a block ends", () => {
    const parser = new FfmpegProgressParser();
    const results = block("1500000").map((line) => parser.push(line));
    expect(results.slice(0, -1)).toEqual([null, null, null, null]);
    expect(results.at(-1)).toEqual({ outTimeSeconds: 1.5, speed: 1.5 });
  });

  it("skips blocks without a position yet and tolerates a missing speed", () => {
    const parser = new FfmpegProgressParser();
    expect(
      block("N/A")
        .map((line) => parser.push(line))
        .at(-1),
    ).toBeNull();
    expect(
      block("2000000", true, "N/A")
        .map((line) => parser.push(line))
        .at(-1),
    ).toEqual({ outTimeSeconds: 2 });
    expect(parser.push("not a key value line")).toBeNull();
  });
});

describe("ProgressThrottle", () => {
  function throttle(durationSeconds = 10) {
    let now = 0;
    const emitted: TranscodeProgress[] = [];
    const subject = new ProgressThrottle(
      durationSeconds,
      (progress) => emitted.push(progress),
      250,
      () => now,
    );
    return { subject, emitted, advance: (ms: number) => (now += ms) };
  }

  it("reports at most once per interval, never going back, and below 100 until finished", () => {
    const { subject, emitted, advance } = throttle();
    subject.update({ outTimeSeconds: 1 });
    subject.update({ outTimeSeconds: 2 }); // same instant: dropped
    advance(250);
    subject.update({ outTimeSeconds: 0.5 }); // an earlier position: never shown as a step back
    advance(250);
    subject.update({ outTimeSeconds: 12, speed: 3 }); // past the probed duration: held at 99
    subject.finish();
    expect(emitted).toEqual([
      { percent: 10, outTimeSeconds: 1 },
      { percent: 99, outTimeSeconds: 12, speed: 3 },
      { percent: 100, outTimeSeconds: 10 },
    ]);
  });

  it("reports 0 for an unknown duration instead of dividing by zero", () => {
    const { subject, emitted } = throttle(0);
    subject.update({ outTimeSeconds: 3 });
    expect(emitted).toEqual([{ percent: 0, outTimeSeconds: 3 }]);
  });
});

describe("planTranscode", () => {
  const source = { width: 1080, height: 1920, durationSeconds: 20 };
  const outputs = { video: "/w/out.mp4", thumbnail: "/w/out.jpg", playlist: "/w/out.m3u8" };
  const frameRate = outputFrameRate(30000 / 1001);

  it("fits the box to the source's orientation and the thumbnail to P360", () => {
    const plan = planTranscode({ input: "/media/source.mp4", quality: "P720", source, frameRate, outputs });
    expect(plan).toMatchObject({
      video: { width: 720, height: 1280 },
      thumbnail: { width: 360, height: 640 },
      thumbnailAtSeconds: 2,
    });
    expect(plan.args).toEqual(expect.arrayContaining(["-protocol_whitelist", "file", "-i", "file:/media/source.mp4"]));
    const joined = plan.args.join(" ");
    expect(joined).toContain("-maxrate 2372k -bufsize 2372k");
    expect(joined).not.toContain("-reconnect");
  });

  it("writes one fMP4 through the HLS muxer, at the given rate, a keyframe on every 2 s mark", () => {
    const plan = planTranscode({ input: "/media/source.mp4", quality: "P720", source, frameRate, outputs });
    const joined = plan.args.join(" ");
    expect(joined).toContain("[main]fps=fps=30000/1001,scale=720:1280");
    expect(joined).toContain("-force_key_frames expr:gte(t,n_forced*2) -g 60 -keyint_min 60 -sc_threshold 0");
    expect(joined).toContain(
      "-f hls -hls_time 2 -hls_playlist_type vod -hls_segment_type fmp4 -hls_flags single_file -hls_segment_filename /w/out.mp4 -y /w/out.m3u8",
    );
    expect(joined).not.toContain("-f mp4");
    expect(plan.frameRate).toEqual({ expr: "30000/1001", value: 30000 / 1001 });
  });

  it("opens URLs with the network protocols only, as given", () => {
    const url = "https://bucket.example/key?X-Amz-Signature=abc%2F";
    const plan = planTranscode({ input: url, quality: "P360", source, frameRate, outputs });
    expect(plan.args).toEqual(
      expect.arrayContaining(["-protocol_whitelist", "http,https,tcp,tls", "-i", url, "-reconnect", "1"]),
    );
  });

  it("refuses an input that would be read as an option", () => {
    expect(() => planTranscode({ input: "-version", quality: "P360", source, frameRate, outputs })).toThrow(/Refusing/);
  });
});
