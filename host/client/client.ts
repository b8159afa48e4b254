// The host's side of the protocol: one request at a time, each answered by one reply with the same
// sequence number (docs/protocol.md). Large requests travel as CHUNKs; a board's chunked reply is
// reassembled. A frame the board could not read (ERROR with sequence 0) or a corrupt reply is sent
// again (the board answers a repeat from its last reply, never running it twice); no reply within
// the timeout, or the link ending, fails the request with an error naming the board and the request,
// and saying so when what arrived instead was corrupt frames.
import {
  ChunkAssembler,
  DataFlag,
  decodeErrorReply,
  decodeResult,
  DEFAULT_MAX_FRAME_SIZE,
  encodeFrame,
  encodePayload,
  EvalFlag,
  FRAME_OVERHEAD,
  FrameDecoder,
  MessageType,
  needsChunking,
  NO_SEQUENCE,
  PROTOCOL_VERSION,
  ResetFlag,
  SampleEncoding,
  Split,
  splitIntoChunks,
  TelemetryFlag,
  type MessageTypeCode,
  type ReplyOf,
  type RequestName,
} from "../protocol/index.js";
import { expected } from "../errors.js";
import type { Transport } from "../transport/transport.js";
import { BoardCorruptRepliesError, BoardError, BoardLostError, BoardProtocolError, BoardTimeoutError } from "./errors.js";

export type HelloReply = ReplyOf<"HELLO">;
export type DeployReply = ReplyOf<"DEPLOY">;
export type DataReply = ReplyOf<"DATA">;
export type TrainReply = ReplyOf<"TRAIN">;
export type EvalReply = ReplyOf<"EVAL">;
export type TelemetryReply = ReplyOf<"TELEMETRY">;
export type CheckpointReply = ReplyOf<"CHECKPOINT">;

export interface BoardClientOptions {
  /** The board's name in messages (its manifest id). */
  board: string;
  /** Default time to wait for each reply, ms. */
  timeoutMs?: number;
  /** Largest frame to send until HELLO tells the board's own (default DEFAULT_MAX_FRAME_SIZE). */
  maxFrameSize?: number;
  /** How often one request is sent again after the board could not read it or its reply arrived corrupt. */
  resends?: number;
  /** Diagnostics (resends, stray replies). */
  log?: (line: string) => void;
}

export interface RequestOptions {
  /** Overrides the client's timeout for this request. */
  timeoutMs?: number;
  /** How the request is named in errors, e.g. "TRAIN (experience 2)". */
  label?: string;
  /** Progress of a chunked transfer: payload bytes sent so far and in all. */
  onProgress?: (sent: number, total: number) => void;
}

export interface DataBatch {
  experience: number;
  split: "train" | "test";
  /** count x features values, sample after sample. */
  inputs: Float32Array;
  /** One label per sample. */
  labels: ArrayLike<number>;
  features: number;
  /** "f32" (exact, the default) or "u8" (values in [0, 1] sent as round(v * 255); the device reads v / 255). */
  encoding?: "f32" | "u8";
  /** Drop the samples already stored for this experience and split first (default true). */
  clear?: boolean;
  /** Most samples per DATA message (default: as many as fit one frame). */
  samplesPerMessage?: number;
}

type Reply = { type: MessageTypeCode; payload: Uint8Array };

interface Pending {
  seq: number;
  label: string;
  frame: Uint8Array;
  resendsLeft: number;
  /** Frames received while waiting that could not be decoded, and what was wrong with the last. */
  corruptFrames: number;
  lastCorruption: string;
  chunks: ChunkAssembler;
  settle(reply: Reply | Error): void;
}

export class BoardClient {
  readonly board: string;
  readonly timeoutMs: number;
  /** Largest frame the board accepts: DEFAULT_MAX_FRAME_SIZE (or the option) until HELLO says. */
  maxFrameSize: number;
  private decoder: FrameDecoder;
  private seq = 0;
  private pending: Pending | null = null;
  private lostWith: { reason: string; diagnostics?: string } | null = null;
  private readonly resends: number;
  private readonly log: (line: string) => void;

