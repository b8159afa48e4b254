import { describe, expect, it } from "vitest";
import { type Benchmark, type BenchmarkOptions, makeBenchmark } from "../../host/cl/benchmarks.js";
import { classCounts, type DataSplit, type Dataset } from "../../host/data/dataset.js";
import { loadMnist } from "../../host/data/mnist.js";
import { usageError } from "../helpers/usage-error.js";

const PIXELS = 9; // 3 x 3 images

/**
 * 10 classes; class c has c + 2 training and (c % 3) + 1 test samples. Pixel 0 holds the class,
 * pixel 1 the sample's index in its part, pixels 2..8 distinct values, so every sample can be traced.
 */
function part(name: string, perClass: (c: number) => number): Dataset {
  const labels: number[] = [];
  for (let c = 0; c < 10; c++) for (let k = 0; k < perClass(c); k++) labels.push(c);
  // interleave the classes so that order-keeping is visible
  labels.sort((a, b) => ((a * 7) % 10) - ((b * 7) % 10) || a - b);
  const inputs = new Float32Array(labels.length * PIXELS);
  labels.forEach((label, i) => {
    inputs[i * PIXELS] = label;
    inputs[i * PIXELS + 1] = i;
    for (let p = 2; p < PIXELS; p++) inputs[i * PIXELS + p] = 1000 * p + i;
  });
  return {
    name,
    inputs,
    labels: Uint8Array.from(labels),
    shape: [1, 3, 3],
    classes: 10,
    classNames: Array.from({ length: 10 }, (_, c) => String(c)),
  };
}
const data: DataSplit = { train: part("toy", (c) => c + 2), test: part("toy", (c) => (c % 3) + 1) };

const make = (options: Partial<BenchmarkOptions>): Benchmark =>
  makeBenchmark({ name: "split-mnist", scenario: "class", seed: 1, dataset: data, ...options });


/** The data-set class of each sample of an experience part, read back from pixel 0 (or from wherever the permutation moved it). */
function sourceClasses(inputs: Float32Array, permutation?: Uint32Array): number[] {
  const at = permutation ? permutation.indexOf(0) : 0;
  return Array.from({ length: inputs.length / PIXELS }, (_, i) => inputs[i * PIXELS + at]);
}

describe("benchmark names, scenarios and impossible requests", () => {
  it("lists the allowed names and scenarios", () => {
    expect(usageError(() => make({ name: "split mnist" }))).toBe(
      'expected a benchmark name: split-<data>, permuted-<data> or rotated-<data> (e.g. split-mnist, split-har), received "split mnist"',
    );
    expect(usageError(() => make({ name: "shuffled-mnist" }))).toContain("expected a benchmark name");
    expect(usageError(() => make({ scenario: "classes" }))).toBe(
      'expected a scenario: task, domain, class, received "classes"',
    );
    expect(usageError(() => make({ seed: -3 }))).toContain("expected seed to be an integer");
  });

  it("refuses more experiences than the classes allow", () => {
    expect(usageError(() => make({ experiences: 6 }))).toBe(
      "expected experiences from 1 to 5 (10 classes, 2 per experience), received 6",
    );
    expect(usageError(() => make({ experiences: 0 }))).toContain("received 0");
    expect(usageError(() => make({ classesPerExperience: 11 }))).toBe(
      "expected classes per experience to be an integer from 1 to 10, received 11",
    );
    expect(usageError(() => make({ name: "permuted-mnist", experiences: 26 }))).toBe(
      "expected at most 256 classes in the class scenario (labels are bytes), received 26 experiences with 260 classes in all",
    );
  });

  it("refuses options that belong to another benchmark", () => {
    expect(usageError(() => make({ angles: [0, 90] }))).toBe("the option angles applies only to rotated-<data>, not to split-mnist");
    expect(usageError(() => make({ name: "permuted-mnist", classOrder: "fixed" }))).toContain(
      "the option classOrder applies only to split-<data>",
    );
    expect(usageError(() => make({ name: "rotated-mnist", identityFirst: true }))).toContain("applies only to permuted-<data>");
  });

  it("refuses a class order that is not a permutation of the classes", () => {
    expect(usageError(() => make({ classOrder: [0, 1, 2] }))).toBe(
      "expected a class order listing each class 0 .. 9 once, received [0, 1, 2]",
    );
    expect(usageError(() => make({ classOrder: [0, 1, 2, 3, 4, 5, 6, 7, 8, 8] }))).toContain("each class 0 .. 9 once");
  });
});

