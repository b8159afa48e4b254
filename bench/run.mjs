// Runs one benchmark: node bench/run.mjs NAME runs bench/NAME.mjs (npm run bench -- NAME builds first).
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here).filter((f) => f.endsWith(".mjs") && f !== "run.mjs").map((f) => f.slice(0, -4)).sort();
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(`expected a benchmark name: ${names.join(", ")}, received ${name === undefined ? "nothing" : JSON.stringify(name)}`);
  console.error("usage: npm run bench -- NAME   (or: node bench/run.mjs NAME)");
  process.exit(2);
}
await import(pathToFileURL(join(here, `${name}.mjs`)).href);
