// Fuzzes a board with random and mutated frames (host/client/fuzz.ts; docs/protocol.md "Fuzzing"):
//
//   npm run fuzz -- --frames N --board B [--seed S] [--batch K] [--timeout MS]
//
// The learner it sets up first (and whose traffic it mutates) is scripts/fuzz-learner.mjs's. Prints a line per 10 % of the
// frames and a summary; exits 1 when a crash, a hang, a reply that does not decode or an unexplained
// model change was seen, 2 on bad arguments.
import { Command, CommanderError } from "commander";
import { openBoard } from "../dist/host/client/connect.js";
import { fuzzBoard } from "../dist/host/client/fuzz.js";
import { fuzzPlan, setUpFuzzLearner } from "./fuzz-learner.mjs";

const program = new Command("fuzz")
  .requiredOption("--frames <n>", "frames to send")
  .requiredOption("--board <board>", "board id, manifest path, tcp:HOST:PORT or serial:PATH")
  .option("--seed <s>", "seed of the frames", "1")
  .option("--batch <k>", "frames between two checks", "64")
  .option("--timeout <ms>", "how long the board may stay silent after a batch before it counts as hung", "60000")
  .option("--manifest <id>", "manifest of a tcp: or serial: board")
  .exitOverride();

function whole(name, text, min) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(`fuzz: expected --${name} to be a whole number >= ${min}, received ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

let options;
try {
  options = program.parse(process.argv).opts();
} catch (err) {
  process.exit(err instanceof CommanderError && err.exitCode === 0 ? 0 : 2);
}
const frames = whole("frames", options.frames, 1);
const seed = whole("seed", options.seed, 0);
const batch = whole("batch", options.batch, 1);
const timeoutMs = whole("timeout", options.timeout, 1);

const plan = fuzzPlan(seed, options.board, options.manifest);
const setUp = (client) => setUpFuzzLearner(plan, client);

const started = performance.now();
let nextReport = frames / 10;
let reported = 0;
const stats = await fuzzBoard({
  frames,
  seed,
  batch,
  timeoutMs,
  open: async () => {
    const opened = await openBoard(options.board, { manifest: options.manifest });
    return { client: opened.client, transport: opened.transport };
  },
  setUp,
  onBatch: (s) => {
    const problems = [...s.crashes, ...s.hangs, ...s.badReplies, ...s.unexplained];
    for (const line of problems.slice(reported)) console.log(`  ${line}`);
    reported = problems.length;
    if (s.frames < nextReport) return;
    nextReport += frames / 10;
    const seconds = (performance.now() - started) / 1000;
    console.log(`${s.frames} frames, ${s.replies} replies, ${(s.frames / seconds).toFixed(0)} frames/s, crashes ${s.crashes.length}, hangs ${s.hangs.length}, bad replies ${s.badReplies.length}, unexplained ${s.unexplained.length}`);
  },
}).catch((err) => {
  console.error(`fuzz: ${err.message}`);
  process.exit(1);
});
const seconds = (performance.now() - started) / 1000;
console.log(`board ${options.board}, seed ${seed}: ${stats.frames} frames in ${seconds.toFixed(1)} s (${(stats.frames / seconds).toFixed(0)} frames/s), ${stats.batches} batches of ${batch}`);
console.log(`frames by mutation: ${Object.entries(stats.byMutation).map(([m, n]) => `${m} ${n}`).join(", ")}`);
console.log(`replies ${stats.replies}; errors: ${Object.entries(stats.errors).sort((a, b) => b[1] - a[1]).map(([e, n]) => `${e} ${n}`).join(", ")}`);
console.log(`model changes explained by a valid request: ${stats.explainedChanges}`);
console.log(`crashes ${stats.crashes.length}, hangs ${stats.hangs.length}, replies that did not decode ${stats.badReplies.length}, unexplained state changes ${stats.unexplained.length}`);
process.exit(stats.crashes.length + stats.hangs.length + stats.badReplies.length + stats.unexplained.length > 0 ? 1 : 0);
