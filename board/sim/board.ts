// The simulated board's protocol engine: frames in, frames out, the device module in between.
// The board answers HELLO from its manifest, reassembles CHUNKed requests, answers a repeated request
// from its last reply, rejects bad frames with an ERROR and keeps going, and hands decoded requests
// to the device module's command loop (board/sim/device.ts). DEPLOY's module part, the flash slots of
// CHECKPOINT and RESTORE, and the time and accelerator counters of TELEMETRY are the board's own.
// One link drives the board at a time: the first to send a request that changes the board's state
// holds it until it closes, and other links (another host session on the TCP port) get IN_USE for
// such requests; they may still say HELLO and read TELEMETRY, which leaves every counter as it was.
// Nothing here throws: every failure becomes an ERROR reply. docs/boards.md describes the behaviour,
// board/sim/energy.ts the energy estimate TELEMETRY carries.
import {
  ChunkAssembler,
  decodeFields,
  decodePayload,
  encodeErrorReply,
  encodeFrame,
  encodePayload,
  encodeResult,
  ErrorCode,
  FRAME_OVERHEAD,
  FrameDecoder,
  MESSAGE_NAMES,
  MessageType,
  NO_SEQUENCE,
  PROTOCOL_VERSION,
  REPLY_LAYOUTS,
  ResetFlag,
  splitIntoChunks,
  TelemetryFlag,
  TrainFlag,
  type BoardFilledOf,
  type ErrorCodeValue,
  type MessageTypeCode,
  type ReplyOf,
  type RequestName,
} from "../../host/protocol/index.js";
import type { BoardManifest } from "../../host/manifest/manifest.js";
import { NAMED_FORMATS } from "../../host/generated/formats.js";
import { parseFormat } from "../../host/formats/parse.js";
import { DeviceInstance } from "./device.js";
import { Flash, FLASH_SLOTS } from "./flash.js";
import { Bus, type AcceleratorFactory } from "./mmio.js";
import { EnergyModel } from "./energy.js";
import { prepareModule } from "./module.js";

/** The state image's header (assembly/device/image.ts): its u32 at offset 12 is the bytes of regions that follow, then a u32 CRC. */
const IMAGE_HEADER_BYTES = 16;

/** An error message is one line for a person; the protocol allows 65535 bytes, the board sends at most this. */
const MAX_MESSAGE_CHARS = 2000;

type Reply = { type: typeof MessageType.RESULT | typeof MessageType.ERROR; payload: Uint8Array };

interface Deployment {
  device: DeviceInstance;
  bus: Bus;
}

/** What the board counts itself, since the counters were last reset. */
interface BoardCounters {
  timeUs: number;
  cycles: number;
  accelEnergyJ: number;
  /** The part of accelEnergyJ spent on memory traffic. */
  accelMemoryJ: number;
  accelJobs: number;
}

const NO_COUNTS: BoardCounters = { timeUs: 0, cycles: 0, accelEnergyJ: 0, accelMemoryJ: 0, accelJobs: 0 };

export interface SimBoardOptions {
  manifest: BoardManifest;
  /** Checkpoint storage; an in-memory flash of the manifest's size when omitted. */
  flash?: Flash;
  /** The accelerator model, when the board has one (see loadAccelerator). */
  accelerator?: AcceleratorFactory | null;
}

const errorReply = (requestType: number, code: ErrorCodeValue, detail: string): Reply => ({
  type: MessageType.ERROR,
  payload: encodeErrorReply(requestType & 0xff, code, detail.length > MAX_MESSAGE_CHARS ? `${detail.slice(0, MAX_MESSAGE_CHARS)}...` : detail),
});

const resultReply = (payload: Uint8Array): Reply => ({ type: MessageType.RESULT, payload });

/** HELLO's accelFormats bit of a format: its index among the named formats of spec/formats.json. */
function namedFormatBit(name: string): number | null {
  const index = NAMED_FORMATS.findIndex((f) => f.id === parseFormat(name).id);
  return index >= 0 && index < 32 ? index : null;
}

