// Continual-learning benchmark streams built from a data set and a seed, in the three scenarios of
// van de Ven & Tolias, "Three scenarios for continual learning" (arXiv:1904.07734, 2019).
//
// Label bookkeeping, the same for every benchmark. Experience e has k_e classes. A sample of it has a
// within-experience label w in 0 .. k_e-1 and a global label g = offset_e + w, where
// offset_e = k_0 + ... + k_(e-1). Split benchmarks: w is the position of the sample's class among the
// experience's classes, so g is the position of the class in the stream's class order. Permuted and
// rotated benchmarks: w is the data-set class (the digit) and g = e * 10 + digit, so in the class
// scenario every (experience, digit) pair is its own class, as in van de Ven & Tolias's code.
//
// Scenario   labels the model sees   task id   heads (output units per head)
// task       w                       e         one per experience, k_e units each; experience e trains head e
// domain     w                       none      one shared head of max(k_e) units
// class      g                       none      one head of k_0 + ... + k_(T-1) units

import { expected, UsageError } from "../errors.js";
import { type DataSplit, type Dataset, sampleCount, sampleSize } from "../data/dataset.js";
import { checkSeed, Rng } from "../data/rng.js";
import { permuteSamples, rotateImages } from "../data/transforms.js";

export const SCENARIOS = ["task", "domain", "class"] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Benchmark kinds; a benchmark's name is `<kind>-<data>`, e.g. split-mnist, permuted-fashion, split-har. */
export const BENCHMARK_KINDS = ["split", "permuted", "rotated"] as const;
export type BenchmarkKind = (typeof BENCHMARK_KINDS)[number];
const BENCHMARK_NAMES_TEXT = "split-<data>, permuted-<data> or rotated-<data> (e.g. split-mnist, split-har)";
const BENCHMARK_NAME = /^(split|permuted|rotated)-([a-z0-9][a-z0-9_.-]*)$/;

/** Output layer of a run of only the first N experiences: every class of the whole stream, or only those seen. */
export const OUTPUT_LAYERS = ["all", "seen"] as const;
export type OutputLayer = (typeof OUTPUT_LAYERS)[number];

/** Kind and data part of a benchmark name, or null when the name has neither. */
export function parseBenchmarkName(name: unknown): { kind: BenchmarkKind; data: string } | null {
  const match = typeof name === "string" ? BENCHMARK_NAME.exec(name) : null;
  return match ? { kind: match[1] as BenchmarkKind, data: match[2] } : null;
}

/** Defaults, after van de Ven & Tolias (2019): Split MNIST 5 x 2 classes, Permuted MNIST 10 experiences. */
export const DEFAULT_CLASSES_PER_EXPERIENCE = 2;
export const DEFAULT_PERMUTED_EXPERIENCES = 10;
export const DEFAULT_ROTATED_EXPERIENCES = 10;
/** Rotation angles are drawn from, or spread evenly over, [0, MAX_ROTATION_DEGREES). */
export const MAX_ROTATION_DEGREES = 180;

/** Inputs and labels of one part (train or test) of an experience; labels as the scenario wants them. */
export interface ExperienceData {
  readonly inputs: Float32Array;
  readonly labels: Uint8Array;
}

/** One step of the stream. */
export interface Experience {
  /** Position in the stream, 0-based. */
  readonly id: number;
  /** Data-set classes of this experience; classes[w] is the data-set class of within-experience label w. */
  readonly classes: readonly number[];
  /** Global label of within-experience label 0 (offset_e). */
  readonly labelOffset: number;
  /** Task id given to the learner: the experience id in the task scenario, null otherwise. */
  readonly taskId: number | null;
  /** Index in Benchmark.heads of the output head this experience trains and is tested on. */
  readonly head: number;
  /** Output units of that head (Benchmark.heads[head]); labels lie in 0 .. headSize-1. */
  readonly headSize: number;
  /** Global labels seen once this experience is learnt: offset_e + k_e. */
  readonly classesSeen: number;
  /** Pixel permutation of a permuted benchmark (output pixel i = input pixel permutation[i]). */
  readonly permutation?: Uint32Array;
  /** Rotation of a rotated benchmark, degrees counter-clockwise. */
  readonly angleDegrees?: number;
  /** Training samples, in data-set order. Built on first use and kept. */
  readonly train: ExperienceData;
  /** Test samples, in data-set order. Built on first use and kept. */
  readonly test: ExperienceData;
}

