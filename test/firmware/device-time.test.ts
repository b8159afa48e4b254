// Device time on a qemu board counts instructions (-icount, the manifest's transport.icount), so the
// same run gives the same device time twice, whatever else loads the machine. Without -icount QEMU's
// virtual clock follows the host's and two such runs differed by half (firmware/README.md).
import { describe, expect, test } from "vitest";
import { runContinual } from "../../host/cl/run.js";
import { loadBoard } from "../../host/manifest/manifest.js";
import { boardImageBuilt } from "./helpers.js";
import { smallRun } from "../helpers/run-options.js";

const RUN = smallRun({ seed: 3, iterations: 3, experiences: 1, trainSamples: 64, testSamples: 16, board: "qemu-rv32" });

const ready = boardImageBuilt("qemu-rv32");

describe("qemu-rv32: device time under -icount", () => {
  test("the manifest runs QEMU with -icount, and the same run twice gives the same device time", async () => {
    ready();
    expect(loadBoard("qemu-rv32").transport).toMatchObject({ icount: 0 });
    const first = await runContinual(RUN);
    const second = await runContinual(RUN);
    const times = (r: typeof first) => r.telemetry.flatMap((t) => [t.train.timeUs, t.eval.timeUs]);
    expect(times(first).every((us) => us > 0)).toBe(true);
    // Within 1 µs of several seconds: the instructions counted are the same, only where the firmware's
    // UART poll loop stands when a frame's last byte arrives shifts the reading by a few 0.1 µs ticks.
    times(second).forEach((us, i) => expect(Math.abs(us - times(first)[i])).toBeLessThanOrEqual(1));
    expect(second.modelChecksum).toBe(first.modelChecksum);
  }, 600_000);
});