  constructor(
    readonly transport: Transport,
    options: BoardClientOptions,
  ) {
    this.board = options.board;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.resends = options.resends ?? 3;
    this.log = options.log ?? (() => {});
    this.decoder = new FrameDecoder({ maxFrameSize: Math.max(this.maxFrameSize, DEFAULT_MAX_FRAME_SIZE) });
    transport.onData((bytes) => this.receive(bytes));
    transport.onClose((closed) => {
      this.lostWith = { reason: closed.reason, diagnostics: closed.diagnostics };
      const pending = this.pending;
      if (pending) pending.settle(new BoardLostError(this.board, pending.label, closed.reason, closed.diagnostics));
    });
    // A lone delimiter ends whatever partial frame the board holds from an earlier session.
    if (transport.open) transport.write(new Uint8Array([0]));
  }

  /** True while the link is up. */
  get alive(): boolean {
    return this.lostWith === null;
  }

  private nextSeq(): number {
    this.seq = this.seq >= 0xffff ? 1 : this.seq + 1;
    return this.seq;
  }

  private receive(bytes: Uint8Array): void {
    for (const result of this.decoder.push(bytes)) {
      const pending = this.pending;
      if (!pending) {
        this.log(`ignored a frame from board ${this.board} with no request waiting`);
        continue;
      }
      if (!("ok" in result)) {
        pending.corruptFrames++;
        pending.lastCorruption = result.detail;
        this.resend(pending, `a corrupt reply (${result.detail})`);
        continue;
      }
      const { type, seq, payload } = result.ok;
      if (seq === pending.seq) {
        if (type === MessageType.RESULT || type === MessageType.ERROR) pending.settle({ type, payload });
        else if (type === MessageType.CHUNK) this.replyChunk(pending, payload);
        else pending.settle(new BoardProtocolError(this.board, pending.label, `expected RESULT, ERROR or CHUNK, received message type ${type}`));
      } else if (seq === NO_SEQUENCE && type === MessageType.ERROR) {
        const error = decodeErrorReply(payload);
        this.resend(pending, `the board could not read the request (${"ok" in error ? error.ok.message : error.detail})`, error);
      } else {
        this.log(`ignored a reply with sequence number ${seq} while waiting for ${pending.seq} (${pending.label})`);
      }
    }
  }

  /** A reply too large for one frame, sent as CHUNKs with the request's sequence number. */
  private replyChunk(pending: Pending, payload: Uint8Array): void {
    const result = pending.chunks.push(payload);
    if ("error" in result) pending.settle(new BoardProtocolError(this.board, pending.label, `chunked reply: ${result.detail}`));
    else if ("ok" in result) pending.settle({ type: result.ok.type, payload: result.ok.payload });
  }

  /**
   * Sends the pending request again. With no resends left, a request the board could not read fails
   * with the board's error; after a corrupt reply the client keeps waiting (the timeout ends it).
   */
  private resend(pending: Pending, why: string, lastError?: ReturnType<typeof decodeErrorReply>): void {
    if (pending.resendsLeft <= 0) {
      if (lastError && "ok" in lastError) pending.settle(new BoardError(this.board, pending.label, lastError.ok.code, lastError.ok.message));
      else this.log(`not resending ${pending.label} to board ${this.board} again (${why}); waiting for its reply`);
      return;
    }
    pending.resendsLeft--;
    this.log(`resending ${pending.label} to board ${this.board}: ${why}`);
    pending.chunks.abort();
    this.transport.write(pending.frame);
  }