/** A stream of experiences and the output layout a model needs for it. */
export interface Benchmark {
  readonly name: string;
  readonly scenario: Scenario;
  readonly seed: number;
  /** Shape of one input sample. */
  readonly inputShape: readonly number[];
  /** Output units of each head: one head per experience (task), or a single head (domain, class). */
  readonly heads: readonly number[];
  /** All output units of the model: the sum of `heads`. */
  readonly numOutputs: number;
  /** Split benchmarks: the data-set classes in the order the stream meets them. */
  readonly classOrder?: readonly number[];
  readonly experiences: readonly Experience[];
}

/** Options of {@link makeBenchmark}. Options that do not apply to the named benchmark are errors. */
export interface BenchmarkOptions {
  /** `<kind>-<data>`: split-mnist, permuted-mnist, rotated-mnist, or split-<data> etc. for any data set. */
  name: string;
  scenario: string;
  /** Run seed: fixes class order, permutations and seeded angles. */
  seed: number;
  dataset: DataSplit;
  /**
   * Split: keep only the first N experiences (default: all). Permuted and rotated: the number of
   * experiences (default 10), or the length of `angles` when angles are listed.
   */
  experiences?: number;
  /**
   * Split with fewer experiences than the stream has: "all" (default) keeps the heads of the whole stream,
   * so the first N experiences of a run are those of the full run; "seen" sizes them for the N kept.
   */
  outputLayer?: OutputLayer;
  /** Split only: classes per experience (default 2); if it does not divide the classes, the last one has the rest. */
  classesPerExperience?: number;
  /** Split only: "seeded" (default, shuffled by the seed), "fixed" (0, 1, 2, ...) or an explicit order. */
  classOrder?: "seeded" | "fixed" | readonly number[];
  /** Permuted only: experience 0 sees the unpermuted images (default false: every experience is permuted). */
  identityFirst?: boolean;
  /** Rotated only: "even" (default: e * 180 / N degrees), "seeded" (uniform in [0, 180)) or a list of degrees. */
  angles?: "even" | "seeded" | readonly number[];
}

type Kind = BenchmarkKind;

function benchmarkKind(name: unknown): Kind {
  const parsed = parseBenchmarkName(name);
  if (!parsed) throw expected(`a benchmark name: ${BENCHMARK_NAMES_TEXT}`, name);
  return parsed.kind;
}

function checkScenario(scenario: unknown): Scenario {
  if (!SCENARIOS.includes(scenario as Scenario)) throw expected(`a scenario: ${SCENARIOS.join(", ")}`, scenario);
  return scenario as Scenario;
}

function checkCount(value: unknown, what: string, max?: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || (max !== undefined && value > max)) {
    throw expected(`${what} to be an integer from 1${max !== undefined ? ` to ${max}` : ""}`, value);
  }
  return value;
}

function checkDataset(dataset: DataSplit): void {
  const { train, test } = dataset ?? {};
  if (!train || !test) throw expected("a data set split into train and test parts", dataset);
  if (train.classes !== test.classes || train.shape.join("x") !== test.shape.join("x")) {
    throw new UsageError(
      `the train and test parts of ${train.name} differ: ${train.classes} vs ${test.classes} classes, ` +
        `shape [${train.shape.join(", ")}] vs [${test.shape.join(", ")}]`,
    );
  }
}

/** Options only some benchmarks take: name -> the kind that takes it. */
const KIND_OPTIONS: Record<string, Kind> = {
  classesPerExperience: "split",
  classOrder: "split",
  identityFirst: "permuted",
  angles: "rotated",
};

/** One experience before its samples are built: which samples, which labels, which transform. */
interface Plan {
  classes: number[];
  /** Data-set class -> within-experience label, or -1 when the class is not part of the experience. */
  withinLabel: Int16Array;
  permutation?: Uint32Array;
  angleDegrees?: number;
}

