// What the firmware build's header generators (board_config.mjs, src/accel_config.mjs) share: one-line
// failures, JSON reading, C literals, and the project's own rules for a board manifest as the host build
// compiled them (dist/, `npm run build`), so the firmware never carries a second copy of them.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A fail(message) that prints "<tool>: message" and exits 1. */
export function failer(tool) {
  return (message) => {
    process.stderr.write(`${tool}: ${message}\n`);
    process.exit(1);
  };
}

export function readJson(file, what, fail) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return fail(`expected ${what} at ${file}, received ${err.code === "ENOENT" ? "no such file" : err.message}`);
  }
}

/** A double as a C literal that reads back as the same value (shortest round trip, always with a point or exponent). */
export function cDouble(x, fail) {
  if (!Number.isFinite(x)) fail(`expected finite numbers in the generated figures, received ${x}`);
  const text = String(x);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** A module of the host build (a path under dist/, e.g. "board/accel/model.js"). */
export async function importBuilt(relative, fail) {
  const file = join(root, "dist", relative);
  if (!existsSync(file)) fail(`expected the host build's ${join("dist", relative)}, received no such file: run \`npm run build\` in the repository first`);
  return import(pathToFileURL(file).href);
}
