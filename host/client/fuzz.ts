// Fuzzing a board at scale: batches of random and mutated frames, built from the valid traffic of a
// small learner's set-up (HELLO, DEPLOY, DATA, TRAIN, EVAL, TELEMETRY, CHECKPOINT, RESTORE, RESET).
// Each frame is sent as it is, unmutated but for a fresh sequence number, or with one header field or
// payload byte changed (CRC-32 recomputed), cut short, twice, after the next one, oversize, with a
// wrong CRC-32, with a broken COBS block, with sequence number 0, or as random bytes. After each batch
// the board must answer HELLO, and TELEMETRY's modelChecksum must be unchanged unless the batch held a
// valid DEPLOY, TRAIN, RESTORE, RESET or CHUNK the board answered with RESULT. The run counts crashes
// (the link closed), hangs (no byte from the board for the timeout), replies that do not decode, and unexplained
// model changes, and carries on after each on a fresh link. `npm run fuzz` (scripts/fuzz.mjs) drives it.
import { Rng } from "../data/rng.js";
import {
  cobsEncode,
  crc32,
  decodePayload,
  decodeResult,
  encodeFrame,
  encodePayload,
  ERROR_NAMES,
  decodeErrorReply,
  FRAME_OVERHEAD,
  FrameDecoder,
  HEADER_SIZE,
  MessageType,
  PROTOCOL_VERSION,
  type Frame,
} from "../protocol/index.js";
import type { Transport } from "../transport/transport.js";
import type { BoardClient } from "./client.js";

export const MUTATIONS = [
  "valid", "field", "payload", "truncated", "duplicated", "reordered", "oversize", "bad-crc", "bad-cobs", "seq-0", "random",
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** A link to the board, the client on it, and how to set the learner up on it. */
export interface FuzzTarget {
  client: BoardClient;
  transport: Transport;
}

export interface FuzzOptions {
  frames: number;
  seed: number;
  /** Frames between two checks (default 64). */
  batch?: number;
  /** How long the board may stay silent while the fuzzer waits for its HELLO after a batch (ms). */
  timeoutMs: number;
  /** Opens a fresh link (the first one, and again after a crash or hang). */
  open: () => Promise<FuzzTarget>;
  /** Brings a board on a fresh link (or one whose deployment a valid RESET dropped) to a trained learner. */
  setUp: (client: BoardClient) => Promise<void>;
  /** Called after every batch. */
  onBatch?: (stats: FuzzStats) => void;
}

export interface FuzzStats {
  frames: number;
  batches: number;
  /** Frames sent, by mutation. */
  byMutation: Record<Mutation, number>;
  /** Reply frames received, and ERROR replies by code name. */
  replies: number;
  errors: Record<string, number>;
  /** Batches in which a valid state-changing request changed the model checksum. */
  explainedChanges: number;
  crashes: string[];
  hangs: string[];
  badReplies: string[];
  unexplained: string[];
}

// Sequence numbers the checks use; fuzzed frames never carry them, so no fuzzed request is ever taken
// for a repeat of a check (the board answers a repeat from its last reply).
const CHECK_SEQ_FIRST = 0xfff0;
const MODEL_CHANGERS = new Set<number>([MessageType.DEPLOY, MessageType.TRAIN, MessageType.RESTORE, MessageType.RESET, MessageType.CHUNK]);
// A valid TRAIN the fuzzer made stays small, so that a slow board is not taken for a hung one.
const MAX_FUZZ_ITERATIONS = 3;
const MAX_FUZZ_BATCH = 16;

/** Header, payload and CRC-32 as the wire carries them, any field allowed (unlike packFrame). */
function pack(version: number, type: number, seq: number, length: number, payload: Uint8Array, crcFlip = 0): Uint8Array {
  const bytes = new Uint8Array(HEADER_SIZE + payload.length + 4);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, version & 0xff);
  view.setUint8(1, type & 0xff);
  view.setUint16(2, seq & 0xffff, true);
  view.setUint32(4, length >>> 0, true);
  bytes.set(payload, HEADER_SIZE);
  view.setUint32(HEADER_SIZE + payload.length, (crc32(bytes.subarray(0, HEADER_SIZE + payload.length)) ^ crcFlip) >>> 0, true);
  return bytes;
}

