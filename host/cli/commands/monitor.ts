// edgecl monitor: read a board's telemetry at an interval and print it as it changes.
import { Command } from "commander";
import { openBoard } from "../../client/connect.js";
import type { TelemetryReply } from "../../client/client.js";
import { formatWordName } from "../../report/format-names.js";
import { bytes, count, duration, joules } from "../../report/units.js";
import { expected } from "../../errors.js";
import { note } from "../verbosity.js";

interface MonitorOptions {
  board: string;
  manifest?: string;
  interval: string;
  count?: string;
  reset?: boolean;
  flashDir: string;
  timeout?: string;
  json?: boolean;
}

export function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw expected("--timeout in milliseconds, an integer >= 1", text);
  return Number(text);
}

function positiveInteger(text: string, what: string, min = 1): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) throw expected(`${what}: an integer >= ${min}`, text);
  return Number(text);
}

/**
 * One telemetry reading as a line, with the MAC rate since the previous one. Counters that went down
 * were reset in between (by the session driving the board, e.g. a run at each experience): no rate.
 */
export function telemetryLine(t: TelemetryReply, previous: TelemetryReply | null, elapsedMs: number): string {
  const reset = previous !== null && (t.macs < previous.macs || t.timeUs < previous.timeUs);
  const rate = reset ? " (counters reset since the last reading)" : previous && elapsedMs > 0 ? ` (${count(((t.macs - previous.macs) * 1000) / elapsedMs)} MAC/s)` : "";
  const formats = t.macsByFormat.map((f) => `${formatWordName(f.format)} ${count(f.macs)}`).join(", ");
  return [
    `time ${duration(t.timeUs)}`,
    `MACs ${count(t.macs)}${rate}${formats ? ` [${formats}]` : ""}`,
    `accelerator ${t.accelJobs} jobs ${count(t.cycles)} cycles`,
    `energy ${Number.isFinite(t.energyJ) ? joules(t.energyJ) : "–"}`,
    `memory ${bytes(t.memoryUsed)} (peak ${bytes(t.memoryPeak)}) of ${bytes(t.memoryLimit)}`,
  ].join("  ");
}

export function monitorCommand(): Command {
  return new Command("monitor")
    .description("Show a board's live telemetry (time, MACs, accelerator, energy, memory) at an interval")
    .requiredOption("--board <board>", "board id (edgecl boards), manifest path, tcp:HOST:PORT or serial:PATH[@BAUD]")
    .option("--manifest <id|path>", "manifest of a tcp: or serial: board")
    .option("--interval <ms>", "time between readings", "1000")
    .option("--count <n>", "stop after n readings (default: until interrupted)")
    .option("--reset", "zero the counters after each reading (each line shows one interval); refused while another session drives the board")
    .option("--flash-dir <dir>", "flash directory of a simulated board", "out/flash")
    .option("--timeout <ms>", "time to wait for each reply (default: the manifest's)")
    .option("--json", "print one JSON object per reading")
    .action(async (options: MonitorOptions) => {
      const interval = positiveInteger(options.interval, "--interval in milliseconds", 10);
      const readings = options.count === undefined ? Infinity : positiveInteger(options.count, "--count");
      const timeoutMs = parseTimeout(options.timeout);
      const { client } = await openBoard(options.board, { manifest: options.manifest, flashDir: options.flashDir, timeoutMs });
      let stopping = false;
      const stop = () => (stopping = true);
      process.once("SIGINT", stop);
      try {
        const hello = await client.hello();
        if (!options.json) note(`monitoring board ${hello.board} (${hello.runtime}) every ${interval} ms`);
        let previous: TelemetryReply | null = null;
        let previousAt = 0;
        for (let n = 0; n < readings && !stopping; n++) {
          if (n > 0) await new Promise((resolve) => setTimeout(resolve, interval));
          const t = await client.telemetry({ resetCounters: options.reset });
          const now = performance.now();
          if (options.json) {
            const macsByFormat = Object.fromEntries(t.macsByFormat.map((f) => [formatWordName(f.format), f.macs]));
            console.log(JSON.stringify({ reading: n, ...t, energyJ: Number.isFinite(t.energyJ) ? t.energyJ : null, macsByFormat }));
          } else {
            console.log(telemetryLine(t, options.reset ? null : previous, now - previousAt));
          }
          previous = t;
          previousAt = now;
        }
      } finally {
        process.removeListener("SIGINT", stop);
        await client.close();
      }
    });
}
