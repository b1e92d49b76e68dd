/** The part of the espeak-ng package (an Emscripten build, shipped without types) that espeak-synth.mjs uses. */
declare module "espeak-ng" {
  export interface ESpeakNgModule {
    FS: {
      readFile(path: string): Uint8Array;
      writeFile(path: string, data: string | Uint8Array): void;
    };
  }

  export interface ESpeakNgOptions {
    /** espeak-ng's command line; main() runs once with it when the module has loaded. */
    arguments: string[];
    preRun?: Array<(module: ESpeakNgModule) => void>;
    /** Emscripten's hook to instantiate the WebAssembly module yourself (e.g. from one compiled once). */
    instantiateWasm?: (imports: object, done: (instance: object) => void) => object;
    print?: (line: unknown) => void;
    printErr?: (line: unknown) => void;
    /** Called with main()'s exit status. */
    quit?: (status: number, error: unknown) => void;
  }

  export default function ESpeakNg(options: ESpeakNgOptions): Promise<ESpeakNgModule>;
}
