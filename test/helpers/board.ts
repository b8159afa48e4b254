// Simulated boards for tests: the stand-in device module (test/board/fixtures/standin.ts,
// compiled once per content and initial memory), a simulated board in this process behind an
// in-process link, and a BoardClient on the other end.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadBoard, type BoardManifest } from "../../host/manifest/manifest.js";
import { BoardClient } from "../../host/client/client.js";
import { transportPair } from "../../host/transport/transport.js";
import { SimBoard, type SimBoardOptions } from "../../board/sim/board.js";

const FIXTURES = fileURLToPath(new URL("../board/fixtures/", import.meta.url));
const ASC = fileURLToPath(new URL("../../node_modules/.bin/asc", import.meta.url));

/** The stand-in device module with `initialPages` pages of initial linear memory. */
export function standinWasm(initialPages = 1): Uint8Array {
  const source = readFileSync(join(FIXTURES, "standin.ts"));
  const key = createHash("sha256").update(source).update(String(initialPages)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "edgecl-test-standin");
  const out = join(dir, `standin-${key}.wasm`);
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${out}.${process.pid}.tmp`;
    // Run from the fixtures folder so that the repository's asconfig.json (the device's entries) stays out.
    execFileSync(ASC, ["standin.ts", "--runtime", "stub", "--use", "abort=", "--initialMemory", String(initialPages), "-O1", "-o", partial], { cwd: FIXTURES });
    renameSync(partial, out);
  }
  return new Uint8Array(readFileSync(out));
}

export function manifest(id: string, overrides: { linearMemoryBytes?: number; maxFrameSize?: number } = {}): BoardManifest {
  const m = loadBoard(id);
  return {
    ...m,
    memory: { ...m.memory, linearMemoryBytes: overrides.linearMemoryBytes ?? m.memory.linearMemoryBytes },
    transport: { ...m.transport, maxFrameSize: overrides.maxFrameSize ?? m.transport.maxFrameSize },
  };
}

/**
 * A board in this process and a client talking to it over an in-process link. `control.hung = true`
 * makes the board stop answering; closing `boardEnd` is the board dying.
 */
export function connectInProcess(options: SimBoardOptions, clientTimeoutMs = 10_000) {
  const board = new SimBoard(options);
  const [host, boardEnd] = transportPair(["test host", `board ${options.manifest.id}`]);
  const link = board.openLink();
  const control = { hung: false };
  boardEnd.onData((bytes) => {
    if (control.hung) return;
    for (const frame of link.receive(bytes)) if (boardEnd.open) boardEnd.write(frame);
  });
  // The host going away ends its session: another link may then drive the board (one driver per board).
  boardEnd.onClose(() => link.close());
  const client = new BoardClient(host, { board: options.manifest.id, timeoutMs: clientTimeoutMs });
  return { board, client, boardEnd, control };
}

/** A small data batch: `count` samples of `features` values, labels cycling through 0..classes-1. */
export function batch(count: number, features = 4, classes = 2): { inputs: Float32Array; labels: Uint8Array } {
  const inputs = new Float32Array(count * features);
  for (let i = 0; i < inputs.length; i++) inputs[i] = (i % 255) / 255;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  return { inputs, labels };
}
