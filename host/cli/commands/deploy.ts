// edgecl deploy: load the device module and a learner configuration onto a board, and say what it takes.
import { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { openBoard } from "../../board/connect.js";
import { modulePath } from "../../device/module.js";
import { createProgress } from "../../report/progress.js";
import { bytes } from "../../report/units.js";
import { expected, UsageError } from "../errors.js";
import { parseTimeout } from "./monitor.js";

interface DeployOptions {
  board: string;
  manifest?: string;
  config: string;
  module?: string;
  flashDir: string;
  timeout?: string;
  json?: boolean;
}

/**
 * The learner's configuration: a file's bytes as they are (the config blobs of docs/protocol.md's
 * DEPLOY), or an inline JSON object sent as UTF-8 text (for device modules that read JSON).
 */
export function readConfig(text: string): Uint8Array | string {
  if (existsSync(text)) return new Uint8Array(readFileSync(text));
  if (!text.trim().startsWith("{")) throw expected("--config to be a file of config blobs or an inline JSON object", text);
  try {
    const parsed = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
  } catch (err) {
    throw new UsageError(`expected --config to hold a JSON object, received ${JSON.stringify(text.slice(0, 60))} (${(err as Error).message})`);
  }
  return text;
}

export function deployCommand(): Command {
  return new Command("deploy")
    .description("Deploy the device module and a learner configuration (model, precision, strategy) to a board")
    .requiredOption("--board <board>", "board id (edgecl boards), manifest path, tcp:HOST:PORT or serial:PATH[@BAUD]")
    .requiredOption("--config <file|json>", "learner configuration: a file of config blobs (model, then strategy), or an inline JSON object")
    .option("--manifest <id|path>", "manifest of a tcp: or serial: board")
    .option("--module <file>", "device module (default: build/device-simd.wasm on a SIMD runtime, else build/device.wasm)")
    .option("--flash-dir <dir>", "flash directory of a simulated board", "out/flash")
    .option("--timeout <ms>", "time to wait for each reply (default: the manifest's)")
    .option("--json", "print the board's DEPLOY reply as JSON")
    .action(async (options: DeployOptions) => {
      const config = readConfig(options.config);
      const timeoutMs = parseTimeout(options.timeout);
      const { client, manifest, name } = await openBoard(options.board, { manifest: options.manifest, flashDir: options.flashDir, timeoutMs });
      try {
        const hello = await client.hello();
        const path = options.module ?? modulePath(hello.runtime === "v8" && (manifest?.runtime.simd ?? false));
        if (!existsSync(path)) throw new UsageError(`expected a device module at ${path}, received no file there; run npm run build or pass --module`);
        const module = new Uint8Array(readFileSync(path));
        const progress = createProgress({ stream: options.json ? process.stderr : process.stdout });
        progress.start(module.length, `deploying to ${name}`);
        const reply = await client.deploy({ config, module }, { onProgress: (sent, total) => progress.update(sent, `${bytes(sent)} of ${bytes(total)}`) });
        progress.stop();
        if (options.json) {
          console.log(JSON.stringify({ board: hello.board, module: path, moduleBytes: module.length, ...reply }));
        } else {
          console.log(
            `deployed ${path} (${bytes(module.length)}) to board ${hello.board}: ${reply.parameters} parameters, ` +
              `learner ${bytes(reply.modelBytes)}, linear memory ${bytes(reply.memoryUsed)} of ${bytes(reply.memoryLimit)}`,
          );
        }
      } finally {
        await client.close();
      }
    });
}
