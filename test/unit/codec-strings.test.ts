import { describe, expect, it } from "vitest";
import { aacCodecString, avcCodecString, codecsOf } from "../../server/src/media/codec-strings.js";

describe("RFC 6381 codec strings", () => {
  it.each([
    ["High", 31, "avc1.64001f"],
    ["High", 40, "avc1.640028"],
    ["Main", 30, "avc1.4d401e"],
    ["Constrained Baseline", 30, "avc1.42e01e"],
    ["Baseline", 21, "avc1.420015"],
    ["High 10", 51, "avc1.6e0033"],
  ])("H.264 %s at level %i is %s", (profile, level, expected) => {
    expect(avcCodecString({ name: "h264", profile, level })).toBe(expected);
  });

  it.each([
    ["LC", "mp4a.40.2"],
    ["HE-AAC", "mp4a.40.5"],
    ["HE-AACv2", "mp4a.40.29"],
  ])("AAC %s is %s", (profile, expected) => {
    expect(aacCodecString({ name: "aac", profile })).toBe(expected);
  });

  it("joins video and audio, or gives the video's alone when there is no audio", () => {
    const video = { name: "h264", profile: "High", level: 31 };
    expect(codecsOf(video, { name: "aac", profile: "LC" })).toBe("avc1.64001f,mp4a.40.2");
    expect(codecsOf(video, null)).toBe("avc1.64001f");
  });

  it.each([
    ["a codec other than H.264", { name: "vp8", profile: "High", level: 31 }, null],
    ["an unknown profile", { name: "h264", profile: "Stereo High", level: 31 }, null],
    ["no level", { name: "h264", profile: "High" }, null],
    ["ffprobe's unknown level", { name: "h264", profile: "High", level: -99 }, null],
    ["audio other than AAC", { name: "h264", profile: "High", level: 31 }, { name: "opus" }],
    ["AAC of an unknown profile", { name: "h264", profile: "High", level: 31 }, { name: "aac", profile: "Main" }],
  ])("is null for %s", (_name, video, audio) => {
    expect(codecsOf(video, audio)).toBeNull();
  });
});
