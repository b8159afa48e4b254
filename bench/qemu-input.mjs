// The host's bytes into qemu-rv32 on each input channel (the manifest's transport.input; the same image):
// large frames (random non-zero bytes and a delimiter, each answered with one ERROR) in ms per frame and
// KiB/s, then a fuzz sample (host/client/fuzz.ts, the learner of scripts/fuzz.mjs) in frames/s, whose
// counts must be the same on both channels. The image is built first, so no figure includes it.
// Usage: npm run bench -- qemu-input [--frames N] [--size BYTES] [--fuzz N]
import { cpus, loadavg } from "node:os";
import { BoardClient } from "../dist/host/client/client.js";
import { fuzzBoard } from "../dist/host/client/fuzz.js";
import { openQemuBoard } from "../dist/host/firmware/board.js";
import { loadBoard } from "../dist/host/manifest/manifest.js";
import { fuzzPlan, setUpFuzzLearner } from "../scripts/fuzz-learner.mjs";
import { Rng } from "../dist/host/data/rng.js";

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`expected --${name} to be a whole number >= 1, received ${JSON.stringify(process.argv[at + 1])}`);
  return value;
}
const FRAMES = option("frames", 16);
const SIZE = option("size", 16000);
const FUZZ = option("fuzz", 640);
const manifest = loadBoard("qemu-rv32");
const load = () => loadavg().map((x) => x.toFixed(1)).join(" ");

/** ms per frame of SIZE bytes, each answered by one ERROR (the board's reply ends with a delimiter). */
async function frames(input) {
  const transport = await openQemuBoard(manifest, { input });
  try {
    let delimiters = 0;
    let waiting = null;
    transport.onData((bytes) => {
      for (const b of bytes) if (b === 0 && ++delimiters >= (waiting?.count ?? Infinity)) waiting.resolve();
    });
    await new Promise((r) => setTimeout(r, 200)); // the board's first delimiter
    const rng = Rng.forStream(1, "bench/qemu-input");
    const frame = Uint8Array.from({ length: SIZE + 1 }, (_, i) => (i === SIZE ? 0 : 1 + Math.floor(rng.nextFloat() * 255)));
    const t0 = performance.now();
    for (let k = 0; k < FRAMES; k++) {
      const answered = new Promise((resolve) => (waiting = { count: delimiters + 1, resolve }));
      transport.write(frame);
      await answered;
    }
    return (performance.now() - t0) / FRAMES;
  } finally {
    await transport.close();
  }
}

async function fuzz(input) {
  const plan = fuzzPlan(1, "qemu-rv32");
  const setUp = (client) => setUpFuzzLearner(plan, client);
  let started = 0;
  const stats = await fuzzBoard({
    frames: FUZZ, seed: 1, timeoutMs: 60_000, setUp,
    open: async () => {
      const transport = await openQemuBoard(manifest, { input });
      started ||= performance.now();
      return { client: new BoardClient(transport, { board: manifest.id, timeoutMs: 60_000 }), transport };
    },
  });
  const { frames: n, replies, errors, explainedChanges, crashes, hangs, badReplies, unexplained } = stats;
  return { perSecond: n / ((performance.now() - started) / 1000), counts: JSON.stringify({ n, replies, errors, explainedChanges, crashes, hangs, badReplies, unexplained }) };
}

console.log(`qemu-rv32 input channels; ${cpus().length} cores, load ${load()}`);
await (await openQemuBoard(manifest)).close(); // builds the image if needed
for (const input of ["uart", "virtio"]) {
  const ms = await frames(input);
  console.log(`${input}: ${FRAMES} frames of ${SIZE} bytes, ${ms.toFixed(0)} ms each, ${(SIZE / 1024 / (ms / 1000)).toFixed(0)} KiB/s (load ${load()})`);
}
const counts = [];
for (const input of ["uart", "virtio"]) {
  const result = await fuzz(input);
  counts.push(result.counts);
  console.log(`${input}: fuzz, ${FUZZ} frames, ${result.perSecond.toFixed(0)} frames/s (load ${load()})`);
}
if (counts[0] !== counts[1]) throw new Error(`expected the same fuzz counts on both channels, received\n  uart   ${counts[0]}\n  virtio ${counts[1]}`);
console.log(`same counts on both channels: ${counts[0]}`);
