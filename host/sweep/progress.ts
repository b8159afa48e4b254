// Progress of a sweep on stderr: a cli-progress bar with the ETA on a terminal, one line per finished
// run otherwise (a pipe, a log file, CI), each with the ETA from the mean time per run so far.
import cliProgress, { type GenericBar, type MultiBar } from "cli-progress";

export interface SweepProgress {
  /** A run ended: `done` of `total` runs are now over. */
  ended(done: number, line: string): void;
  stop(): void;
}

function etaText(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function sweepProgress(total: number, label: string, stream: NodeJS.WritableStream = process.stderr): SweepProgress {
  const started = Date.now();
  if ((stream as NodeJS.WriteStream).isTTY) {
    const multibar: MultiBar = new cliProgress.MultiBar(
      { format: "{label} |{bar}| {value}/{total} runs | ETA {eta_formatted}", stream, hideCursor: true, clearOnComplete: false, barsize: 30 },
      cliProgress.Presets.shades_classic,
    );
    const bar: GenericBar = multibar.create(total, 0, { label });
    let stopped = false;
    const stop = () => {
      if (!stopped) multibar.stop();
      stopped = true;
    };
    return {
      ended(done, line) {
        if (done < total) {
          multibar.log(`${line}\n`);
          bar.update(done);
          return;
        }
        // The bar prints logged lines on its next redraw, and after the last run there is none.
        bar.update(done);
        stop();
        stream.write(`${line}\n`);
      },
      stop,
    };
  }
  return {
    ended(done, line) {
      const perRun = (Date.now() - started) / 1000 / done;
      stream.write(`${label} [${done}/${total}] ${line}; ETA ${etaText(perRun * (total - done))}\n`);
    },
    stop() {},
  };
}