export class SimBoard {
  readonly manifest: BoardManifest;
  readonly flash: Flash;
  readonly maxFrameSize: number;
  readonly memoryLimit: number;
  private readonly accelerator: AcceleratorFactory | null;
  private readonly energy: EnergyModel;
  private deployment: Deployment | null = null;
  private counters: BoardCounters = { ...NO_COUNTS };
  /** The link that drives the board (docs/boards.md, one driver per board), or null. */
  private driver: BoardLink | null = null;

  constructor(options: SimBoardOptions) {
    this.manifest = options.manifest;
    this.flash = options.flash ?? new Flash(options.manifest.memory.flashBytes);
    this.accelerator = options.accelerator ?? null;
    this.maxFrameSize = options.manifest.transport.maxFrameSize;
    this.memoryLimit = options.manifest.memory.linearMemoryBytes;
    this.energy = new EnergyModel(options.manifest);
  }

  /** True once a DEPLOY succeeded (and no RESET dropped it). */
  get deployed(): boolean {
    return this.deployment !== null;
  }

  /** A link to the board: one byte stream with its own framing state (stdio, or one TCP connection). */
  openLink(): BoardLink {
    return new BoardLink(this);
  }

  /** A link that closed gives up driving the board. */
  release(link: BoardLink): void {
    if (this.driver === link) this.driver = null;
  }

