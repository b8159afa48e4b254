// Wall time of the default experiment (`npm start`: edgecl run with its defaults, split-mnist, 5
// experiences of 300 steps) on qemu-rv32 next to sim. The full run on sim; on qemu-rv32 one experience
// at two step counts (ITERATIONS), fitted as a line (fixed cost: boot, data, eval; cost per step) and
// extrapolated to the default's experiences and steps (later experiences replay a little more: the
// estimate is a lower bound of a few percent). Each figure is the wall time of `edgecl run` as a child
// process, image already built.
// Usage: npm run bench -- qemu [--checkout DIR] [--steps A,B]
//   DIR: another edgecl checkout, built, whose CLI to measure; A,B: the two step counts (default 20,60).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const at = process.argv.indexOf("--checkout");
const checkout = at > 0 ? resolve(process.argv[at + 1]) : resolve(fileURLToPath(new URL("..", import.meta.url)));
const bin = join(checkout, "bin", "edgecl.js");
const DEFAULT = { experiences: 5, iterations: 300 };
const steps = process.argv.indexOf("--steps");
const ITERATIONS = steps > 0 ? process.argv[steps + 1].split(",").map(Number) : [20, 60];
if (ITERATIONS.length !== 2 || !ITERATIONS.every((n) => Number.isInteger(n) && n > 0) || ITERATIONS[0] === ITERATIONS[1])
  throw new Error(`expected --steps as two different positive step counts A,B, received ${process.argv[steps + 1]}`);
const dir = mkdtempSync(join(tmpdir(), "edgecl-bench-qemu-"));

function run(board, extra) {
  const json = join(dir, `${board}-${extra.join("-")}.json`);
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, [bin, "run", "--board", board, "--quiet", "--json", json, ...extra], { stdio: ["ignore", "ignore", "inherit"] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const report = JSON.parse(readFileSync(json, "utf8"));
  const macs = report.telemetry.reduce((sum, t) => sum + t.train.macs + t.eval.macs, 0);
  return { seconds, macs, checksum: report.modelChecksum };
}

try {
  console.log(`edgecl ${checkout}; ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  // Build the image first, so no figure includes it.
  run("qemu-rv32", ["--experiences", "1", "--iterations", "1", "--train-samples", "16", "--test-samples", "16"]);
  const sim = run("sim", []);
  console.log(`sim, default experiment: ${sim.seconds.toFixed(1)} s, ${(sim.macs / 1e9).toFixed(2)} G MACs`);
  const points = ITERATIONS.map((iterations) => {
    const r = run("qemu-rv32", ["--experiences", "1", "--iterations", String(iterations)]);
    console.log(`qemu-rv32, 1 experience of ${iterations} steps: ${r.seconds.toFixed(1)} s, ${(r.macs / 1e6).toFixed(0)} M MACs, ${(r.macs / r.seconds / 1e6).toFixed(1)} M MAC/s`);
    return { iterations, ...r };
  });
  const [a, b] = points;
  const perStep = (b.seconds - a.seconds) / (b.iterations - a.iterations);
  const fixed = a.seconds - perStep * a.iterations;
  const estimate = DEFAULT.experiences * (fixed + perStep * DEFAULT.iterations);
  console.log(`qemu-rv32 per experience: ${fixed.toFixed(1)} s fixed + ${(perStep * 1000).toFixed(0)} ms per step`);
  console.log(`qemu-rv32, default experiment (extrapolated): ${(estimate / 60).toFixed(1)} min, ${(estimate / sim.seconds).toFixed(1)} x sim`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
