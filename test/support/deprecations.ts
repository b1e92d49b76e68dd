import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** TypeScript's suggestion diagnostics for a deprecated symbol: "'{0}' is deprecated." and its signature form. */
export const DEPRECATION_CODES: ReadonlySet<number> = new Set([6385, 6387]);

export interface Deprecation {
  /** The identifier the diagnostic points at, e.g. `search` in `client.clips.search`. */
  name: string;
  /** 1-based line of the snippet. */
  line: number;
  code: number;
  message: string;
}

/**
 * Type-checks `source` as if it were the file `test/fixtures/<name>` under the repository's
 * tsconfig.json (so its imports resolve like the tests'), and returns what an editor would strike
 * through: the deprecation suggestions, which a program's errors do not include (they come from the
 * language service). Any error in the snippet fails the call, so a typo cannot pass as "not deprecated".
 */
export function deprecationsIn(name: string, source: string): Deprecation[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("tsconfig.json did not parse");
  const fileName = path.join(ROOT, "test/fixtures", name);
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => ({ ...config.options, noEmit: true }),
    getScriptFileNames: () => [fileName],
    getScriptVersion: () => "1",
    getScriptSnapshot: (file) => {
      const text = file === fileName ? source : ts.sys.readFile(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => ROOT,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (file) => file === fileName || ts.sys.fileExists(file),
    readFile: (file) => (file === fileName ? source : ts.sys.readFile(file)),
    readDirectory: (...args) => ts.sys.readDirectory(...args),
    directoryExists: (directory) => ts.sys.directoryExists(directory),
    getDirectories: (directory) => ts.sys.getDirectories(directory),
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  try {
    const errors = [...service.getSyntacticDiagnostics(fileName), ...service.getSemanticDiagnostics(fileName)];
    if (errors.length > 0) {
      const text = errors.map((error) => ts.flattenDiagnosticMessageText(error.messageText, "\n")).join("\n");
      throw new Error(`the snippet does not type-check:\n${text}`);
    }
    return service
      .getSuggestionDiagnostics(fileName)
      .filter((diagnostic) => DEPRECATION_CODES.has(diagnostic.code))
      .map((diagnostic) => {
        const start = diagnostic.start ?? 0;
        return {
          name: source.slice(start, start + (diagnostic.length ?? 0)),
          line:
            ts.getLineAndCharacterOfPosition(
              diagnostic.file ?? ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2023),
              start,
            ).line + 1,
          code: diagnostic.code,
          message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
        };
      });
  } finally {
    service.dispose();
  }
}

/**
 * The procedure paths whose access (`client.<path>`) is struck through, for a `client` declared by
 * `header` (lines of TypeScript, e.g. `declare const client: ReelbaseClient;` and its import).
 */
export function struckThroughPaths(name: string, header: readonly string[], paths: readonly string[]): string[] {
  const snippet = [...header, ...paths.map((path, index) => `export const p${index} = client.${path};`)].join("\n");
  const struck = new Set(deprecationsIn(name, snippet).map(({ line }) => paths[line - header.length - 1]));
  return paths.filter((path) => struck.has(path));
}