  /**
   * Runs one whole request (chunks already reassembled) that arrived on `link` (none: a caller that is
   * the board's only user); never throws.
   */
  handle(type: number, payload: Uint8Array, link?: BoardLink): Reply {
    const observing = link !== undefined && readOnly(type, payload);
    if (link !== undefined && !observing) {
      if (this.driver !== null && this.driver !== link) {
        return errorReply(
          type,
          ErrorCode.IN_USE,
          `expected requests that change board ${this.manifest.id} from the host session that drives it, received ${MESSAGE_NAMES[type] ?? `type ${type}`} from another; only HELLO and TELEMETRY without a counter reset are answered until that session ends (monitor without --reset)`,
        );
      }
      this.driver = link;
    }
    try {
      return this.dispatch(type, payload, observing && this.driver !== null && this.driver !== link);
    } catch (err) {
      return errorReply(type, ErrorCode.INTERNAL, `the board failed in ${MESSAGE_NAMES[type] ?? type}: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private dispatch(type: number, payload: Uint8Array, observer: boolean): Reply {
    switch (type) {
      case MessageType.HELLO:
        return this.hello(payload);
      case MessageType.DEPLOY:
        return this.deploy(payload);
      case MessageType.DATA:
      case MessageType.TRAIN:
      case MessageType.EVAL:
        return this.forward(MESSAGE_NAMES[type] as "DATA" | "TRAIN" | "EVAL", payload);
      case MessageType.TELEMETRY:
        return this.telemetry(payload, observer);
      case MessageType.CHECKPOINT:
        return this.checkpoint(payload);
      case MessageType.RESTORE:
        return this.restore(payload);
      case MessageType.RESET:
        return this.reset(payload);
      case MessageType.RESULT:
      case MessageType.ERROR:
        return errorReply(type, ErrorCode.UNEXPECTED_TYPE, `expected a request, received a ${MESSAGE_NAMES[type]} (replies go from the board to the host)`);
      default:
        return errorReply(type, ErrorCode.UNEXPECTED_TYPE, `expected a request the board runs, received ${MESSAGE_NAMES[type] ?? `type ${type}`}`);
    }
  }

  private hello(payload: Uint8Array): Reply {
    const decoded = decodePayload("HELLO", payload);
    if ("error" in decoded) return errorReply(MessageType.HELLO, decoded.error, decoded.detail);
    const acceleratorPresent = this.accelerator !== null;
    let accelFormats = 0;
    if (acceleratorPresent) {
      const names = [...(this.manifest.accelerator.productFormats ?? []), ...(this.manifest.accelerator.accumulatorFormats ?? [])];
      for (const name of names) {
        const bit = namedFormatBit(name);
        if (bit !== null) accelFormats |= 1 << bit;
      }
    }
    return resultReply(
      encodeResult("HELLO", {
        protocolVersion: PROTOCOL_VERSION,
        maxFrameSize: this.maxFrameSize,
        memoryLimit: this.memoryLimit,
        flashSize: this.flash.sizeBytes,
        accelPresent: acceleratorPresent ? 1 : 0,
        accelFormats: accelFormats >>> 0,
        runtime: this.manifest.runtime.kind,
        board: this.manifest.id,
      }),
    );
  }

  /** Runs a request on a deployment's device and adds the time and accelerator work to the board's counters. */
  private run(deployment: Deployment, type: number, payload: Uint8Array, observer = false) {
    const before = deployment.device.busyUs;
    const result = deployment.device.run(type, payload);
    // An observer's reading is not the driver's work: it takes no time off the driver's counters.
    if (!observer) this.counters.timeUs += deployment.device.busyUs - before;
    // The accelerator's work of TRAIN requests that CONTINUE an experience is added with the next
    // request's: binary64 sums depend on their grouping, and a split experience must count as one request.
    if (!continuesTraining(type, payload)) this.settle(deployment);
    return result;
  }

  /** Adds the accelerator's work since the last call to the board's counters. */
  private settle(deployment: Deployment): void {
    const accel = deployment.bus.totals();
    deployment.bus.resetTotals();
    this.counters.cycles += accel.cycles;
    this.counters.accelEnergyJ += accel.energyJ;
    this.counters.accelMemoryJ += accel.memoryJ;
    this.counters.accelJobs += accel.jobs;
  }

  /** Runs a request whose RESULT body the device lays out, checking the body against the reply layout. */
  private runChecked(deployment: Deployment, name: RequestName, payload: Uint8Array): Reply {
    const type = MessageType[name];
    const result = this.run(deployment, type, payload);
    if ("error" in result) return errorReply(type, result.error, result.detail);
    const body = decodeFields(REPLY_LAYOUTS[name], result.ok, `${name} reply`);
    if ("error" in body) return errorReply(type, ErrorCode.INTERNAL, `the device's ${name} reply does not match its layout: ${body.detail}`);
    if (name === "DEPLOY") {
      // The limit is the board's: the device module cannot see the maximum its memory was given.
      const board: BoardFilledOf<"DEPLOY"> = { memoryLimit: this.memoryLimit };
      return resultReply(encodeResult("DEPLOY", { ...(body.ok as ReplyOf<"DEPLOY">), ...board }));
    }
    return resultReply(encodePayload("RESULT", { requestType: type, body: result.ok }));
  }

  private notDeployed(type: number): Reply {
    return errorReply(type, ErrorCode.NOT_DEPLOYED, `expected a deployed learner for ${MESSAGE_NAMES[type]}, received none; send DEPLOY first`);
  }

  private deploy(payload: Uint8Array): Reply {
    const decoded = decodePayload("DEPLOY", payload);
    if ("error" in decoded) return errorReply(MessageType.DEPLOY, decoded.error, decoded.detail);
    const { config, module } = decoded.ok;
    // The device sees the DEPLOY layout with the module part empty: the board has dealt with the module.
    const configOnly = encodePayload("DEPLOY", { config, module: new Uint8Array(0) });
    if (module.length === 0) {
      if (!this.deployment) {
        return errorReply(MessageType.DEPLOY, ErrorCode.NOT_DEPLOYED, "expected a module in the first DEPLOY, received a configuration alone");
      }
      return this.runChecked(this.deployment, "DEPLOY", configOnly);
    }
    const prepared = prepareModule(module, this.memoryLimit);
    if ("error" in prepared) return errorReply(MessageType.DEPLOY, prepared.error, prepared.detail);
    let memory: WebAssembly.Memory | null = null;
    const bus = new Bus(this.accelerator ? this.accelerator(() => memory as WebAssembly.Memory) : null);
    let device: DeviceInstance;
    try {
      device = new DeviceInstance(prepared.ok, bus, this.memoryLimit, (m) => (memory = m));
    } catch (err) {
      const trapped = err instanceof WebAssembly.RuntimeError;
      return errorReply(
        MessageType.DEPLOY,
        trapped ? ErrorCode.TRAP : ErrorCode.BAD_CONFIG,
        `${trapped ? "the device module trapped while starting" : "the device module could not be instantiated"}: ${(err as Error).message}`,
      );
    }
    const candidate: Deployment = { device, bus };
    const reply = this.runChecked(candidate, "DEPLOY", configOnly);
    // Only a deployment that succeeded replaces the previous one, which keeps working otherwise.
    if (reply.type === MessageType.RESULT) {
      if (this.deployment) this.settle(this.deployment);
      this.deployment = candidate;
    }
    return reply;
  }

  private forward(name: "DATA" | "TRAIN" | "EVAL", payload: Uint8Array): Reply {
    const type = MessageType[name];
    const decoded = decodePayload(name, payload);
    if ("error" in decoded) return errorReply(type, decoded.error, decoded.detail);
    if (!this.deployment) return this.notDeployed(type);
    return this.runChecked(this.deployment, name, payload);
  }

  private telemetry(payload: Uint8Array, observer: boolean): Reply {
    const decoded = decodePayload("TELEMETRY", payload);
    if ("error" in decoded) return errorReply(MessageType.TELEMETRY, decoded.error, decoded.detail);
    let device: ReplyOf<"TELEMETRY"> = {
      timeUs: 0, macs: 0, cycles: 0, energyJ: Number.NaN, memoryUsed: 0, memoryPeak: 0, memoryLimit: this.memoryLimit, accelJobs: 0,
      energyAcceleratorJ: Number.NaN, energyMemoryJ: Number.NaN, energyCpuJ: Number.NaN, accelMacs: 0, accelUnits: 0,
      fallbackNoAccelerator: 0, fallbackFormat: 0, fallbackRounding: 0, fallbackMode: 0, fallbackEmpty: 0, fallbackRefused: 0,
      cpuMacsExact: 0, cpuMacsExactSr: 0, cpuMacsFast: 0, optimizerSteps: 0, lossScaleSkips: 0,
      macsByFormat: [], modelChecksum: 0, health: [],
    };
    if (this.deployment) {
      const result = this.run(this.deployment, MessageType.TELEMETRY, payload, observer);
      if ("error" in result) return errorReply(MessageType.TELEMETRY, result.error, result.detail);
      const body = decodeFields(REPLY_LAYOUTS.TELEMETRY, result.ok, "TELEMETRY reply");
      if ("error" in body) return errorReply(MessageType.TELEMETRY, ErrorCode.INTERNAL, `the device's TELEMETRY reply does not match its layout: ${body.detail}`);
      device = body.ok;
    }
    const counters = this.counters;
    // The device reports the MACs its CPU path ran, by kernel; the accelerator's energy is the board's count.
    const cpuJ = this.energy.cpuJOf(device);
    // The fields spec/protocol.json marks filledBy "board"; the device fills the rest.
    const board: BoardFilledOf<"TELEMETRY"> = {
      timeUs: counters.timeUs,
      cycles: counters.cycles,
      energyJ: counters.accelEnergyJ + cpuJ,
      memoryLimit: this.memoryLimit,
      accelJobs: counters.accelJobs,
      energyAcceleratorJ: counters.accelEnergyJ - counters.accelMemoryJ,
      energyMemoryJ: counters.accelMemoryJ,
      energyCpuJ: cpuJ,
    };
    const reply = encodeResult("TELEMETRY", { ...device, ...board });
    if (decoded.ok.flags & TelemetryFlag.RESET_COUNTERS) this.counters = { ...NO_COUNTS };
    return resultReply(reply);
  }

  private checkpoint(payload: Uint8Array): Reply {
    const decoded = decodePayload("CHECKPOINT", payload);
    if ("error" in decoded) return errorReply(MessageType.CHECKPOINT, decoded.error, decoded.detail);
    const { slot } = decoded.ok;
    if (slot >= this.flashSlots) return errorReply(MessageType.CHECKPOINT, ErrorCode.BAD_PAYLOAD, `expected a flash slot 0..${this.flashSlots - 1}, received ${slot}`);
    if (!this.deployment) return this.notDeployed(MessageType.CHECKPOINT);
    const result = this.readImage(this.deployment, slot);
    if ("error" in result) return errorReply(MessageType.CHECKPOINT, result.error, result.detail);
    const written = this.flash.write(slot, result.ok);
    if ("problem" in written) return errorReply(MessageType.CHECKPOINT, ErrorCode.DOES_NOT_FIT, written.detail);
    return resultReply(encodeResult("CHECKPOINT", written.ok));
  }

  private restore(payload: Uint8Array): Reply {
    const decoded = decodePayload("RESTORE", payload);
    if ("error" in decoded) return errorReply(MessageType.RESTORE, decoded.error, decoded.detail);
    const { slot } = decoded.ok;
    if (slot >= this.flashSlots) return errorReply(MessageType.RESTORE, ErrorCode.BAD_PAYLOAD, `expected a flash slot 0..${this.flashSlots - 1}, received ${slot}`);
    const read = this.flash.read(slot);
    if ("problem" in read) return errorReply(MessageType.RESTORE, ErrorCode.NO_CHECKPOINT, read.detail);
    if (!this.deployment) return this.notDeployed(MessageType.RESTORE);
    // The device checks the image and loads it or refuses it, changing nothing.
    const result = this.writeImage(this.deployment, read.ok.image);
    if ("error" in result) return errorReply(MessageType.RESTORE, result.error, result.detail);
    return resultReply(encodeResult("RESTORE", { bytes: read.ok.image.length, crc: read.ok.crc }));
  }

  /**
   * The device's state image: piece by piece when the module streams images (its linear memory never
   * holds the whole image: docs/protocol.md, "CHECKPOINT and RESTORE in pieces"), else in one reply.
   */
  private readImage(deployment: Deployment, slot: number) {
    const piece = deployment.device.imagePieceBytes;
    if (piece === 0) return this.run(deployment, MessageType.CHECKPOINT, encodePayload("CHECKPOINT", { slot }));
    const request = new Uint8Array(5);
    const view = new DataView(request.buffer);
    request[0] = slot;
    const pieces: Uint8Array[] = [];
    let total = IMAGE_HEADER_BYTES;
    for (let at = 0; at < total; ) {
      view.setUint32(1, at, true);
      const result = this.run(deployment, MessageType.CHECKPOINT, request);
      if ("error" in result) return result;
      if (result.ok.length === 0) return { error: ErrorCode.INTERNAL, detail: `expected a piece of the checkpoint image at byte ${at} of ${total}, received none` };
      if (at === 0) total = IMAGE_HEADER_BYTES + new DataView(result.ok.buffer, result.ok.byteOffset).getUint32(12, true) + 4;
      pieces.push(result.ok.slice());
      at += result.ok.length;
    }
    const image = new Uint8Array(total);
    pieces.reduce((at, p) => (image.set(p, at), at + p.length), 0);
    return { ok: image };
  }

  /** Hands an image to the device: pieces checked (pass 0), then written (pass 1), or the whole image in one request. */
  private writeImage(deployment: Deployment, image: Uint8Array) {
    const piece = deployment.device.imagePieceBytes;
    if (piece === 0) return this.run(deployment, MessageType.RESTORE, image);
    for (const pass of [0, 1]) {
      for (let at = 0; at < image.length; at += piece) {
        const data = image.subarray(at, Math.min(image.length, at + piece));
        const request = new Uint8Array(5 + data.length);
        request[0] = pass;
        new DataView(request.buffer).setUint32(1, at, true);
        request.set(data, 5);
        const result = this.run(deployment, MessageType.RESTORE, request);
        if ("error" in result) return result;
      }
    }
    return { ok: new Uint8Array(0) };
  }

  private reset(payload: Uint8Array): Reply {
    const decoded = decodePayload("RESET", payload);
    if ("error" in decoded) return errorReply(MessageType.RESET, decoded.error, decoded.detail);
    if (this.deployment) {
      const result = this.run(this.deployment, MessageType.RESET, payload);
      if ("error" in result) return errorReply(MessageType.RESET, result.error, result.detail);
    }
    if (decoded.ok.flags & ResetFlag.ERASE_FLASH) this.flash.erase();
    this.counters = { ...NO_COUNTS };
    return resultReply(encodeResult("RESET", {}));
  }

  get flashSlots(): number {
    return FLASH_SLOTS;
  }
}

/** A TRAIN with CONTINUE: more requests of its experience follow. */
function continuesTraining(type: number, payload: Uint8Array): boolean {
  if (type !== MessageType.TRAIN) return false;
  const decoded = decodePayload("TRAIN", payload);
  return "ok" in decoded && (decoded.ok.flags & TrainFlag.CONTINUE) !== 0;
}

/** HELLO, and TELEMETRY without a counter reset, leave the board as they found it. */
function readOnly(type: number, payload: Uint8Array): boolean {
  if (type === MessageType.HELLO) return true;
  if (type !== MessageType.TELEMETRY) return false;
  const decoded = decodePayload("TELEMETRY", payload);
  return "ok" in decoded && (decoded.ok.flags & TelemetryFlag.RESET_COUNTERS) === 0;
}

interface LastReply {
  seq: number;
  type: number;
  payload: Uint8Array;
  wire: Uint8Array[];
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** One byte stream to the board: its frame decoder, chunk reassembly and last reply. */
export class BoardLink {
  private readonly decoder: FrameDecoder;
  private readonly assembler: ChunkAssembler;
  private last: LastReply | null = null;

  constructor(private readonly board: SimBoard) {
    this.decoder = new FrameDecoder({ maxFrameSize: board.maxFrameSize });
    this.assembler = new ChunkAssembler({ maxTotal: board.memoryLimit });
  }

  /** The byte stream ended: another link may drive the board. */
  close(): void {
    this.board.release(this);
  }

  /** Feeds received bytes; returns the bytes to send back (one reply per complete frame). Never throws. */
  receive(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const result of this.decoder.push(bytes)) {
      if ("ok" in result) {
        out.push(...this.request(result.ok.type, result.ok.seq, result.ok.payload));
      } else {
        // A header whose CRC matched is trusted: the reply echoes its sequence number and type.
        const trusted = result.seq !== undefined;
        out.push(...this.wire(trusted ? (result.seq as number) : NO_SEQUENCE, errorReply(trusted ? (result.type as number) : 0, result.error, result.detail)));
      }
    }
    return out;
  }

  private request(type: MessageTypeCode, seq: number, payload: Uint8Array): Uint8Array[] {
    const last = this.last;
    if (last && last.seq === seq && last.type === type && sameBytes(last.payload, payload)) return last.wire;
    let reply: Reply;
    if (type === MessageType.CHUNK) {
      const chunk = this.assembler.push(payload);
      if ("pending" in chunk) reply = resultReply(encodeResult("CHUNK", { received: chunk.pending.received }));
      else if ("error" in chunk) reply = errorReply(MessageType.CHUNK, chunk.error, chunk.detail);
      else reply = this.board.handle(chunk.ok.type, chunk.ok.payload, this);
    } else {
      // Any other request ends a chunked transfer in progress.
      if (this.assembler.open) this.assembler.abort();
      reply = this.board.handle(type, payload, this);
    }
    const wire = this.wire(seq, reply);
    this.last = { seq, type, payload, wire };
    return wire;
  }

  /** One reply as wire bytes: one frame, or CHUNKs with the same sequence number when it is too large. */
  private wire(seq: number, reply: Reply): Uint8Array[] {
    const max = this.board.maxFrameSize;
    if (reply.payload.length + FRAME_OVERHEAD <= max) return [encodeFrame({ type: reply.type, seq, payload: reply.payload })];
    return splitIntoChunks(reply.type, reply.payload, max).map((payload) => encodeFrame({ type: MessageType.CHUNK, seq, payload }));
  }
}
