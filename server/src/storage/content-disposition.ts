/** Filenames longer than this are cut: they only name a download, and headers have size limits. */
const MAX_FILENAME_LENGTH = 200;

/**
 * `attachment` with an ASCII fallback and the RFC 6266/8187 UTF-8 form, so any name survives.
 * Quotes, backslashes, control characters and path separators never reach the header as is,
 * which rules out header injection and a browser saving outside its download folder.
 */
export function attachmentDisposition(filename: string): string {
  const cleaned = Array.from(filename)
    .map((char) => (isControl(char) || char === "/" || char === "\\" ? "_" : char))
    .slice(0, MAX_FILENAME_LENGTH);
  const fallback = cleaned.map((char) => (char < " " || char > "~" || char === '"' || char === "%" ? "_" : char)).join("");
  const encoded = encodeURIComponent(cleaned.join("")).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

function isControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code < 0xa0);
}
