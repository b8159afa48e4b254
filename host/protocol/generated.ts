// Generated from spec/protocol.json by scripts/gen-protocol.mjs. Do not edit: change the spec and run `npm run build`.

/** Protocol version carried in every frame header. */
export const PROTOCOL_VERSION = 1;
export const HEADER_SIZE = 8;
export const CRC_SIZE = 4;
/** Header and CRC: the bytes of a frame that are not payload. */
export const FRAME_OVERHEAD = 12;
export const DELIMITER = 0;
export const CRC32_POLY_REFLECTED = 0xedb88320;
/** CRC-32 of the ASCII bytes "123456789". */
export const CRC32_CHECK = 0xcbf43926;
/** Fixed part of a CHUNK payload, before its data. */
export const CHUNK_HEADER_SIZE = 17;
/** Every board accepts frames of at least this many bytes (header + payload + CRC), so HELLO and CHUNK always fit. */
export const MIN_MAX_FRAME_SIZE = 64;
/** Frame size a decoder accepts when its peer's limit is not yet known. */
export const DEFAULT_MAX_FRAME_SIZE = 4096;
/** Largest frame size a board may advertise (16 MiB). */
export const MAX_MAX_FRAME_SIZE = 16777216;
/** Sequence number of a reply to a frame whose header could not be trusted; requests count from 1 and wrap from 65535 to 1. */
export const NO_SEQUENCE = 0;
/** Most bytes of a checkpoint image the board and its device module pass in one call when CHECKPOINT and RESTORE stream the image (docs/protocol.md, CHECKPOINT and RESTORE). */
export const IMAGE_PIECE_SIZE = 256;

export const MessageType = {
  HELLO: 0x01,
  DEPLOY: 0x02,
  DATA: 0x03,
  TRAIN: 0x04,
  EVAL: 0x05,
  TELEMETRY: 0x06,
  CHECKPOINT: 0x07,
  RESTORE: 0x08,
  RESET: 0x09,
  CHUNK: 0x10,
  RESULT: 0x80,
  ERROR: 0x81,
} as const;
export type MessageTypeName = keyof typeof MessageType;
export type MessageTypeCode = (typeof MessageType)[MessageTypeName];
export const MESSAGE_NAMES: Readonly<Record<number, MessageTypeName>> = {
  1: "HELLO",
  2: "DEPLOY",
  3: "DATA",
  4: "TRAIN",
  5: "EVAL",
  6: "TELEMETRY",
  7: "CHECKPOINT",
  8: "RESTORE",
  9: "RESET",
  16: "CHUNK",
  128: "RESULT",
  129: "ERROR",
};
/** Messages sent as requests (each answered by one RESULT or ERROR). */
export const REQUEST_NAMES = ["HELLO", "DEPLOY", "DATA", "TRAIN", "EVAL", "TELEMETRY", "CHECKPOINT", "RESTORE", "RESET", "CHUNK"] as const;
export type RequestName = (typeof REQUEST_NAMES)[number];
export const MESSAGE_DIRECTIONS: Readonly<Record<MessageTypeName, "request" | "reply" | "both">> = {
  HELLO: "request",
  DEPLOY: "request",
  DATA: "request",
  TRAIN: "request",
  EVAL: "request",
  TELEMETRY: "request",
  CHECKPOINT: "request",
  RESTORE: "request",
  RESET: "request",
  CHUNK: "both",
  RESULT: "reply",
  ERROR: "reply",
};

export const ErrorCode = {
  BAD_ENCODING: 1,
  TRUNCATED: 2,
  BAD_CRC: 3,
  BAD_VERSION: 4,
  UNKNOWN_TYPE: 5,
  OVERSIZE: 6,
  BAD_LENGTH: 7,
  BAD_PAYLOAD: 16,
  UNEXPECTED_TYPE: 17,
  BAD_CHUNK: 18,
  BUSY: 19,
  IN_USE: 20,
  NOT_DEPLOYED: 32,
  DOES_NOT_FIT: 33,
  BAD_CONFIG: 34,
  UNKNOWN_FORMAT: 35,
  TRAP: 36,
  NO_DATA: 37,
  NO_CHECKPOINT: 38,
  INTERNAL: 255,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];