const delimited = (encoded: Uint8Array): Uint8Array => {
  const out = new Uint8Array(encoded.length + 1);
  out.set(encoded);
  return out;
};

const wire = (packed: Uint8Array): Uint8Array => delimited(cobsEncode(packed));

/** One fuzzed frame: its bytes, and the requests the board can read in them (for explaining changes). */
export interface FuzzFrame {
  bytes: Uint8Array;
  mutation: Mutation;
  readable: Array<{ type: number; seq: number }>;
}

type Mutated = Omit<FuzzFrame, "readable">;

export class FrameMutator {
  private readonly rng: Rng;
  private readonly types: number[];

  constructor(
    seed: number,
    private readonly corpus: Frame[],
    private readonly maxFrameSize: number,
  ) {
    this.rng = Rng.forStream(seed, "fuzz/frames");
    if (corpus.length === 0) throw new Error("expected frames of a set-up to mutate, received none");
    this.types = [...new Set(corpus.map((f) => f.type))];
  }

  private int(n: number): number {
    return Math.floor(this.rng.nextFloat() * n);
  }

  private seq(): number {
    return 1 + this.int(CHECK_SEQ_FIRST - 1);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A TRAIN the board can read keeps to a few small steps. */
  private tame(type: number, payload: Uint8Array): Uint8Array {
    if (type !== MessageType.TRAIN) return payload;
    const train = decodePayload("TRAIN", payload);
    if (!("ok" in train) || (train.ok.iterations <= MAX_FUZZ_ITERATIONS && train.ok.batchSize <= MAX_FUZZ_BATCH)) return payload;
    return encodePayload("TRAIN", { ...train.ok, iterations: 1 + (train.ok.iterations % MAX_FUZZ_ITERATIONS), batchSize: 1 + (train.ok.batchSize % MAX_FUZZ_BATCH) });
  }

  private frame(mutation: Mutation, base: Frame): Mutated {
    const seq = this.seq();
    const payload = this.tame(base.type, base.payload);
    const valid = (type: number, s: number, p: Uint8Array): Mutated => ({ bytes: wire(pack(PROTOCOL_VERSION, type, s, p.length, p)), mutation });
    switch (mutation) {
      case "valid":
      case "duplicated":
      case "reordered":
        return valid(base.type, seq, payload);
      case "seq-0":
        return valid(base.type, 0, payload);
      case "field": {
        const field = this.int(4);
        if (field === 0) return { bytes: wire(pack(this.int(256), base.type, seq, payload.length, payload)), mutation };
        if (field === 1) {
          const type = this.int(256);
          return { bytes: wire(pack(PROTOCOL_VERSION, type, seq, payload.length, this.tame(type, payload))), mutation };
        }
        if (field === 2) return valid(base.type, this.seq(), payload);
        const length = this.rng.nextFloat() < 0.5 ? payload.length + this.int(9) - 4 : this.int(0x100000000);
        return { bytes: wire(pack(PROTOCOL_VERSION, base.type, seq, length, payload)), mutation };
      }
      case "payload": {
        if (payload.length === 0) return valid(base.type, seq, payload);
        const changed = payload.slice();
        changed[this.int(changed.length)] = this.int(256);
        return valid(base.type, seq, this.tame(base.type, changed));
      }
      case "truncated": {
        const encoded = cobsEncode(pack(PROTOCOL_VERSION, base.type, seq, payload.length, payload));
        return { bytes: delimited(encoded.subarray(0, this.int(encoded.length))), mutation };
      }
      case "oversize": {
        const big = new Uint8Array(this.maxFrameSize - FRAME_OVERHEAD + 1 + this.int(64));
        big.set(payload.subarray(0, big.length));
        return { bytes: wire(pack(PROTOCOL_VERSION, base.type, seq, big.length, big)), mutation };
      }
      case "bad-crc":
        return { bytes: wire(pack(PROTOCOL_VERSION, base.type, seq, payload.length, payload, 1 << this.int(32))), mutation };
      case "bad-cobs": {
        const encoded = cobsEncode(pack(PROTOCOL_VERSION, base.type, seq, payload.length, payload)).slice();
        // A code byte that points past the end of the frame, or a block cut by a zero.
        if (this.rng.nextFloat() < 0.5) encoded[0] = Math.min(255, encoded.length + 1 + this.int(8));
        else encoded[1 + this.int(encoded.length - 1)] = 0;
        return { bytes: delimited(encoded), mutation };
      }
      case "random":
        return { bytes: delimited(Uint8Array.from({ length: 1 + this.int(300) }, () => 1 + this.int(255))), mutation };
    }
  }

  /**
   * What the board will read in a mutated frame, decoded as the board decodes it rather than taken
   * from the mutation: a changed version or length field can land on the right value by chance.
   */
  private readable(frame: Mutated): FuzzFrame {
    const decoder = new FrameDecoder({ maxFrameSize: this.maxFrameSize });
    const readable = decoder.push(frame.bytes).flatMap((r) => ("ok" in r ? [{ type: r.ok.type, seq: r.ok.seq }] : []));
    return { ...frame, readable };
  }

  /** `count` frames; "duplicated" sends a frame twice, "reordered" swaps it with the frame before. */
  batch(count: number): FuzzFrame[] {
    const out: FuzzFrame[] = [];
    while (out.length < count) {
      const mutation = this.pick(MUTATIONS);
      // A request type first, then one of its frames: the many CHUNKs of a module are one type.
      const type = this.pick(this.types);
      const frame = this.readable(this.frame(mutation, this.pick(this.corpus.filter((f) => f.type === type))));
      if (mutation === "duplicated") out.push(frame, frame);
      else if (mutation === "reordered" && out.length > 0) out.splice(out.length - 1, 0, frame);
      else out.push(frame);
    }
    return out.slice(0, count);
  }
}

/** Records the frames a client sends while it sets a board up: the corpus the mutator starts from. */
export function recordFrames(transport: Transport): { frames: Frame[]; stop: () => void } {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder({ maxFrameSize: 1 << 24 });
  const write = transport.write.bind(transport);
  transport.write = (bytes: Uint8Array) => {
    for (const r of decoder.push(bytes)) if ("ok" in r) frames.push(r.ok);
    write(bytes);
  };
  return { frames, stop: () => (transport.write = write) };
}

/** A raw link for the fuzzer: writes bytes, decodes every reply, waits for the reply to one sequence number. */
class RawLink {
  private readonly decoder = new FrameDecoder({ maxFrameSize: 1 << 24 });
  private waiting: { seq: number; resolve: (frame: Frame) => void } | null = null;
  replies: Frame[] = [];
  bad: string[] = [];
  closed: string | null = null;
  /** When the board last sent a byte. */
  private heard = Date.now();