/** Every experience of the split stream, and how many of them the run keeps. */
function planSplit(options: BenchmarkOptions, classes: number, seed: number): { plans: Plan[]; order: number[]; kept: number } {
  const perExperience = checkCount(
    options.classesPerExperience ?? DEFAULT_CLASSES_PER_EXPERIENCE,
    "classes per experience",
    classes,
  );
  let order: number[];
  const requested = options.classOrder ?? "seeded";
  if (requested === "fixed") {
    order = Array.from({ length: classes }, (_, c) => c);
  } else if (requested === "seeded") {
    order = Array.from(Rng.forStream(seed, "split/class-order").permutation(classes));
  } else if (Array.isArray(requested)) {
    order = [...requested];
    const sorted = [...order].sort((a, b) => a - b);
    if (sorted.length !== classes || sorted.some((c, i) => c !== i)) {
      throw new UsageError(
        `expected a class order listing each class 0 .. ${classes - 1} once, received [${order.join(", ")}]`,
      );
    }
  } else {
    throw expected('a class order: "seeded", "fixed" or a list of classes', requested);
  }
  const available = Math.ceil(classes / perExperience);
  const count = options.experiences === undefined ? available : options.experiences;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > available) {
    throw expected(
      `experiences from 1 to ${available} (${classes} classes, ${perExperience} per experience)`,
      options.experiences,
    );
  }
  const plans: Plan[] = [];
  for (let e = 0; e < available; e++) {
    const expClasses = order.slice(e * perExperience, (e + 1) * perExperience);
    const withinLabel = new Int16Array(classes).fill(-1);
    expClasses.forEach((c, w) => (withinLabel[c] = w));
    plans.push({ classes: expClasses, withinLabel });
  }
  return { plans, order, kept: count };
}

function allClasses(classes: number): Pick<Plan, "classes" | "withinLabel"> {
  return {
    classes: Array.from({ length: classes }, (_, c) => c),
    withinLabel: Int16Array.from({ length: classes }, (_, c) => c),
  };
}

function planPermuted(options: BenchmarkOptions, classes: number, size: number, seed: number): Plan[] {
  const count = checkCount(options.experiences ?? DEFAULT_PERMUTED_EXPERIENCES, "experiences");
  if (options.identityFirst !== undefined && typeof options.identityFirst !== "boolean") {
    throw expected("identityFirst to be true or false", options.identityFirst);
  }
  return Array.from({ length: count }, (_, e) => {
    const permutation =
      e === 0 && options.identityFirst
        ? Uint32Array.from({ length: size }, (_, i) => i)
        : Rng.forStream(seed, `permuted/experience-${e}`).permutation(size);
    return { ...allClasses(classes), permutation };
  });
}

function planRotated(options: BenchmarkOptions, classes: number, shape: readonly number[], seed: number): Plan[] {
  if (shape.length !== 3) {
    throw new UsageError(
      "expected an image data set (samples of shape [channels, height, width]) for rotated-mnist, " +
        `received shape [${shape.join(", ")}]`,
    );
  }
  const angles = options.angles ?? "even";
  let degrees: number[];
  if (Array.isArray(angles)) {
    if (angles.length === 0 || angles.some((a) => typeof a !== "number" || !Number.isFinite(a))) {
      throw new UsageError(`expected a non-empty list of finite angles in degrees, received [${angles.join(", ")}]`);
    }
    if (options.experiences !== undefined && options.experiences !== angles.length) {
      throw expected(`experiences to equal the ${angles.length} angles listed`, options.experiences);
    }
    degrees = [...angles];
  } else {
    const count = checkCount(options.experiences ?? DEFAULT_ROTATED_EXPERIENCES, "experiences");
    if (angles === "even") {
      degrees = Array.from({ length: count }, (_, e) => (e * MAX_ROTATION_DEGREES) / count);
    } else if (angles === "seeded") {
      degrees = Array.from(
        { length: count },
        (_, e) => Rng.forStream(seed, `rotated/experience-${e}`).nextFloat() * MAX_ROTATION_DEGREES,
      );
    } else {
      throw expected('angles: "even", "seeded" or a list of degrees', angles);
    }
  }
  return degrees.map((angleDegrees) => ({ ...allClasses(classes), angleDegrees }));
}

/** Samples of `part` whose class belongs to the plan, labelled and transformed for the scenario. */
function buildPart(part: Dataset, plan: Plan, labelShift: number): ExperienceData {
  const size = sampleSize(part.shape);
  const n = sampleCount(part);
  let kept = 0;
  for (let i = 0; i < n; i++) if (plan.withinLabel[part.labels[i]] >= 0) kept++;
  let inputs: Float32Array = new Float32Array(kept * size);
  const labels = new Uint8Array(kept);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const w = plan.withinLabel[part.labels[i]];
    if (w < 0) continue;
    inputs.set(part.inputs.subarray(i * size, (i + 1) * size), k * size);
    labels[k++] = w + labelShift;
  }
  if (plan.permutation) inputs = permuteSamples(inputs, size, plan.permutation);
  if (plan.angleDegrees !== undefined && plan.angleDegrees !== 0) {
    inputs = rotateImages(inputs, part.shape, plan.angleDegrees);
  }
  return { inputs, labels };
}

