// One driver per board: the first link to change a board's state holds it until the link closes;
// another link (another host session) is refused state-changing requests with IN_USE and may only say
// HELLO and read TELEMETRY without a counter reset, which leaves the driver's counters as they were.
import { describe, expect, test } from "vitest";
import { BoardClient } from "../../host/client/client.js";
import { BoardError } from "../../host/client/errors.js";
import { transportPair } from "../../host/transport/transport.js";
import { SimBoard } from "../../board/sim/board.js";
import { telemetryLine } from "../../host/cli/commands/monitor.js";
import type { TelemetryReply } from "../../host/client/client.js";
import { batch, manifest, standinWasm } from "../helpers/board.js";

/** Two host sessions on one in-process board, each on its own link (as two TCP connections are). */
function twoSessions() {
  const board = new SimBoard({ manifest: manifest("sim-noaccel") });
  const session = (name: string) => {
    const [host, end] = transportPair([name, "board"]);
    const link = board.openLink();
    end.onData((bytes) => {
      for (const frame of link.receive(bytes)) if (end.open) end.write(frame);
    });
    const client = new BoardClient(host, { board: "sim-noaccel", timeoutMs: 10_000 });
    return { client, close: () => link.close() };
  };
  return { driver: session("run"), other: session("monitor") };
}

async function deployAndTrain(client: BoardClient): Promise<void> {
  await client.deploy({ config: { format: "fp32", modelBytes: 1024 }, module: standinWasm(1) });
  const b = batch(12);
  await client.data({ experience: 0, split: "train", ...b, features: 4 });
  await client.data({ experience: 0, split: "test", ...b, features: 4 });
  await client.train({ experience: 0, iterations: 3, batchSize: 2, seed: 5 });
}

const codeOf = async (work: Promise<unknown>): Promise<string> => {
  try {
    await work;
    return "answered";
  } catch (err) {
    return err instanceof BoardError ? err.codeName : `not a board error: ${(err as Error).message}`;
  }
};

describe("one driver per board", () => {
  test("another session is refused every state-changing request with IN_USE, and answered HELLO and plain TELEMETRY", async () => {
    const { driver, other } = twoSessions();
    await deployAndTrain(driver.client);
    const b = batch(4);
    const refused = {
      deploy: await codeOf(other.client.deploy({ config: { format: "fp32", modelBytes: 1024 }, module: standinWasm(1) })),
      data: await codeOf(other.client.data({ experience: 1, split: "train", ...b, features: 4 })),
      train: await codeOf(other.client.train({ experience: 0, iterations: 1, batchSize: 2, seed: 1 })),
      eval: await codeOf(other.client.eval({ experience: 0 })),
      telemetryReset: await codeOf(other.client.telemetry({ resetCounters: true })),
      checkpoint: await codeOf(other.client.checkpoint(0)),
      restore: await codeOf(other.client.restore(0)),
      reset: await codeOf(other.client.reset()),
      hello: await codeOf(other.client.hello()),
      telemetry: await codeOf(other.client.telemetry()),
    };
    expect(refused).toEqual({
      deploy: "IN_USE", data: "IN_USE", train: "IN_USE", eval: "IN_USE", telemetryReset: "IN_USE",
      checkpoint: "IN_USE", restore: "IN_USE", reset: "IN_USE", hello: "answered", telemetry: "answered",
    });
    await expect(other.client.reset()).rejects.toThrow(/from the host session that drives it, received RESET from another; only HELLO and TELEMETRY without a counter reset/);
    // The driver's learner is as it left it: still deployed, still trained (the stand-in counts samples seen).
    expect((await driver.client.eval({ experience: 0 })).total).toBe(12);
  });

  test("an observer's readings leave the driver's counters as they were", async () => {
    const { driver, other } = twoSessions();
    await deployAndTrain(driver.client);
    const before = await other.client.telemetry();
    for (let k = 0; k < 5; k++) await other.client.telemetry();
    const after = await other.client.telemetry();
    // Not even the time the readings took is added to the driver's counters.
    expect({ macs: after.macs, timeUs: after.timeUs, cycles: after.cycles }).toEqual({ macs: before.macs, timeUs: before.timeUs, cycles: before.cycles });
  });

  test("when the driving session ends, another may drive the board", async () => {
    const { driver, other } = twoSessions();
    await deployAndTrain(driver.client);
    expect(await codeOf(other.client.reset())).toBe("IN_USE");
    driver.close();
    expect(await codeOf(other.client.reset())).toBe("answered");
    // ... and now the first session, were it still there, would be the one refused.
    expect(await codeOf(driver.client.eval({ experience: 0 }))).toBe("IN_USE");
  });
});

describe("monitor lines", () => {
  const reading = (macs: number, timeUs: number): TelemetryReply => ({ macs, timeUs, cycles: 0, energyJ: Number.NaN, memoryUsed: 0, memoryPeak: 0, memoryLimit: 1 << 20, accelJobs: 0, macsByFormat: [] }) as unknown as TelemetryReply;

  test("a rate is the MACs since the previous reading over the time between", () => {
    expect(telemetryLine(reading(3000, 20), reading(1000, 10), 1000)).toContain("(2 k MAC/s)");
  });

  test("counters reset by the driving session in between give no rate, never a negative one", () => {
    const line = telemetryLine(reading(500, 5), reading(1_000_000, 900), 1000);
    expect(line).toContain("(counters reset since the last reading)");
    expect(line).not.toMatch(/-\d/);
  });
});