  constructor(readonly transport: Transport) {
    transport.onData((bytes) => {
      this.heard = Date.now();
      for (const r of this.decoder.push(bytes)) {
        if (!("ok" in r)) this.bad.push(r.detail);
        else if (this.waiting && r.ok.seq === this.waiting.seq) this.waiting.resolve(r.ok);
        else this.replies.push(r.ok);
      }
    });
    transport.onClose((c) => {
      this.closed = c.reason + (c.diagnostics ? ` (${c.diagnostics.split("\n").slice(-2).join(" | ")})` : "");
      this.waiting?.resolve({ type: MessageType.ERROR, seq: -1, payload: new Uint8Array(0) });
    });
  }

  /**
   * Sends a request with `seq` and waits for its reply: null when the board sent nothing at all for
   * `timeoutMs` (a board still answering the batch's frames is slow, not hung), a frame with seq -1
   * when the link closed.
   */
  request(name: "HELLO" | "TELEMETRY", seq: number, timeoutMs: number): Promise<Frame | null> {
    const payload = name === "HELLO" ? encodePayload("HELLO", {}) : encodePayload("TELEMETRY", { flags: 0 });
    this.heard = Date.now();
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (Date.now() - this.heard < timeoutMs) return;
        clearInterval(timer);
        this.waiting = null;
        resolve(null);
      }, Math.min(1000, timeoutMs / 4));
      this.waiting = {
        seq,
        resolve: (frame) => {
          clearInterval(timer);
          this.waiting = null;
          resolve(frame);
        },
      };
      if (this.closed) return this.waiting.resolve({ type: MessageType.ERROR, seq: -1, payload: new Uint8Array(0) });
      // A lone delimiter first ends any partial frame the batch left in the board's decoder.
      this.transport.write(Uint8Array.of(0));
      this.transport.write(encodeFrame({ type: MessageType[name], seq, payload }));
    });
  }
}

