// Wall time of the default experiment (`npm start`: edgecl run with its defaults, split-mnist, 5
// experiences of 300 steps) on qemu-rv32 next to sim. The full run on sim; on qemu-rv32 one experience
// at two step counts (ITERATIONS), fitted as a line (fixed cost: boot, data, eval; cost per step) and
// extrapolated to the default's experiences and steps (later experiences replay a little more: the
// estimate is a lower bound of a few percent). Each figure is the wall time of `edgecl run` as a child
// process, image already built. Device time (the board's clock: under -icount, instructions) is printed
// beside it, since it does not depend on the load.
// Usage: npm run bench -- qemu [--checkout DIR]... [--steps A,B]
//   DIR: an edgecl checkout, built, whose CLI to measure (default: this one); given more than once, the
//   checkouts take turns at each step count, so a change of load falls on all of them alike.
//   A,B: the two step counts (default 20,60).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const checkouts = args.flatMap((a, i) => (a === "--checkout" ? [resolve(args[i + 1])] : []));
if (checkouts.length === 0) checkouts.push(resolve(fileURLToPath(new URL("..", import.meta.url))));
const DEFAULT = { experiences: 5, iterations: 300 };
const steps = args.indexOf("--steps");
const ITERATIONS = steps >= 0 ? args[steps + 1].split(",").map(Number) : [20, 60];
if (ITERATIONS.length !== 2 || !ITERATIONS.every((n) => Number.isInteger(n) && n > 0) || ITERATIONS[0] === ITERATIONS[1])
  throw new Error(`expected --steps as two different positive step counts A,B, received ${args[steps + 1]}`);
const dir = mkdtempSync(join(tmpdir(), "edgecl-bench-qemu-"));
const load = () => loadavg()[0].toFixed(1);

function run(checkout, board, extra) {
  const json = join(dir, `${checkouts.indexOf(checkout)}-${board}-${extra.join("-")}.json`);
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, [join(checkout, "bin", "edgecl.js"), "run", "--board", board, "--quiet", "--json", json, ...extra], { stdio: ["ignore", "ignore", "inherit"] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const report = JSON.parse(readFileSync(json, "utf8"));
  const macs = report.telemetry.reduce((sum, t) => sum + t.train.macs + t.eval.macs, 0);
  const trainUs = report.telemetry.reduce((sum, t) => sum + t.train.timeUs, 0);
  return { seconds, macs, trainUs, checksum: report.modelChecksum };
}

try {
  console.log(`${checkouts.join(", ")}; ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  // Build the images first, so no figure includes them.
  for (const c of checkouts) run(c, "qemu-rv32", ["--experiences", "1", "--iterations", "1", "--train-samples", "16", "--test-samples", "16"]);
  const sim = run(checkouts[0], "sim", []);
  console.log(`sim, default experiment: ${sim.seconds.toFixed(1)} s, ${(sim.macs / 1e9).toFixed(2)} G MACs (load ${load()})`);
  const points = checkouts.map(() => []);
  for (const iterations of ITERATIONS) {
    checkouts.forEach((c, i) => {
      const r = run(c, "qemu-rv32", ["--experiences", "1", "--iterations", String(iterations)]);
      console.log(`${c}: qemu-rv32, 1 experience of ${iterations} steps: ${r.seconds.toFixed(1)} s, ${(r.macs / 1e6).toFixed(0)} M MACs, ${(r.macs / r.seconds / 1e6).toFixed(1)} M MAC/s, device time of training ${(r.trainUs / 1e6).toFixed(2)} s, checksum ${r.checksum} (load ${load()})`);
      points[i].push({ iterations, ...r });
    });
  }
  checkouts.forEach((c, i) => {
    const [a, b] = points[i];
    const perStep = (b.seconds - a.seconds) / (b.iterations - a.iterations);
    const devicePerStep = (b.trainUs - a.trainUs) / (b.iterations - a.iterations);
    const fixed = a.seconds - perStep * a.iterations;
    const estimate = DEFAULT.experiences * (fixed + perStep * DEFAULT.iterations);
    console.log(`${c}: qemu-rv32 per experience: ${fixed.toFixed(1)} s fixed + ${(perStep * 1000).toFixed(0)} ms per step (device time ${(devicePerStep / 1000).toFixed(1)} ms per step)`);
    console.log(`${c}: qemu-rv32, default experiment (extrapolated): ${(estimate / 60).toFixed(1)} min, ${(estimate / sim.seconds).toFixed(1)} x sim`);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
