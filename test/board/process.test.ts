// The simulated board as the host meets it: a separate process over stdin/stdout or loopback TCP,
// a flash file that outlives the process, and a board that hangs or dies while the host waits.
import { beforeAll, describe, expect, test } from "vitest";
import { BoardClient } from "../../host/client/client.js";
import { BoardLostError, BoardTimeoutError } from "../../host/client/errors.js";
import { spawnSimBoard, spawnSimBoardTcp } from "../../host/transport/sim.js";
import { TcpTransport } from "../../host/transport/tcp.js";
import type { ProcessTransport } from "../../host/transport/process.js";
import { batch, standinWasm } from "../helpers/board.js";
import { tempDir } from "../helpers/temp-dir.js";

const flashDir = tempDir("flash");
let module: Uint8Array;
beforeAll(() => {
  module = standinWasm(1);
});

async function trainOnce(client: BoardClient, iterations: number): Promise<void> {
  await client.deploy({ config: { format: "fp32", modelBytes: 1024 }, module });
  const b = batch(12);
  await client.data({ experience: 0, split: "train", ...b, features: 4 });
  await client.data({ experience: 0, split: "test", ...b, features: 4 });
  await client.train({ experience: 0, iterations, batchSize: 2, seed: 9 });
}

/** EVAL of experience 0, retried while the board has not yet seen the driving session's link close. */
async function evalOnceFree(client: BoardClient) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.eval({ experience: 0 });
    } catch (err) {
      if (attempt >= 50 || !/IN_USE/.test((err as Error).message)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  }
}

describe("a board process on stdin/stdout", () => {
  test("answers HELLO, runs the device, and keeps checkpoints in its flash file for the next process", async () => {
    const first = spawnSimBoard({ board: "sim-noaccel", flashDir });
    const client = new BoardClient(first, { board: "sim-noaccel", timeoutMs: 20_000 });
    expect(await client.hello()).toMatchObject({ board: "sim-noaccel", runtime: "v8", memoryLimit: 4194304 });
    await trainOnce(client, 5);
    expect((await client.eval({ experience: 0 })).correct).toBe(5);
    await client.checkpoint(1);
    await client.close();
    expect(first.open).toBe(false);

    const second = new BoardClient(spawnSimBoard({ board: "sim-noaccel", flashDir }), { board: "sim-noaccel", timeoutMs: 20_000 });
    await second.hello();
    await trainOnce(second, 2);
    expect((await second.eval({ experience: 0 })).correct).toBe(2);
    await second.restore(1);
    expect((await second.eval({ experience: 0 })).correct).toBe(5);
    await second.close();
  });

  test("a board that stops answering: the request times out naming the board and the request", async () => {
    const transport = spawnSimBoard({ board: "sim-noaccel" });
    const client = new BoardClient(transport, { board: "sim-noaccel", timeoutMs: 20_000 });
    await client.hello();
    await trainOnce(client, 1);
    process.kill(transport.child.pid!, "SIGSTOP");
    try {
      const started = Date.now();
      const hung = client.train({ experience: 0, iterations: 3, batchSize: 2, seed: 1 }, { timeoutMs: 600 });
      await expect(hung).rejects.toBeInstanceOf(BoardTimeoutError);
      await expect(hung).rejects.toThrow("board sim-noaccel did not answer TRAIN (experience 0) within 600 ms");
      expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    } finally {
      await transport.close(100); // SIGKILL ends a stopped process too
    }
  });

  test("a board killed while the host waits: the request fails naming the board, the request and the signal", async () => {
    const transport: ProcessTransport = spawnSimBoard({ board: "sim-noaccel" });
    const client = new BoardClient(transport, { board: "sim-noaccel", timeoutMs: 20_000 });
    await client.hello();
    await trainOnce(client, 1);
    process.kill(transport.child.pid!, "SIGSTOP"); // the request below is sure to be waiting when the kill lands
    const waiting = client.eval({ experience: 0 });
    process.kill(transport.child.pid!, "SIGKILL");
    await expect(waiting).rejects.toBeInstanceOf(BoardLostError);
    await expect(waiting).rejects.toThrow(/board sim-noaccel was lost while waiting for the reply to EVAL \(experience 0\): simulated board sim-noaccel \(pid \d+\) was killed by SIGKILL/);
    await expect(client.telemetry()).rejects.toThrow(/was lost while waiting for the reply to TELEMETRY/);
    expect(client.alive).toBe(false);
  });

  test("a board that cannot start: the error passes on what it printed", async () => {
    const client = new BoardClient(spawnSimBoard({ board: "no-such-board" }), { board: "no-such-board", timeoutMs: 20_000 });
    const failed = client.hello();
    await expect(failed).rejects.toBeInstanceOf(BoardLostError);
    await expect(failed).rejects.toThrow(/exited with code 2 \(it last wrote: edgecl-sim: expected a board: .*sim-noaccel.*received "no-such-board"/);
  });
});

describe("a board process on loopback TCP", () => {
  test("serves several connections to one device: what one deploys, the other sees once the first has gone", async () => {
    const { process: board, host, port } = await spawnSimBoardTcp({ board: "sim-tiny" });
    try {
      expect(host).toBe("127.0.0.1");
      const a = new BoardClient(await TcpTransport.connect({ host, port }), { board: "sim-tiny", timeoutMs: 20_000 });
      const b = new BoardClient(await TcpTransport.connect({ host, port }), { board: "sim-tiny", timeoutMs: 20_000 });
      expect(await a.hello()).toMatchObject({ board: "sim-tiny", memoryLimit: 262144 });
      await trainOnce(a, 4);
      await b.hello();
      // One driver per board: the second session may look, not act, while the first holds the board.
      await expect(b.eval({ experience: 0 })).rejects.toThrow(/EVAL \(experience 0\) failed with IN_USE/);
      await a.close();
      expect((await evalOnceFree(b)).correct).toBe(4);
      await b.close();
    } finally {
      await board.close();
    }
  });

  test("a refused connection names the address", async () => {
    const { process: board, port } = await spawnSimBoardTcp({ board: "sim-tiny" });
    await board.close();
    await expect(TcpTransport.connect({ host: "127.0.0.1", port }, 2000)).rejects.toThrow(`could not connect to tcp 127.0.0.1:${port}`);
  });
});
