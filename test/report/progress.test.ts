// Progress: a cli-progress bar on a terminal, plain lines otherwise.
import { PassThrough } from "node:stream";
import { describe, expect, test, vi } from "vitest";
import { createProgress } from "../../host/report/progress.js";

function stream(tty: boolean): { stream: NodeJS.WritableStream; text: () => string } {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  if (tty) {
    s.isTTY = true;
    s.columns = 120;
  }
  let text = "";
  s.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  return { stream: s, text: () => text };
}

describe("createProgress", () => {
  test("off a terminal: one plain line per change of what is happening, no control characters", async () => {
    const out = stream(false);
    const progress = createProgress({ stream: out.stream });
    progress.start(4, "run on sim");
    progress.update(0, "HELLO");
    progress.update(1, "DEPLOY");
    progress.update(1, "DEPLOY"); // unchanged: no new line
    progress.log("experience 1/2: loss 0.5000");
    progress.update(2, "training");
    progress.stop();
    progress.update(3, "after stop");
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toBe(
      ["run on sim [0/4] HELLO", "run on sim [1/4] DEPLOY", "experience 1/2: loss 0.5000", "run on sim [2/4] training", ""].join("\n"),
    );
    expect(out.text()).not.toMatch(/\x1b/);
  });

  test("on a terminal: a bar with the label, the count and what is happening", async () => {
    const out = stream(true);
    const progress = createProgress({ stream: out.stream });
    progress.start(10, "run on sim");
    progress.update(5, "experience 2/5: training");
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    const text = out.text();
    expect(text).toMatch(/\x1b\[/); // cursor control: a bar drawn in place
    expect(text).toContain("run on sim |");
    expect(text).toMatch(/\| 5\/10 ETA \d+s experience 2\/5: training/);
  });

  test("on a terminal: the ETA is the time so far per step done times the steps left", async () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      const out = stream(true);
      const progress = createProgress({ stream: out.stream });
      progress.start(100, "run on sim");
      vi.advanceTimersByTime(30_000);
      // 30 s for 20 steps: 1.5 s a step, 80 steps left.
      progress.update(20, "training");
      progress.stop();
      await new Promise((resolve) => setImmediate(resolve));
      expect(out.text()).toContain("| 20/100 ETA 2m00s training");
    } finally {
      vi.useRealTimers();
    }
  });

  test("the stream's isTTY decides unless told", async () => {
    const out = stream(true);
    const progress = createProgress({ stream: out.stream, tty: false });
    progress.start(1, "x");
    progress.update(1, "done");
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toBe("x [1/1] done\n");
  });
});