describe("split benchmarks", () => {
  const fixedOrder = { classOrder: "fixed" as const };

  it("task scenario: one head of 2 per experience, within-experience labels, task ids", () => {
    const b = make({ ...fixedOrder, scenario: "task" });
    expect(b.heads).toEqual([2, 2, 2, 2, 2]);
    expect(b.numOutputs).toBe(10);
    expect(b.classOrder).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    b.experiences.forEach((e, i) => {
      expect(e.id).toBe(i);
      expect(e.classes).toEqual([2 * i, 2 * i + 1]);
      expect(e.taskId).toBe(i);
      expect(e.head).toBe(i);
      expect(e.headSize).toBe(2);
      expect(e.labelOffset).toBe(2 * i);
      expect(e.classesSeen).toBe(2 * i + 2);
      for (const part of [e.train, e.test]) {
        const classes = sourceClasses(part.inputs);
        expect([...part.labels]).toEqual(classes.map((c) => c - 2 * i));
      }
    });
  });

  it("domain scenario: one shared head of 2, within-experience labels, no task id", () => {
    const b = make({ ...fixedOrder, scenario: "domain" });
    expect(b.heads).toEqual([2]);
    for (const e of b.experiences) {
      expect(e.taskId).toBeNull();
      expect(e.head).toBe(0);
      expect(e.headSize).toBe(2);
      expect([...e.train.labels]).toEqual(sourceClasses(e.train.inputs).map((c) => e.classes.indexOf(c)));
    }
  });

  it("class scenario: one head over all classes, global labels = position in the class order", () => {
    const b = make({ scenario: "class", seed: 5 });
    expect(b.heads).toEqual([10]);
    const order = b.classOrder!;
    b.experiences.forEach((e, i) => {
      expect(e.taskId).toBeNull();
      expect(e.headSize).toBe(10);
      expect(e.classes).toEqual(order.slice(2 * i, 2 * i + 2));
      expect([...e.test.labels]).toEqual(sourceClasses(e.test.inputs).map((c) => order.indexOf(c)));
      expect(Math.min(...e.train.labels)).toBe(2 * i);
      expect(Math.max(...e.train.labels)).toBe(2 * i + 1);
    });
  });

  it("takes every sample of its classes, in data-set order, and nothing else", () => {
    const b = make({ ...fixedOrder });
    const testCounts = classCounts(data.test.labels, 10);
    b.experiences.forEach((e) => {
      expect(e.train.labels.length).toBe(e.classes[0] + 2 + e.classes[1] + 2);
      expect(e.test.labels.length).toBe(testCounts[e.classes[0]] + testCounts[e.classes[1]]);
      const indices = Array.from({ length: e.train.labels.length }, (_, i) => e.train.inputs[i * PIXELS + 1]);
      expect(indices).toEqual([...indices].sort((x, y) => x - y));
      const expected = [...data.train.labels.keys()].filter((i) => e.classes.includes(data.train.labels[i]));
      expect(indices).toEqual(expected);
    });
  });

  it("fixes the class order by the seed: same seed same order, another seed another order", () => {
    const orders = [1, 1, 2, 3].map((seed) => make({ seed }).classOrder!);
    expect(orders[0]).toEqual(orders[1]);
    expect(orders[2]).not.toEqual(orders[0]);
    expect(orders[3]).not.toEqual(orders[0]);
    for (const order of orders) expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(orders[0]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("takes an explicit class order", () => {
    const order = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
    const b = make({ classOrder: order });
    expect(b.experiences[0].classes).toEqual([9, 8]);
    expect([...b.experiences[0].test.labels]).toEqual(sourceClasses(b.experiences[0].test.inputs).map((c) => 9 - c));
  });

  it("keeps only the first N experiences, with the heads of the whole stream unless outputLayer is seen", () => {
    const full = make({ seed: 4, scenario: "class" });
    const three = make({ seed: 4, scenario: "class", experiences: 3 });
    expect(three.experiences.length).toBe(3);
    expect(three.heads).toEqual([10]);
    expect(make({ seed: 4, scenario: "class", experiences: 3, outputLayer: "seen" }).heads).toEqual([6]);
    expect(make({ seed: 4, scenario: "task", experiences: 3 }).heads).toEqual([2, 2, 2, 2, 2]);
    expect(make({ seed: 4, scenario: "task", experiences: 3, outputLayer: "seen" }).heads).toEqual([2, 2, 2]);
    expect(three.experiences.map((e) => e.classes)).toEqual(full.experiences.slice(0, 3).map((e) => e.classes));
  });

  it("gives the last experience the rest when the classes do not divide evenly", () => {
    const task = make({ ...fixedOrder, name: "split-toy", scenario: "task", classesPerExperience: 3 });
    expect(task.experiences.map((e) => e.classes)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(task.heads).toEqual([3, 3, 3, 1]);
    expect(make({ ...fixedOrder, scenario: "domain", classesPerExperience: 3 }).heads).toEqual([3]);
    expect(make({ ...fixedOrder, scenario: "class", classesPerExperience: 3 }).heads).toEqual([10]);
  });

  it("builds an experience's samples once and leaves them out of its serialised description", () => {
    const e = make({}).experiences[0];
    expect(e.train).toBe(e.train);
    expect(Object.keys(e)).not.toContain("train");
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      id: 0, classes: e.classes, labelOffset: 0, taskId: null, head: 0, headSize: 10, classesSeen: 2,
    });
  });

  it("splits the embedded digits into 5 experiences holding every training and test digit once", () => {
    const mnist = loadMnist();
    const b = makeBenchmark({ name: "split-mnist", scenario: "class", seed: 0, dataset: mnist, classOrder: "fixed" });
    const trainCounts = classCounts(mnist.train.labels, 10);
    const testCounts = classCounts(mnist.test.labels, 10);
    expect(b.experiences.map((e) => e.train.labels.length)).toEqual([0, 2, 4, 6, 8].map((c) => trainCounts[c] + trainCounts[c + 1]));
    expect(b.experiences.map((e) => e.test.labels.length)).toEqual([0, 2, 4, 6, 8].map((c) => testCounts[c] + testCounts[c + 1]));
    expect(b.experiences.reduce((n, e) => n + e.train.labels.length, 0)).toBe(8000);
    expect(b.inputShape).toEqual([1, 28, 28]);
  });
});

describe("permuted benchmarks", () => {
  const permuted = (options: Partial<BenchmarkOptions>) => make({ name: "permuted-mnist", ...options });

  it("permutes every sample with its experience's bijection: out[i] = in[perm[i]]", () => {
    const b = permuted({ scenario: "domain", experiences: 3 });
    for (const e of b.experiences) {
      const perm = e.permutation!;
      expect([...perm].sort((x, y) => x - y)).toEqual(Array.from({ length: PIXELS }, (_, i) => i));
      for (let s = 0; s < data.train.labels.length; s++) {
        for (let i = 0; i < PIXELS; i++) {
          if (e.train.inputs[s * PIXELS + i] !== data.train.inputs[s * PIXELS + perm[i]]) {
            throw new Error(`experience ${e.id}, sample ${s}, pixel ${i}: not the permuted input`);
          }
        }
      }
      expect([...e.train.labels]).toEqual([...data.train.labels]);
      expect(e.classes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });

  it("defaults to 10 experiences, all permuted; identityFirst leaves experience 0 unpermuted", () => {
    const b = permuted({});
    expect(b.experiences.length).toBe(10);
    const identity = Array.from({ length: PIXELS }, (_, i) => i);
    const first = permuted({ identityFirst: true });
    expect([...first.experiences[0].permutation!]).toEqual(identity);
    expect(Buffer.from(first.experiences[0].test.inputs.buffer).equals(Buffer.from(data.test.inputs.buffer))).toBe(true);
    expect([...first.experiences[1].permutation!]).toEqual([...b.experiences[1].permutation!]);
  });

  it("gives the same permutations bit for bit for the same seed, others for another seed", () => {
    const a = permuted({ seed: 11 });
    const again = permuted({ seed: 11 });
    const other = permuted({ seed: 12 });
    a.experiences.forEach((e, i) => {
      expect(Buffer.from(e.train.inputs.buffer).equals(Buffer.from(again.experiences[i].train.inputs.buffer))).toBe(true);
    });
    expect(a.experiences.map((e) => [...e.permutation!])).not.toEqual(other.experiences.map((e) => [...e.permutation!]));
    const perms = new Set(a.experiences.map((e) => e.permutation!.join(",")));
    expect(perms.size).toBe(10);
  });

  it("keeps experience e's permutation whatever the number of experiences", () => {
    const three = permuted({ seed: 3, experiences: 3 });
    const five = permuted({ seed: 3, experiences: 5 });
    expect(three.experiences.map((e) => [...e.permutation!])).toEqual(five.experiences.slice(0, 3).map((e) => [...e.permutation!]));
  });

  it("labels digits per scenario: task and domain the digit, class 10 e + digit", () => {
    const task = permuted({ scenario: "task", experiences: 3 });
    expect(task.heads).toEqual([10, 10, 10]);
    expect(task.experiences.map((e) => e.taskId)).toEqual([0, 1, 2]);
    expect([...task.experiences[2].test.labels]).toEqual([...data.test.labels]);
    const domain = permuted({ scenario: "domain", experiences: 3 });
    expect(domain.heads).toEqual([10]);
    expect(domain.experiences.map((e) => e.taskId)).toEqual([null, null, null]);
    const cls = permuted({ scenario: "class", experiences: 3 });
    expect(cls.heads).toEqual([30]);
    cls.experiences.forEach((e) => {
      expect(e.labelOffset).toBe(10 * e.id);
      const digits = sourceClasses(e.test.inputs, e.permutation);
      expect([...e.test.labels]).toEqual(digits.map((d) => 10 * e.id + d));
    });
  });
});

describe("rotated benchmarks", () => {
  const rotated = (options: Partial<BenchmarkOptions>) => make({ name: "rotated-mnist", scenario: "domain", ...options });

  it("spreads N angles evenly over [0, 180) by default", () => {
    expect(rotated({ experiences: 5 }).experiences.map((e) => e.angleDegrees)).toEqual([0, 36, 72, 108, 144]);
    expect(rotated({}).experiences.length).toBe(10);
  });

  it("draws seeded angles in [0, 180), the same for the same seed", () => {
    const a = rotated({ angles: "seeded", seed: 7 }).experiences.map((e) => e.angleDegrees!);
    const b = rotated({ angles: "seeded", seed: 7 }).experiences.map((e) => e.angleDegrees!);
    const c = rotated({ angles: "seeded", seed: 8 }).experiences.map((e) => e.angleDegrees!);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const angle of a) expect(angle >= 0 && angle < 180).toBe(true);
  });

  it("takes listed angles; angle 0 leaves the images as they are and 90 turns them counter-clockwise", () => {
    const b = rotated({ angles: [0, 90] });
    const [still, turned] = b.experiences;
    expect(Buffer.from(still.train.inputs.buffer).equals(Buffer.from(data.train.inputs.buffer))).toBe(true);
    // hand rotation of a 3 x 3 image: out[r][c] = in[c][2 - r]
    for (let s = 0; s < 4; s++) {
      const image = data.train.inputs.subarray(s * PIXELS, (s + 1) * PIXELS);
      const expected = Array.from({ length: PIXELS }, (_, i) => image[(i % 3) * 3 + (2 - Math.floor(i / 3))]);
      expect([...turned.train.inputs.subarray(s * PIXELS, (s + 1) * PIXELS)]).toEqual(expected);
    }
    expect([...turned.train.labels]).toEqual([...data.train.labels]);
  });

  it("refuses angles that disagree with the experience count, bad angle lists and non-image data", () => {
    expect(usageError(() => rotated({ angles: [0, 90], experiences: 3 }))).toBe(
      "expected experiences to equal the 2 angles listed, received 3",
    );
    expect(usageError(() => rotated({ angles: [] }))).toContain("a non-empty list of finite angles");
    const flat: DataSplit = {
      train: { ...data.train, shape: [9] },
      test: { ...data.test, shape: [9] },
    };
    expect(usageError(() => rotated({ dataset: flat }))).toContain("received shape [9]");
  });
});
