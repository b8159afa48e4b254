// edgecl deploy: load the device module and a learner configuration onto a board, and say what it takes.
import { Command } from "commander";
import { writeOutput } from "../../report/io.js";
import { existsSync, readFileSync } from "node:fs";
import { openBoard } from "../../client/connect.js";
import { modulePath } from "../../device/module.js";
import { bytes } from "../../report/units.js";
import { applyConfigFile } from "../config-file.js";
import { expected, RunError, UsageError } from "../../errors.js";
import { detail, note, progressOnStderr, setVerbosity, verbosityFrom } from "../verbosity.js";
import { parseTimeout } from "./monitor.js";
import { planFromFlags, runCommand, type RunFlags } from "./run.js";

interface DeployOptions extends Omit<RunFlags, "config" | "json"> {
  board: string;
  manifest?: string;
  config?: string;
  runConfig?: string;
  writeConfig?: string;
  module?: string;
  flashDir: string;
  timeout?: string;
  json?: boolean;
}

/** Options of `edgecl run` that describe the learner and its data; deploy takes them too. */
const RUN_ONLY = new Set(["--board", "--manifest", "--memory", "--json", "--html", "--csv", "--quiet", "--config", "--timeout", "--resume", "--train-chunk", "--checkpoint-every", "--flash-dir"]);

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
  const command = new Command("deploy")
    .description("Deploy the device module and a learner (model, precision, strategy: the flags of edgecl run, or --config) to a board")
    .requiredOption("--board <board>", "board id (edgecl boards), manifest path, tcp:HOST:PORT or serial:PATH[@BAUD]")
    .option("--config <file|json>", "learner configuration as sent: a file of config blobs (model, then strategy), or an inline JSON object; default: built from the run flags")
    .option("--run-config <file>", "the JSON file of edgecl run --config: the learner it describes (flags given here override it)")
    .option("--write-config <file>", "also write the config blob built from the run flags to this file (what --config reads)")
    .option("--manifest <id|path>", "manifest of a tcp: or serial: board")
    .option("--module <file>", "device module (default: build/device-simd.wasm on a SIMD runtime, else build/device.wasm)")
    .option("--flash-dir <dir>", "flash directory of a simulated board", "out/flash")
    .option("--timeout <ms>", "time to wait for each reply (default: the manifest's)")
    .option("--json", "print the board's DEPLOY reply as JSON");
  for (const option of runCommand().options) if (!RUN_ONLY.has(option.long!)) command.addOption(option);
  return command
    .hook("preAction", (cmd) => {
      const file = cmd.getOptionValue("runConfig") as string | undefined;
      if (file !== undefined) applyConfigFile(cmd, file);
      setVerbosity(verbosityFrom(cmd.opts()));
    })
    .action(async (options: DeployOptions, cmd: Command) => {
      const fromRunFlags = (["cli", "config"] as const).some((source) =>
        cmd.options.some((o) => !RUN_ONLY.has(o.long!) && runCommand().options.some((r) => r.long === o.long) && cmd.getOptionValueSource(o.attributeName()) === source),
      );
      if (options.config !== undefined && (fromRunFlags || options.writeConfig !== undefined)) {
        throw new UsageError("--config sends a learner configuration as it is; give it or the run flags (--model, --strategy, ..., --run-config), not both");
      }
      let config: Uint8Array | string;
      if (options.config !== undefined) config = readConfig(options.config);
      else {
        const planned = planFromFlags({ ...options, board: options.board } as RunFlags, cmd);
        const blob = planned.plan.deploy;
        if (typeof blob === "function") throw new RunError("expected a fixed learner configuration from the run flags, received one that depends on the board");
        config = blob.config as Uint8Array;
        detail(`learner: ${String(planned.plan.config.model)} on ${planned.benchmark.name} (${planned.benchmark.scenario}), strategy ${options.strategy}, precision ${String(planned.plan.config.precision)}: ${config.length} bytes of config blobs`);
        if (options.writeConfig !== undefined) {
          writeOutput(options.writeConfig, config, "config blob");
          note(`config blob: ${options.writeConfig} (${config.length} bytes)`);
        }
      }
      const timeoutMs = parseTimeout(options.timeout);
      const { client, manifest, name } = await openBoard(options.board, { manifest: options.manifest, flashDir: options.flashDir, timeoutMs });
      try {
        const hello = await client.hello();
        const path = options.module ?? modulePath(hello.runtime === "v8" && (manifest?.runtime.simd ?? false));
        if (!existsSync(path)) throw new UsageError(`expected a device module at ${path}, received no file there; run npm run build or pass --module`);
        const module = new Uint8Array(readFileSync(path));
        const progress = progressOnStderr();
        let started = false;
        // Progress counts the bytes of the DEPLOY payload (module and config), as the board acknowledges them.
        const reply = await client.deploy(
          { config, module },
          {
            onProgress: (sent, total) => {
              if (!started) progress.start(total, `deploying to ${name}`);
              started = true;
              progress.update(sent, `${bytes(Math.min(sent, total))} of ${bytes(total)}`);
            },
          },
        );
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
