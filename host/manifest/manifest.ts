// Board manifests: board/<id>.json, the file name is the board id. A missing or wrong key is reported with
// the file and the key.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";
import { parseFormat, parseRounding } from "../formats/parse.js";

export type TransportKind = "process" | "tcp" | "serial" | "qemu";
export type RuntimeKind = "v8" | "wasm2c" | "wamr";

export interface AcceleratorManifest {
  present: boolean;
  rows?: number;
  cols?: number;
  clockHz?: number;
  productFormats?: string[];
  accumulatorFormats?: string[];
  rounding?: string[];
  [key: string]: unknown;
}

export interface BoardManifest {
  id: string;
  file: string;
  name: string;
  cpu: { arch: string; clockHz: number };
  memory: { linearMemoryBytes: number; flashBytes: number };
  transport: { kind: TransportKind; maxFrameSize: number; timeoutMs: number; [key: string]: unknown };
  runtime: { kind: RuntimeKind; simd?: boolean };
  accelerator: AcceleratorManifest;
  energy?: Record<string, unknown>;
}

function boardsDir(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  // host/manifest (sources) or dist/host/manifest (compiled): the manifests live in <repo>/board.
  const up = join(here, "..", "..");
  return basename(up) === "dist" ? join(up, "..", "board") : join(up, "board");
}

export const BOARDS_DIR = boardsDir();

export function boardIds(): string[] {
  return readdirSync(BOARDS_DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

class ManifestReader {
  constructor(readonly file: string, readonly data: unknown) {}

  private at(path: string): unknown {
    let node: any = this.data;
    for (const key of path.split(".")) {
      if (node === null || typeof node !== "object" || !(key in node)) throw new UsageError(`${this.file}: missing key "${path}"`);
      node = node[key];
    }
    return node;
  }

  private wrong(path: string, what: string, value: unknown): UsageError {
    return new UsageError(`${this.file}: key "${path}": expected ${what}, received ${JSON.stringify(value)}`);
  }

  string(path: string, allowed?: readonly string[]): string {
    const v = this.at(path);
    if (typeof v !== "string" || (allowed && !allowed.includes(v))) throw this.wrong(path, allowed ? `one of ${allowed.join(", ")}` : "a string", v);
    return v;
  }

  number(path: string, min = 0): number {
    const v = this.at(path);
    if (typeof v !== "number" || !Number.isFinite(v) || v < min) throw this.wrong(path, `a number >= ${min}`, v);
    return v;
  }

  boolean(path: string): boolean {
    const v = this.at(path);
    if (typeof v !== "boolean") throw this.wrong(path, "true or false", v);
    return v;
  }

  object(path: string): Record<string, unknown> {
    const v = this.at(path);
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw this.wrong(path, "an object", v);
    return v as Record<string, unknown>;
  }

  names(path: string, check: (name: string) => unknown): string[] {
    const v = this.at(path);
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw this.wrong(path, "a list of names", v);
    for (const name of v) {
      try {
        check(name);
      } catch (err) {
        throw new UsageError(`${this.file}: key "${path}": ${(err as Error).message}`);
      }
    }
    return v;
  }
}

/** Reads and checks one manifest file. */
export function readManifest(file: string): BoardManifest {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`${file}: not a readable JSON board manifest (${(err as Error).message})`);
  }
  return checkManifest(data, file);
}

/** Checks manifest data as if read from `file` (its id is the file name); a missing or wrong key names both. */
export function checkManifest(data: unknown, file: string): BoardManifest {
  const r = new ManifestReader(file, data);
  const present = r.boolean("accelerator.present");
  const accelerator: AcceleratorManifest = { ...r.object("accelerator"), present };
  if (present) {
    accelerator.rows = r.number("accelerator.rows", 1);
    accelerator.cols = r.number("accelerator.cols", 1);
    accelerator.clockHz = r.number("accelerator.clockHz", 1);
    accelerator.productFormats = r.names("accelerator.productFormats", (n) => parseFormat(n));
    accelerator.accumulatorFormats = r.names("accelerator.accumulatorFormats", (n) => parseFormat(n));
    accelerator.rounding = r.names("accelerator.rounding", (n) => parseRounding(n));
  }
  const manifest: BoardManifest = {
    id: basename(file, ".json"),
    file,
    name: r.string("name"),
    cpu: { arch: r.string("cpu.arch"), clockHz: r.number("cpu.clockHz", 1) },
    memory: { linearMemoryBytes: r.number("memory.linearMemoryBytes", 65536), flashBytes: r.number("memory.flashBytes") },
    transport: {
      ...r.object("transport"),
      kind: r.string("transport.kind", ["process", "tcp", "serial", "qemu"]) as TransportKind,
      maxFrameSize: r.number("transport.maxFrameSize", 64),
      timeoutMs: r.number("transport.timeoutMs", 1),
    },
    runtime: { kind: r.string("runtime.kind", ["v8", "wasm2c", "wamr"]) as RuntimeKind, simd: (r.object("runtime").simd as boolean | undefined) ?? false },
    accelerator,
  };
  if (manifest.transport.slowestMacsPerSecond !== undefined) r.number("transport.slowestMacsPerSecond", 1);
  if ((data as Record<string, unknown>).energy !== undefined) manifest.energy = r.object("energy");
  return manifest;
}

/** Resolves a board id (board/<id>.json) or a path to a manifest file. */
export function loadBoard(idOrPath: string): BoardManifest {
  const isPath = idOrPath.endsWith(".json") || idOrPath.includes("/");
  const file = isPath ? idOrPath : join(BOARDS_DIR, `${idOrPath}.json`);
  if (!existsSync(file)) {
    throw new UsageError(`expected a board: ${boardIds().join(", ")} or a manifest path, received ${JSON.stringify(idOrPath)}`);
  }
  return readManifest(file);
}
