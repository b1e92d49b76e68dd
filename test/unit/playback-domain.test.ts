import { describe, expect, it } from "vitest";
import type { AppConfig } from "../../server/src/config/config.js";
import { PlaybackTokens } from "../../server/src/modules/videos/application/playback-tokens.js";
import { PlaybackViews } from "../../server/src/modules/videos/application/playback-views.js";
import {
  bandwidthOf,
  masterPlaylist,
  variantPlaylist,
  type StreamVariant,
} from "../../server/src/modules/videos/domain/hls-playlists.js";
import { viewWindowOf } from "../../server/src/modules/videos/domain/view-window.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import { targetDurationOf, type HlsIndex } from "../../server/src/shared/domain/hls-index.js";

const index: HlsIndex = {
  init: { offset: 0, length: 800 },
  segments: [
    { offset: 800, length: 250_000, durationSeconds: 2.002 },
    { offset: 250_800, length: 500_000, durationSeconds: 2.002 },
    { offset: 750_800, length: 100_000, durationSeconds: 1.4 },
  ],
};
const variant = (quality: string, height: number, scale = 1): StreamVariant => ({
  quality,
  width: Math.round((height * 16) / 9),
  height,
  codecs: "avc1.64001f,mp4a.40.2",
  frameRate: 29.97,
  sizeBytes: 850_800 * scale,
  hls: { ...index, segments: index.segments.map((segment) => ({ ...segment, length: segment.length * scale })) },
});

