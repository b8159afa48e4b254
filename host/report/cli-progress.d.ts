// The part of cli-progress (which ships no types) that host/report/progress.ts uses.
declare module "cli-progress" {
  export interface Options {
    format?: string;
    stream?: NodeJS.WritableStream;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
    stopOnComplete?: boolean;
    barsize?: number;
    noTTYOutput?: boolean;
    forceRedraw?: boolean;
  }
  export class GenericBar {
    update(value: number, payload?: Record<string, unknown>): void;
    setTotal(total: number): void;
  }
  export class MultiBar {
    constructor(options: Options, preset?: object);
    create(total: number, startValue: number, payload?: Record<string, unknown>): GenericBar;
    remove(bar: GenericBar): boolean;
    log(text: string): void;
    stop(): void;
  }
  export const Presets: { shades_classic: object; legacy: object; rect: object };
  const cliProgress: { MultiBar: typeof MultiBar; Presets: typeof Presets };
  export default cliProgress;
}