/**
 * Defines a property that is computed on first read and then kept. Not enumerable, so that logging or
 * serialising an experience for a report shows its description without building (or dumping) its samples.
 */
function lazyProperty<T>(target: object, key: string, compute: () => T): void {
  Object.defineProperty(target, key, {
    enumerable: false,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(target, key, { value, enumerable: false, writable: false });
      return value;
    },
  });
}

/**
 * Builds a benchmark stream. Deterministic: the same options give the same experiences bit for bit.
 * Random choices use the run seed through named streams (Rng.forStream): "split/class-order",
 * "permuted/experience-<e>", "rotated/experience-<e>", so experience e is the same whatever the number
 * of experiences (except for evenly spaced angles, which depend on N by definition).
 * Experience samples are built when first read (a permuted or rotated stream holds a transformed copy
 * of the data per experience) and keep the order of the data set.
 */
export function makeBenchmark(options: BenchmarkOptions): Benchmark {
  const kind = benchmarkKind(options.name);
  const scenario = checkScenario(options.scenario);
  const seed = checkSeed(options.seed);
  checkDataset(options.dataset);
  for (const [option, owner] of Object.entries(KIND_OPTIONS)) {
    if ((options as unknown as Record<string, unknown>)[option] !== undefined && owner !== kind) {
      throw new UsageError(
        `the option ${option} applies only to ${owner}-<data>, ` +
          `not to ${options.name}`,
      );
    }
  }
  const { train, test } = options.dataset;
  const classes = train.classes;

  let stream: Plan[];
  let classOrder: number[] | undefined;
  let kept: number | undefined;
  if (kind === "split") ({ plans: stream, order: classOrder, kept } = planSplit(options, classes, seed));
  else if (kind === "permuted") stream = planPermuted(options, classes, sampleSize(train.shape), seed);
  else stream = planRotated(options, classes, train.shape, seed);
  const outputLayer = options.outputLayer ?? "all";
  if (!OUTPUT_LAYERS.includes(outputLayer)) throw expected(`an output layer: ${OUTPUT_LAYERS.join(", ")}`, outputLayer);
  const plans = stream.slice(0, kept ?? stream.length);

  // The output layer covers the whole stream unless asked otherwise: the first N experiences of a run
  // then see the same model as the first N of the full run.
  const sizes = (outputLayer === "all" ? stream : plans).map((plan) => plan.classes.length);
  const totalClasses = sizes.reduce((sum, k) => sum + k, 0);
  if (scenario === "class" && totalClasses > 256) {
    throw new UsageError(
      "expected at most 256 classes in the class scenario (labels are bytes), " +
        `received ${sizes.length} experiences with ${totalClasses} classes in all`,
    );
  }
  const heads = scenario === "task" ? sizes : scenario === "domain" ? [Math.max(...sizes)] : [totalClasses];

  let offset = 0;
  const experiences = plans.map((plan, e): Experience => {
    const labelOffset = offset;
    offset += plan.classes.length;
    const head = scenario === "task" ? e : 0;
    const experience = {
      id: e,
      classes: plan.classes,
      labelOffset,
      taskId: scenario === "task" ? e : null,
      head,
      headSize: heads[head],
      classesSeen: offset,
      ...(plan.permutation ? { permutation: plan.permutation } : {}),
      ...(plan.angleDegrees !== undefined ? { angleDegrees: plan.angleDegrees } : {}),
    };
    const labelShift = scenario === "class" ? labelOffset : 0;
    lazyProperty(experience, "train", () => buildPart(train, plan, labelShift));
    lazyProperty(experience, "test", () => buildPart(test, plan, labelShift));
    return experience as unknown as Experience;
  });

  return {
    name: options.name,
    scenario,
    seed,
    inputShape: [...train.shape],
    heads,
    numOutputs: heads.reduce((sum, units) => sum + units, 0),
    ...(classOrder ? { classOrder } : {}),
    experiences,
  };
}
