// The ice40 target restates one step of yosys 0.23's synth_ice40 (hw/synth.ts, coarseWithoutShare): with
// any other yosys it must stop with a message naming both versions, before any synthesis runs. A stand-in
// `yosys` on PATH that prints another version shows it through the CLI, without yosys having to change.
import { describe, expect, it } from "vitest";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { edgeclSources } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { checkIce40Yosys } from "../../hw/synth";

describe("the ice40 script's yosys version check", () => {
  it("accepts the version the script was copied from, as yosys -V prints it", () => {
    expect(() => checkIce40Yosys("Yosys 0.23 (git sha1 7ce5011c24b, gcc 12.2.0-14 -fPIC -Os)\n")).not.toThrow();
  });

  it.each([
    ["Yosys 0.38 (git sha1 543faed9c8c)", "received yosys 0.38"],
    ["Yosys 0.23+42 (git sha1 0000000)", "received yosys 0.23+42"],
    ["Yosys 0.9", "received yosys 0.9"],
    ["yosys: command output nobody expected", 'received "yosys: command output nobody expected"'],
  ])("refuses %j, naming what it expected and what it found", (line, received) => {
    expect(() => checkIce40Yosys(line)).toThrow(/^expected yosys 0\.23 for the ice40 target/);
    expect(() => checkIce40Yosys(line)).toThrow(received);
  });

  it("edgecl hw synth --target ice40 stops with that message when PATH's yosys is another version", () => {
    const bin = tempDir("fake-yosys");
    const fake = join(bin, "yosys");
    // Prints a version and fails on anything else, so a run that went past the check would fail otherwise.
    writeFileSync(fake, '#!/bin/sh\nif [ "$1" = "-V" ]; then echo "Yosys 0.38 (git sha1 543faed9c8c)"; exit 0; fi\nexit 3\n');
    chmodSync(fake, 0o755);
    const out = join(bin, "out");
    const r = edgeclSources(["hw", "synth", "--board", "sim", "--target", "ice40", "--unit", "sr-xorshift", "-o", out, "--json"], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      timeoutMs: 120_000,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("expected yosys 0.23 for the ice40 target");
    expect(r.stderr).toContain("received yosys 0.38");
  }, 150_000);
});