export async function fuzzBoard(options: FuzzOptions): Promise<FuzzStats> {
  const batchSize = options.batch ?? 64;
  const stats: FuzzStats = {
    frames: 0,
    batches: 0,
    byMutation: Object.fromEntries(MUTATIONS.map((m) => [m, 0])) as Record<Mutation, number>,
    replies: 0,
    errors: {},
    explainedChanges: 0,
    crashes: [],
    hangs: [],
    badReplies: [],
    unexplained: [],
  };
  let target = await options.open();
  const recording = recordFrames(target.transport);
  await options.setUp(target.client);
  recording.stop();
  const mutator = new FrameMutator(options.seed, recording.frames, target.client.maxFrameSize);
  let link = new RawLink(target.transport);
  let checks = 0;
  const check = async (name: "HELLO" | "TELEMETRY") => link.request(name, CHECK_SEQ_FIRST + (checks++ % 16), options.timeoutMs);
  const modelChecksum = async (): Promise<number | null> => {
    const reply = await check("TELEMETRY");
    if (!reply || reply.seq < 0 || reply.type !== MessageType.RESULT) return null;
    const t = decodeResult("TELEMETRY", reply.payload);
    return "ok" in t ? t.ok.modelChecksum : null;
  };
  const reopen = async () => {
    await target.transport.close().catch(() => {});
    target = await options.open();
    await options.setUp(target.client);
    link = new RawLink(target.transport);
  };
  let before = await modelChecksum();

  while (stats.frames < options.frames) {
    const frames = mutator.batch(Math.min(batchSize, options.frames - stats.frames));
    const where = `batch ${stats.batches} (frames ${stats.frames}..${stats.frames + frames.length - 1}, seed ${options.seed})`;
    link.replies = [];
    link.bad = [];
    for (const f of frames) {
      stats.byMutation[f.mutation]++;
      if (!link.closed) target.transport.write(f.bytes);
    }
    stats.frames += frames.length;
    stats.batches++;
    const hello = await check("HELLO");
    stats.replies += link.replies.length;
    for (const r of link.replies) {
      if (r.type !== MessageType.ERROR) continue;
      const e = decodeErrorReply(r.payload);
      const name = "ok" in e ? (ERROR_NAMES[e.ok.code] ?? `error ${e.ok.code}`) : "undecodable ERROR";
      stats.errors[name] = (stats.errors[name] ?? 0) + 1;
    }
    if (link.bad.length) stats.badReplies.push(`${where}: ${link.bad.length} reply frames did not decode (first: ${link.bad[0]})`);
    if (link.closed || !hello || hello.seq < 0) {
      if (link.closed) stats.crashes.push(`${where}: ${link.closed}`);
      else stats.hangs.push(`${where}: no reply to HELLO, and nothing else, for ${options.timeoutMs} ms`);
      await reopen();
      before = await modelChecksum();
      options.onBatch?.(stats);
      continue;
    }
    let after = await modelChecksum();
    const changers = new Set(frames.flatMap((f) => f.readable.filter((r) => MODEL_CHANGERS.has(r.type)).map((r) => r.seq)));
    // A RESULT names the request it answers: a CHUNK's own acknowledgement changes nothing, the RESULT
    // of the request a last CHUNK completed may.
    const explained = link.replies.some((r) => {
      if (r.type !== MessageType.RESULT || !changers.has(r.seq)) return false;
      const envelope = decodePayload("RESULT", r.payload);
      return "ok" in envelope && envelope.ok.requestType !== MessageType.CHUNK && MODEL_CHANGERS.has(envelope.ok.requestType);
    });
    if (after !== before) {
      if (explained) stats.explainedChanges++;
      else stats.unexplained.push(`${where}: model checksum ${before} became ${after} with no valid state-changing request answered`);
    }
    if (after === 0 || after === null) {
      // A valid RESET left nothing deployed: set the learner up again.
      await options.setUp(target.client);
      after = await modelChecksum();
    }
    before = after;
    options.onBatch?.(stats);
  }
  await target.transport.close();
  return stats;
}