describe("HLS playlists", () => {
  it("writes one STREAM-INF per variant, lowest first, peak bandwidth never below the average", () => {
    const text = masterPlaylist([variant("P720", 720, 3), variant("P360", 360)]);
    const lines = text.trimEnd().split("\n");
    expect(lines.slice(0, 3)).toEqual(["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]);
    expect(lines[3]).toBe(
      `#EXT-X-STREAM-INF:BANDWIDTH=${Math.ceil((500_000 * 8) / 2.002)},AVERAGE-BANDWIDTH=${Math.ceil((850_800 * 8) / 5.404)},RESOLUTION=640x360,FRAME-RATE=29.970,CODECS="avc1.64001f,mp4a.40.2"`,
    );
    expect(lines.filter((line) => !line.startsWith("#"))).toEqual(["P360.m3u8", "P720.m3u8"]);
    const flat = { ...variant("P360", 360), sizeBytes: 10_000_000 };
    expect(bandwidthOf(flat).peak).toBe(bandwidthOf(flat).average);
  });

  it("writes a VOD variant of byte ranges over one URL, every EXTINF within the target duration", () => {
    const url = "https://store.example/videos/v/r.mp4?X-Amz-Signature=abc&X-Amz-Expires=3600";
    const text = variantPlaylist(index, url);
    expect(targetDurationOf(index)).toBe(2);
    expect(text).toBe(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        `#EXT-X-MAP:URI="${url}",BYTERANGE="800@0"`,
        "#EXTINF:2.002,",
        "#EXT-X-BYTERANGE:250000@800",
        url,
        "#EXTINF:2.002,",
        "#EXT-X-BYTERANGE:500000@250800",
        url,
        "#EXTINF:1.400,",
        "#EXT-X-BYTERANGE:100000@750800",
        url,
        "#EXT-X-ENDLIST",
        "",
      ].join("\n"),
    );
    expect(() => variantPlaylist(index, 'https://x.example/"quoted"')).toThrow();
    expect(() => variantPlaylist(index, "https://x.example/a\nb")).toThrow();
  });
});

describe("view windows", () => {
  it("puts a moment in its 30-minute window and the window's UTC day", () => {
    expect(viewWindowOf(new Date("2026-12-04T23:59:59.999Z"))).toEqual({
      windowStart: new Date("2026-12-04T23:30:00.000Z"),
      day: new Date("2026-12-04T00:00:00.000Z"),
    });
    expect(viewWindowOf(new Date("2026-12-05T00:00:00.000Z")).windowStart).toEqual(new Date("2026-12-05T00:00:00.000Z"));
    expect(viewWindowOf(new Date("2026-12-05T00:29:59.000Z")).windowStart).toEqual(new Date("2026-12-05T00:00:00.000Z"));
  });
});

describe("playback tokens", () => {
  let now = new Date("2026-12-04T12:00:00.400Z");
  const clock = { now: () => now };
  const config = (secret: string) => ({ playback: { tokenSecret: secret } }) as AppConfig;
  const tokens = new PlaybackTokens(config("a-playback-secret-that-is-long-enough"), clock);
  const videoId = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  const codeOf = (run: () => unknown) => {
    try {
      run();
      return "none";
    } catch (error) {
      return error instanceof DomainError ? error.code : "other";
    }
  };

  it("round-trips the video, expiry to the second and a random token id in 66 URL-safe characters", () => {
    const { token, claims } = tokens.issue(videoId, 3600);
    expect(token).toMatch(/^[A-Za-z0-9_-]{66}$/);
    expect(claims).toEqual({ videoId, expires: Date.parse("2026-12-04T13:00:00Z") / 1000, tokenId: expect.any(String) });
    expect(tokens.verify(token)).toEqual(claims);
    expect(tokens.issue(videoId, 3600).claims.tokenId).not.toBe(claims.tokenId);
  });

  it("refuses every single-character change, another key's token, and a token past its second", () => {
    const { token } = tokens.issue(videoId, 60);
    for (let at = 0; at < token.length; at++) {
      for (const replacement of ["A", "B", "-", "_", "z"]) {
        if (token[at] === replacement) continue;
        const tampered = `${token.slice(0, at)}${replacement}${token.slice(at + 1)}`;
        expect(
          codeOf(() => tokens.verify(tampered)),
          `${at}:${replacement}`,
        ).toBe("PLAYBACK_TOKEN_INVALID");
      }
    }
    const other = new PlaybackTokens(config("another-playback-secret-long-enough"), clock);
    expect(codeOf(() => other.verify(token))).toBe("PLAYBACK_TOKEN_INVALID");
    expect(codeOf(() => tokens.verify(""))).toBe("PLAYBACK_TOKEN_INVALID");
    const issuedAt = now;
    now = new Date(Math.floor(issuedAt.getTime() / 1000) * 1000 + 59_999);
    expect(codeOf(() => tokens.verify(token))).toBe("none");
    now = new Date(Math.floor(issuedAt.getTime() / 1000) * 1000 + 60_000);
    expect(codeOf(() => tokens.verify(token))).toBe("PLAYBACK_TOKEN_EXPIRED");
    now = issuedAt;
  });
});

describe("playback views", () => {
  const claims = { videoId: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", expires: 4_000_000_000, tokenId: "token-1" };
  const silent = { debug: () => {}, info: () => {}, error: () => {}, warn: () => {} };

  it("asks the database once per session window, and again after a failed insert, never throwing", async () => {
    let now = new Date("2026-12-04T12:00:00Z");
    const inserted: string[] = [];
    let failNext = true;
    const warnings: string[] = [];
    const views = new PlaybackViews(
      {
        record: async (view) => {
          inserted.push(`${view.tokenId}@${view.windowStart.toISOString()} ${view.day.toISOString().slice(0, 10)}`);
          if (failNext) {
            failNext = false;
            throw new Error("database down");
          }
          return true;
        },
      },
      { now: () => now },
      { ...silent, warn: (message) => warnings.push(message) },
    );
    expect(() => views.count(claims)).not.toThrow();
    await views.settled();
    expect(warnings).toEqual(["playback view not counted"]);
    views.count(claims);
    views.count(claims);
    await views.settled();
    expect(inserted).toEqual(["token-1@2026-12-04T12:00:00.000Z 2026-12-04", "token-1@2026-12-04T12:00:00.000Z 2026-12-04"]);
    now = new Date("2026-12-04T12:29:59Z");
    views.count(claims);
    now = new Date("2026-12-04T12:30:00Z");
    views.count(claims);
    views.count({ ...claims, tokenId: "token-2" });
    await views.settled();
    expect(inserted.slice(2)).toEqual([
      "token-1@2026-12-04T12:30:00.000Z 2026-12-04",
      "token-2@2026-12-04T12:30:00.000Z 2026-12-04",
    ]);
  });
});