export const ERROR_NAMES: Readonly<Record<number, ErrorCodeName>> = {
  1: "BAD_ENCODING",
  2: "TRUNCATED",
  3: "BAD_CRC",
  4: "BAD_VERSION",
  5: "UNKNOWN_TYPE",
  6: "OVERSIZE",
  7: "BAD_LENGTH",
  16: "BAD_PAYLOAD",
  17: "UNEXPECTED_TYPE",
  18: "BAD_CHUNK",
  19: "BUSY",
  20: "IN_USE",
  32: "NOT_DEPLOYED",
  33: "DOES_NOT_FIT",
  34: "BAD_CONFIG",
  35: "UNKNOWN_FORMAT",
  36: "TRAP",
  37: "NO_DATA",
  38: "NO_CHECKPOINT",
  255: "INTERNAL",
};
export const ERROR_MEANINGS: Readonly<Record<ErrorCodeName, string>> = {
  BAD_ENCODING: "a delimiter arrived inside a COBS block",
  TRUNCATED: "the frame is shorter than a header and a CRC",
  BAD_CRC: "the CRC-32 does not match the header and payload",
  BAD_VERSION: "the header's version is not the protocol version",
  UNKNOWN_TYPE: "the header's type is not a message type",
  OVERSIZE: "the frame, or the payload length it declares, exceeds the maximum frame size",
  BAD_LENGTH: "the header's payload length differs from the bytes received",
  BAD_PAYLOAD: "the payload does not match the layout of its message type",
  UNEXPECTED_TYPE: "a message type the receiver does not accept (a reply sent to the board)",
  BAD_CHUNK: "a chunk is missing, repeated, out of place or inconsistent with its transfer",
  BUSY: "the board is still working on an earlier request",
  IN_USE: "another host session drives the board: only HELLO and TELEMETRY without a counter reset are answered on other links until it closes its link",
  NOT_DEPLOYED: "the request needs a deployed learner and there is none",
  DOES_NOT_FIT: "out of memory: the module, model, data or checkpoint does not fit the board",
  BAD_CONFIG: "the configuration is invalid",
  UNKNOWN_FORMAT: "the configuration names a number format the device does not know",
  TRAP: "the device module trapped",
  NO_DATA: "no samples are stored for the experience and split asked for",
  NO_CHECKPOINT: "the flash slot holds no valid checkpoint",
  INTERNAL: "a fault of the board itself",
};

/** Which part of an experience a DATA batch belongs to. Kind: values. */
export const Split = {
  TRAIN: 0,
  TEST: 1,
} as const;
/** How DATA feature values are stored. Kind: values. */
export const SampleEncoding = {
  F32: 0,
  U8: 1,
} as const;
/** Bits of DATA flags. Kind: flags. */
export const DataFlag = {
  CLEAR: 1,
} as const;
/** Bits of TRAIN flags. Kind: flags. */
export const TrainFlag = {
  CONTINUE: 1,
  FOLLOWS: 2,
} as const;
/** Bits of EVAL flags. Kind: flags. */
export const EvalFlag = {
  TASK_MASK: 1,
} as const;
/** Bits of TELEMETRY flags. Kind: flags. */
export const TelemetryFlag = {
  RESET_COUNTERS: 1,
} as const;
/** Bits of RESET flags. Kind: flags. */
export const ResetFlag = {
  ERASE_FLASH: 1,
} as const;
export const ENUMS = {
  Split: { kind: "values", values: Split },
  SampleEncoding: { kind: "values", values: SampleEncoding },
  DataFlag: { kind: "flags", values: DataFlag },
  TrainFlag: { kind: "flags", values: TrainFlag },
  EvalFlag: { kind: "flags", values: EvalFlag },
  TelemetryFlag: { kind: "flags", values: TelemetryFlag },
  ResetFlag: { kind: "flags", values: ResetFlag },
} as const;
export type EnumName = keyof typeof ENUMS;

export const FIELD_SIZES = {
  u8: 1,
  u16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  f64: 8,
} as const;
export const HEADER_LAYOUT = [
  { name: "version", type: "u8" },
  { name: "type", type: "u8" },
  { name: "seq", type: "u16" },
  { name: "length", type: "u32" },
] as const;