  /** Sends one frame and waits for the reply with its sequence number. */
  private exchange(type: MessageTypeCode, payload: Uint8Array, label: string, timeoutMs: number): Promise<Reply> {
    if (this.lostWith) return Promise.reject(new BoardLostError(this.board, label, this.lostWith.reason, this.lostWith.diagnostics));
    if (this.pending) return Promise.reject(new Error(`board ${this.board}: ${label} sent while ${this.pending.label} is still waiting for its reply`));
    const seq = this.nextSeq();
    const frame = encodeFrame({ type, seq, payload });
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        const { corruptFrames, lastCorruption } = pending;
        pending.settle(
          corruptFrames > 0
            ? new BoardCorruptRepliesError(this.board, label, timeoutMs, corruptFrames, lastCorruption)
            : new BoardTimeoutError(this.board, label, timeoutMs),
        );
      }, timeoutMs);
      const pending: Pending = {
        seq,
        label,
        frame,
        resendsLeft: this.resends,
        corruptFrames: 0,
        lastCorruption: "",
        chunks: new ChunkAssembler(),
        settle: (reply) => {
          if (this.pending !== pending) return;
          clearTimeout(timer);
          this.pending = null;
          if (reply instanceof Error) reject(reply);
          else resolve(reply);
        },
      };
      this.pending = pending;
      try {
        this.transport.write(frame);
      } catch (err) {
        pending.settle(new BoardLostError(this.board, label, (err as Error).message));
      }
    });
  }

  /** Sends request `name` (as CHUNKs when it does not fit one frame) and returns its decoded RESULT. */
  async request<N extends RequestName>(name: N, payload: Uint8Array, options: RequestOptions = {}): Promise<ReplyOf<N>> {
    const label = options.label ?? name;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let reply: Reply;
    if (needsChunking(payload.length, this.maxFrameSize)) {
      const chunks = splitIntoChunks(MessageType[name], payload, this.maxFrameSize);
      for (let i = 0; ; i++) {
        reply = await this.exchange(MessageType.CHUNK, chunks[i], `${label} (chunk ${i + 1} of ${chunks.length})`, timeoutMs);
        if (i === chunks.length - 1) break;
        if (reply.type === MessageType.ERROR) break;
        const ack = decodeResult("CHUNK", reply.payload);
        if ("error" in ack) throw new BoardProtocolError(this.board, label, ack.detail);
        options.onProgress?.(ack.ok.received, payload.length);
      }
      options.onProgress?.(payload.length, payload.length);
    } else {
      reply = await this.exchange(MessageType[name], payload, label, timeoutMs);
    }
    if (reply.type === MessageType.ERROR) {
      const error = decodeErrorReply(reply.payload);
      if ("error" in error) throw new BoardProtocolError(this.board, label, error.detail);
      throw new BoardError(this.board, label, error.ok.code, error.ok.message);
    }
    const result = decodeResult(name, reply.payload);
    if ("error" in result) throw new BoardProtocolError(this.board, label, result.detail);
    return result.ok;
  }

  /** Asks the board what it is; from then on frames are sized to the board's maximum. */
  async hello(options: RequestOptions = {}): Promise<HelloReply> {
    const reply = await this.request("HELLO", encodePayload("HELLO", {}), options);
    if (reply.protocolVersion !== PROTOCOL_VERSION) {
      throw new BoardProtocolError(this.board, "HELLO", `expected protocol version ${PROTOCOL_VERSION}, received ${reply.protocolVersion}`);
    }
    this.maxFrameSize = reply.maxFrameSize;
    this.decoder = new FrameDecoder({ maxFrameSize: Math.max(reply.maxFrameSize, DEFAULT_MAX_FRAME_SIZE) });
    return reply;
  }

  /**
   * Deploys a module (empty: keep the loaded one) with a configuration: the config blobs as bytes
   * (docs/protocol.md DEPLOY), or text / an object sent as UTF-8 JSON (stand-in modules of tests).
   */
  deploy(deployment: { config: Uint8Array | string | object; module?: Uint8Array }, options: RequestOptions = {}): Promise<DeployReply> {
    const c = deployment.config;
    const config = c instanceof Uint8Array ? c : new TextEncoder().encode(typeof c === "string" ? c : JSON.stringify(c));
    const payload = encodePayload("DEPLOY", { config, module: deployment.module ?? new Uint8Array(0) });
    return this.request("DEPLOY", payload, { label: "DEPLOY", ...options });
  }

  /** Stores samples of one experience on the board, in as many DATA messages as it takes. */
  async data(batch: DataBatch, options: RequestOptions = {}): Promise<DataReply> {
    const { experience, features, inputs, labels } = batch;
    const encoding = batch.encoding ?? "f32";
    const count = labels.length;
    if (!Number.isInteger(features) || features < 1) throw expected("features per sample to be a positive integer", features);
    if (inputs.length !== count * features) throw expected(`${count} x ${features} = ${count * features} input values`, inputs.length);
    if (encoding !== "f32" && encoding !== "u8") throw expected('a sample encoding "f32" or "u8"', encoding);
    const valueBytes = encoding === "f32" ? 4 : 1;
    const sampleBytes = 2 + features * valueBytes;
    const fixed = 13;
    const fit = Math.max(1, Math.floor((this.maxFrameSize - FRAME_OVERHEAD - fixed) / sampleBytes));
    const perMessage = Math.max(1, Math.min(fit, batch.samplesPerMessage ?? fit));
    const splitName = batch.split === "train" ? "train" : "test";
    let reply: DataReply | null = null;
    for (let first = 0; first < count || (count === 0 && first === 0); first += perMessage) {
      const n = Math.min(perMessage, count - first);
      const samples = new Uint8Array(n * sampleBytes);
      const view = new DataView(samples.buffer);
      for (let k = 0; k < n; k++) {
        const label = labels[first + k];
        if (!Number.isInteger(label) || label < 0 || label > 0xffff) throw expected(`label ${first + k} to be an integer 0..65535`, label);
        view.setUint16(2 * k, label, true);
      }
      let at = 2 * n;
      const base = first * features;
      for (let i = 0; i < n * features; i++) {
        const value = inputs[base + i];
        if (encoding === "f32") {
          view.setFloat32(at, value, true);
          at += 4;
        } else {
          if (!(value >= 0 && value <= 1)) throw expected(`input value ${base + i} in [0, 1] for the u8 encoding`, value);
          samples[at++] = Math.round(value * 255);
        }
      }
      const clear = first === 0 && batch.clear !== false;
      const payload = encodePayload("DATA", {
        experience,
        split: batch.split === "train" ? Split.TRAIN : Split.TEST,
        encoding: encoding === "f32" ? SampleEncoding.F32 : SampleEncoding.U8,
        flags: clear ? DataFlag.CLEAR : 0,
        count: n,
        features,
        samples,
      });
      reply = await this.request("DATA", payload, { label: `DATA (experience ${experience}, ${splitName}, samples ${first}..${first + n - 1})`, ...options });
      options.onProgress?.(first + n, count);
      if (count === 0) break;
    }
    return reply as DataReply;
  }

  /** Trains on one experience; without flags (TrainFlag.CONTINUE) the request ends the experience. */
  train(params: { experience: number; iterations: number; batchSize: number; seed: number; flags?: number }, options: RequestOptions = {}): Promise<TrainReply> {
    return this.request("TRAIN", encodePayload("TRAIN", { flags: 0, ...params }), { label: `TRAIN (experience ${params.experience})`, ...options });
  }

  eval(params: { experience: number; taskMask?: boolean }, options: RequestOptions = {}): Promise<EvalReply> {
    const payload = encodePayload("EVAL", { experience: params.experience, flags: params.taskMask ? EvalFlag.TASK_MASK : 0 });
    return this.request("EVAL", payload, { label: `EVAL (experience ${params.experience})`, ...options });
  }

  telemetry(params: { resetCounters?: boolean } = {}, options: RequestOptions = {}): Promise<TelemetryReply> {
    return this.request("TELEMETRY", encodePayload("TELEMETRY", { flags: params.resetCounters ? TelemetryFlag.RESET_COUNTERS : 0 }), options);
  }

  checkpoint(slot: number, options: RequestOptions = {}): Promise<CheckpointReply> {
    return this.request("CHECKPOINT", encodePayload("CHECKPOINT", { slot }), { label: `CHECKPOINT (slot ${slot})`, ...options });
  }

  restore(slot: number, options: RequestOptions = {}): Promise<ReplyOf<"RESTORE">> {
    return this.request("RESTORE", encodePayload("RESTORE", { slot }), { label: `RESTORE (slot ${slot})`, ...options });
  }

  async reset(params: { eraseFlash?: boolean } = {}, options: RequestOptions = {}): Promise<void> {
    await this.request("RESET", encodePayload("RESET", { flags: params.eraseFlash ? ResetFlag.ERASE_FLASH : 0 }), options);
  }

  /** Ends the link (for a process board, the board's process too). */
  async close(): Promise<void> {
    await this.transport.close();
  }
}
