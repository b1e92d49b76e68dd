import { describe, expect, it } from "vitest";
import { HlsPlaylistError, parseHlsPlaylist } from "../../server/src/media/hls-playlist.js";

/** What the bundled ffmpeg's HLS muxer writes with single_file + fmp4 (copied from a real run). */
const FFMPEG_OUTPUT = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="P720.mp4.ab12.partial",BYTERANGE="1325@0"
#EXTINF:2.000000,
#EXT-X-BYTERANGE:85011@1325
P720.mp4.ab12.partial
#EXTINF:2.000000,
#EXT-X-BYTERANGE:90628@86336
P720.mp4.ab12.partial
#EXTINF:2.000000,
#EXT-X-BYTERANGE:94596@176964
P720.mp4.ab12.partial
#EXTINF:1.000000,
#EXT-X-BYTERANGE:48743@271560
P720.mp4.ab12.partial
#EXT-X-ENDLIST
`;
const FILE_SIZE = 320303;

const edit = (from: string, to: string) => {
  if (!FFMPEG_OUTPUT.includes(from)) throw new Error(`fixture has no ${from}`);
  return FFMPEG_OUTPUT.replace(from, to);
};

describe("parseHlsPlaylist", () => {
  it("reads ffmpeg's single-file fMP4 playlist into init + contiguous segments", () => {
    expect(parseHlsPlaylist(FFMPEG_OUTPUT, { fileSize: FILE_SIZE })).toEqual({
      init: { offset: 0, length: 1325 },
      segments: [
        { offset: 1325, length: 85011, durationSeconds: 2 },
        { offset: 86336, length: 90628, durationSeconds: 2 },
        { offset: 176964, length: 94596, durationSeconds: 2 },
        { offset: 271560, length: 48743, durationSeconds: 1 },
      ],
    });
  });

  it("accepts CRLF line ends, comments and an independent-segments tag", () => {
    const text = edit("#EXT-X-VERSION:7\n", "#EXT-X-VERSION:7\n# made by ffmpeg\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    expect(parseHlsPlaylist(text.replaceAll("\n", "\r\n")).segments).toHaveLength(4);
  });

  it.each([
    ["not a playlist", "hello\n", /#EXTM3U/],
    ["no init section", edit(`#EXT-X-MAP:URI="P720.mp4.ab12.partial",BYTERANGE="1325@0"\n`, ""), /before #EXT-X-MAP/],
    [
      "an init section in a file of its own",
      edit(`URI="P720.mp4.ab12.partial",BYTERANGE="1325@0"`, `URI="init.mp4"`),
      /exactly a URI and a BYTERANGE/,
    ],
    [
      "segments in another file",
      edit("#EXT-X-BYTERANGE:85011@1325\nP720.mp4.ab12.partial", "#EXT-X-BYTERANGE:85011@1325\nother.mp4"),
      /another file/,
    ],
    ["an init that does not start the file", edit(`BYTERANGE="1325@0"`, `BYTERANGE="1325@10"`), /starts at byte 10/],
    ["a gap between segments", edit("90628@86336", "90628@86337"), /segment 1 starts at byte 86337, expected 86336/],
    ["overlapping segments", edit("90628@86336", "90628@86000"), /segment 1 starts/],
    ["a byte range without an offset", edit("85011@1325", "85011"), /not a byte range/],
    [
      "an encryption key",
      edit("#EXTINF:2.000000,\n", '#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:2.000000,\n'),
      /unexpected tag #EXT-X-KEY/,
    ],
    [
      "a discontinuity",
      edit("#EXTINF:1.000000,", "#EXT-X-DISCONTINUITY\n#EXTINF:1.000000,"),
      /unexpected tag #EXT-X-DISCONTINUITY/,
    ],
    ["an unfinished playlist", edit("#EXT-X-ENDLIST\n", ""), /finished VOD/],
    ["an event playlist", edit("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-PLAYLIST-TYPE:EVENT"), /not VOD/],
    ["a zero duration", edit("#EXTINF:1.000000,", "#EXTINF:0,"), /positive/],
    ["a segment without a byte range", edit("#EXT-X-BYTERANGE:48743@271560\n", ""), /without #EXTINF and #EXT-X-BYTERANGE/],
    ["a segment after the end", `${FFMPEG_OUTPUT}#EXTINF:1.0,\n`, /after #EXT-X-ENDLIST/],
    [
      "two init sections",
      edit("#EXTINF:1.000000,", `#EXT-X-MAP:URI="x",BYTERANGE="1@0"\n#EXTINF:1.000000,`),
      /second #EXT-X-MAP/,
    ],
  ])("refuses %s", (_name, text, message) => {
    expect(() => parseHlsPlaylist(text)).toThrow(HlsPlaylistError);
    expect(() => parseHlsPlaylist(text)).toThrow(message);
  });

  it("refuses ranges that stop short of the file's end or run past it", () => {
    expect(() => parseHlsPlaylist(FFMPEG_OUTPUT, { fileSize: FILE_SIZE + 8 })).toThrow(
      /end at byte 320303 but the file has 320311/,
    );
    expect(() => parseHlsPlaylist(FFMPEG_OUTPUT, { fileSize: FILE_SIZE - 1 })).toThrow(HlsPlaylistError);
  });

  it("refuses a playlist without segments", () => {
    const empty = FFMPEG_OUTPUT.split("#EXTINF")[0] + "#EXT-X-ENDLIST\n";
    expect(() => parseHlsPlaylist(empty)).toThrow(/no segments/);
  });
});