/** Layout of each message's frame payload. */
export const PAYLOAD_LAYOUTS = {
  HELLO: [],
  DEPLOY: [
    { name: "config", type: "bytes" },
    { name: "module", type: "rest" },
  ],
  DATA: [
    { name: "experience", type: "u16" },
    { name: "split", type: "u8", enum: "Split" },
    { name: "encoding", type: "u8", enum: "SampleEncoding" },
    { name: "flags", type: "u8", enum: "DataFlag" },
    { name: "count", type: "u32" },
    { name: "features", type: "u32" },
    { name: "samples", type: "rest" },
  ],
  TRAIN: [
    { name: "experience", type: "u16" },
    { name: "iterations", type: "u32" },
    { name: "batchSize", type: "u16" },
    { name: "seed", type: "u32" },
    { name: "flags", type: "u8", enum: "TrainFlag" },
  ],
  EVAL: [
    { name: "experience", type: "u16" },
    { name: "flags", type: "u8", enum: "EvalFlag" },
  ],
  TELEMETRY: [
    { name: "flags", type: "u8", enum: "TelemetryFlag" },
  ],
  CHECKPOINT: [
    { name: "slot", type: "u8" },
  ],
  RESTORE: [
    { name: "slot", type: "u8" },
  ],
  RESET: [
    { name: "flags", type: "u8", enum: "ResetFlag" },
  ],
  CHUNK: [
    { name: "innerType", type: "u8" },
    { name: "index", type: "u32" },
    { name: "count", type: "u32" },
    { name: "total", type: "u32" },
    { name: "offset", type: "u32" },
    { name: "data", type: "rest" },
  ],
  RESULT: [
    { name: "requestType", type: "u8" },
    { name: "body", type: "rest" },
  ],
  ERROR: [
    { name: "requestType", type: "u8" },
    { name: "code", type: "u16" },
    { name: "message", type: "str" },
  ],
} as const;
/** Layout of the RESULT body that answers each request. */
export const REPLY_LAYOUTS = {
  HELLO: [
    { name: "protocolVersion", type: "u8" },
    { name: "maxFrameSize", type: "u32" },
    { name: "memoryLimit", type: "u32" },
    { name: "flashSize", type: "u32" },
    { name: "accelPresent", type: "u8" },
    { name: "accelFormats", type: "u32" },
    { name: "runtime", type: "str" },
    { name: "board", type: "str" },
  ],
  DEPLOY: [
    { name: "parameters", type: "u32" },
    { name: "modelBytes", type: "u32" },
    { name: "memoryUsed", type: "u32" },
    { name: "memoryLimit", type: "u32" },
  ],
  DATA: [
    { name: "stored", type: "u32" },
    { name: "memoryUsed", type: "u32" },
  ],
  TRAIN: [
    { name: "iterations", type: "u32" },
    { name: "meanLoss", type: "f32" },
    { name: "lastLoss", type: "f32" },
    { name: "precisionSwitches", type: "u32" },
    { name: "switches", type: "list", of: [
      { name: "step", type: "u32" },
      { name: "state", type: "u8" },
      { name: "layer", type: "u8" },
      { name: "role", type: "u8" },
    ] },
  ],
  EVAL: [
    { name: "correct", type: "u32" },
    { name: "total", type: "u32" },
    { name: "meanLoss", type: "f32" },
  ],
  TELEMETRY: [
    { name: "timeUs", type: "f64" },
    { name: "macs", type: "f64" },
    { name: "cycles", type: "f64" },
    { name: "energyJ", type: "f64" },
    { name: "memoryUsed", type: "u32" },
    { name: "memoryPeak", type: "u32" },
    { name: "memoryLimit", type: "u32" },
    { name: "accelJobs", type: "u32" },
    { name: "energyAcceleratorJ", type: "f64" },
    { name: "energyMemoryJ", type: "f64" },
    { name: "energyCpuJ", type: "f64" },
    { name: "accelMacs", type: "f64" },
    { name: "accelUnits", type: "u32" },
    { name: "fallbackNoAccelerator", type: "u32" },
    { name: "fallbackFormat", type: "u32" },
    { name: "fallbackRounding", type: "u32" },
    { name: "fallbackMode", type: "u32" },
    { name: "fallbackEmpty", type: "u32" },
    { name: "fallbackRefused", type: "u32" },
    { name: "cpuMacsExact", type: "f64" },
    { name: "cpuMacsExactSr", type: "f64" },
    { name: "cpuMacsFast", type: "f64" },
    { name: "optimizerSteps", type: "f64" },
    { name: "lossScaleSkips", type: "f64" },
    { name: "macsByFormat", type: "list", of: [
      { name: "format", type: "u32" },
      { name: "macs", type: "f64" },
    ] },
    { name: "modelChecksum", type: "u32" },
    { name: "health", type: "list", of: [
      { name: "layer", type: "u16" },
      { name: "role", type: "u8" },
      { name: "format", type: "u32" },
      { name: "values", type: "f64" },
      { name: "overflows", type: "f64" },
      { name: "underflows", type: "f64" },
      { name: "updates", type: "f64" },
      { name: "swamped", type: "f64" },
      { name: "maxAbs", type: "f64" },
      { name: "rangeUsed", type: "f64" },
    ] },
  ],
  CHECKPOINT: [
    { name: "bytes", type: "u32" },
    { name: "crc", type: "u32" },
  ],
  RESTORE: [
    { name: "bytes", type: "u32" },
    { name: "crc", type: "u32" },
  ],
  RESET: [],
  CHUNK: [
    { name: "received", type: "u32" },
  ],
} as const;
/** Reply fields the board fills over what the device wrote (filledBy in the spec); the device fills the rest. */
export const BOARD_FILLED = {
  DEPLOY: ["memoryLimit"],
  TELEMETRY: ["timeUs","cycles","energyJ","memoryLimit","accelJobs","energyAcceleratorJ","energyMemoryJ","energyCpuJ"],
} as const;
