// Message payloads: a small typed writer and reader over DataView, and codecs driven by the layout
// tables generated from spec/protocol.json. Encoding checks every value and throws a RangeError
// naming the field; decoding never throws and reports BAD_PAYLOAD with the field that failed.
import {
  BOARD_FILLED,
  ENUMS,
  ErrorCode,
  FIELD_SIZES,
  MESSAGE_NAMES,
  MessageType,
  PAYLOAD_LAYOUTS,
  REPLY_LAYOUTS,
  type EnumName,
  type ErrorCodeValue,
  type MessageTypeName,
  type RequestName,
} from "./generated.js";

export type FieldType = keyof typeof FIELD_SIZES | "str" | "text" | "bytes" | "rest" | "list";

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly enum?: EnumName;
  readonly of?: readonly FieldSpec[];
}

type FieldValue<F> = F extends { type: "list"; of: infer Items extends readonly FieldSpec[] }
  ? Array<LayoutValues<Items>>
  : F extends { type: "str" | "text" }
    ? string
    : F extends { type: "bytes" | "rest" }
      ? Uint8Array
      : number;

/** The object a layout encodes from and decodes to: one property per field. */
export type LayoutValues<L extends readonly FieldSpec[]> = { -readonly [F in L[number] as F["name"]]: FieldValue<F> };
export type PayloadOf<N extends MessageTypeName> = LayoutValues<(typeof PAYLOAD_LAYOUTS)[N]>;
export type ReplyOf<N extends RequestName> = LayoutValues<(typeof REPLY_LAYOUTS)[N]>;
/** The fields of a request's reply that the board fills over what the device wrote (BOARD_FILLED). */
export type BoardFilledOf<N extends keyof typeof BOARD_FILLED> = Pick<ReplyOf<N>, (typeof BOARD_FILLED)[N][number]>;

export type PayloadResult<T> = { ok: T } | { error: ErrorCodeValue; detail: string };

const INT_RANGES = { u8: [0, 0xff], u16: [0, 0xffff], u32: [0, 0xffffffff], i32: [-0x80000000, 0x7fffffff] } as const;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Appends little-endian values to a growing buffer. */
export class PayloadWriter {
  private bytes = new Uint8Array(64);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  u8(v: number): this {
    this.reserve(1).setUint8(this.length - 1, v);
    return this;
  }
  u16(v: number): this {
    this.reserve(2).setUint16(this.length - 2, v, true);
    return this;
  }
  u32(v: number): this {
    this.reserve(4).setUint32(this.length - 4, v, true);
    return this;
  }
  i32(v: number): this {
    this.reserve(4).setInt32(this.length - 4, v, true);
    return this;
  }
  f32(v: number): this {
    this.reserve(4).setFloat32(this.length - 4, v, true);
    return this;
  }
  f64(v: number): this {
    this.reserve(8).setFloat64(this.length - 8, v, true);
    return this;
  }
  raw(data: Uint8Array): this {
    this.reserve(data.length);
    this.bytes.set(data, this.length - data.length);
    return this;
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  /** Grows the buffer for `n` more bytes and advances the length past them. */
  private reserve(n: number): DataView {
    if (this.length + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length += n;
    return this.view;
  }
}

/** A payload that does not match its layout; the codecs turn it into a BAD_PAYLOAD result. */
export class PayloadFormatError extends Error {}

/** Reads little-endian values, checking every read against the bytes left. */
export class PayloadReader {
  private readonly view: DataView;
  offset = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(what = "u8"): number {
    return this.view.getUint8(this.take(1, what));
  }
  u16(what = "u16"): number {
    return this.view.getUint16(this.take(2, what), true);
  }
  u32(what = "u32"): number {
    return this.view.getUint32(this.take(4, what), true);
  }
  i32(what = "i32"): number {
    return this.view.getInt32(this.take(4, what), true);
  }
  f32(what = "f32"): number {
    return this.view.getFloat32(this.take(4, what), true);
  }
  f64(what = "f64"): number {
    return this.view.getFloat64(this.take(8, what), true);
  }
  raw(n: number, what = "bytes"): Uint8Array {
    const at = this.take(n, what);
    return this.bytes.slice(at, at + n);
  }

  private take(n: number, what: string): number {
    if (n > this.remaining) {
      throw new PayloadFormatError(`expected ${n} byte(s) for ${what} at offset ${this.offset}, received ${this.remaining}`);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }
}

function enumLabel(name: EnumName): string {
  return Object.entries(ENUMS[name].values).map(([k, v]) => `${k} (${v})`).join(", ");
}

/** Why a value is not allowed for an enum field, or null when it is. */
function enumProblem(field: FieldSpec, value: number): string | null {
  if (!field.enum) return null;
  const { kind, values } = ENUMS[field.enum];
  const allowed = Object.values(values) as number[];
  if (kind === "values") {
    return allowed.includes(value) ? null : `expected ${field.name} to be one of ${enumLabel(field.enum)}, received ${value}`;
  }
  const known = allowed.reduce((a, b) => a | b, 0);
  return (value & ~known) === 0 ? null : `expected ${field.name} to combine only the ${field.enum} bits ${enumLabel(field.enum)}, received ${value}`;
}

function writeFields(w: PayloadWriter, fields: readonly FieldSpec[], values: Record<string, unknown>, where: string): void {
  for (const field of fields) {
    const value = values?.[field.name];
    const at = `${where} field ${field.name}`;
    switch (field.type) {
      case "u8":
      case "u16":
      case "u32":
      case "i32": {
        const [min, max] = INT_RANGES[field.type];
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
          throw new RangeError(`expected ${at} to be an integer in [${min}, ${max}] (${field.type}), received ${String(value)}`);
        }
        const problem = enumProblem(field, value);
        if (problem) throw new RangeError(`${where}: ${problem}`);
        w[field.type](value);
        break;
      }
      case "f32":
      case "f64":
        if (typeof value !== "number") throw new RangeError(`expected ${at} to be a number (${field.type}), received ${String(value)}`);
        w[field.type](value);
        break;
      case "str":
      case "text": {
        if (typeof value !== "string") throw new RangeError(`expected ${at} to be a string, received ${typeof value}`);
        const bytes = utf8Encoder.encode(value);
        const max = field.type === "str" ? 0xffff : 0xffffffff;
        if (bytes.length > max) throw new RangeError(`expected ${at} to take at most ${max} bytes of UTF-8, received ${bytes.length}`);
        (field.type === "str" ? w.u16(bytes.length) : w.u32(bytes.length)).raw(bytes);
        break;
      }
      case "bytes":
      case "rest":
        if (!(value instanceof Uint8Array)) throw new RangeError(`expected ${at} to be a Uint8Array, received ${typeof value}`);
        if (field.type === "bytes") w.u32(value.length);
        w.raw(value);
        break;
      case "list": {
        if (!Array.isArray(value)) throw new RangeError(`expected ${at} to be an array, received ${typeof value}`);
        if (value.length > 0xffff) throw new RangeError(`expected ${at} to hold at most 65535 items, received ${value.length}`);
        w.u16(value.length);
        value.forEach((item, i) => writeFields(w, field.of ?? [], item as Record<string, unknown>, `${at}[${i}]`));
        break;
      }
    }
  }
}

function readFields(r: PayloadReader, fields: readonly FieldSpec[], where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const what = `${where} field ${field.name}`;
    switch (field.type) {
      case "u8":
      case "u16":
      case "u32":
      case "i32":
      case "f32":
      case "f64": {
        const value = r[field.type](what);
        const problem = enumProblem(field, value);
        if (problem) throw new PayloadFormatError(`${where}: ${problem}`);
        out[field.name] = value;
        break;
      }
      case "str":
      case "text": {
        const length = field.type === "str" ? r.u16(`${what} length`) : r.u32(`${what} length`);
        const bytes = r.raw(length, what);
        try {
          out[field.name] = utf8Decoder.decode(bytes);
        } catch {
          throw new PayloadFormatError(`expected ${what} to be UTF-8, received bytes that are not`);
        }
        break;
      }
      case "bytes":
        out[field.name] = r.raw(r.u32(`${what} length`), what);
        break;
      case "rest":
        out[field.name] = r.raw(r.remaining, what);
        break;
      case "list": {
        const count = r.u16(`${what} count`);
        const items: unknown[] = [];
        for (let i = 0; i < count; i++) items.push(readFields(r, field.of ?? [], `${what}[${i}]`));
        out[field.name] = items;
        break;
      }
    }
  }
  return out;
}

/** Encodes `values` with a layout; throws a RangeError naming the first field that does not fit. */
export function encodeFields<L extends readonly FieldSpec[]>(layout: L, values: LayoutValues<L>, where = "payload"): Uint8Array {
  const w = new PayloadWriter();
  writeFields(w, layout, values as Record<string, unknown>, where);
  return w.finish();
}

/** Decodes bytes with a layout; every byte must be used. Never throws. */
export function decodeFields<L extends readonly FieldSpec[]>(layout: L, bytes: Uint8Array, where = "payload"): PayloadResult<LayoutValues<L>> {
  const r = new PayloadReader(bytes);
  try {
    const values = readFields(r, layout, where);
    if (r.remaining !== 0) {
      return { error: ErrorCode.BAD_PAYLOAD, detail: `expected ${r.offset} bytes of ${where}, received ${bytes.length}` };
    }
    return { ok: values as LayoutValues<L> };
  } catch (err) {
    if (err instanceof PayloadFormatError) return { error: ErrorCode.BAD_PAYLOAD, detail: err.message };
    return { error: ErrorCode.INTERNAL, detail: `decoding ${where} failed: ${String(err)}` };
  }
}

/** The frame payload of message `name`. */
export function encodePayload<N extends MessageTypeName>(name: N, values: PayloadOf<N>): Uint8Array {
  return encodeFields(PAYLOAD_LAYOUTS[name], values as never, `${name} payload`);
}

export function decodePayload<N extends MessageTypeName>(name: N, bytes: Uint8Array): PayloadResult<PayloadOf<N>> {
  return decodeFields(PAYLOAD_LAYOUTS[name], bytes, `${name} payload`) as PayloadResult<PayloadOf<N>>;
}

/** The RESULT payload answering request `name`: requestType, then the reply body. */
export function encodeResult<N extends RequestName>(name: N, values: ReplyOf<N>): Uint8Array {
  const body = encodeFields(REPLY_LAYOUTS[name], values as never, `${name} reply`);
  return encodePayload("RESULT", { requestType: MessageType[name], body });
}

/** Decodes a RESULT payload that must answer request `name`. */
export function decodeResult<N extends RequestName>(name: N, bytes: Uint8Array): PayloadResult<ReplyOf<N>> {
  const envelope = decodePayload("RESULT", bytes);
  if ("error" in envelope) return envelope;
  const { requestType, body } = envelope.ok;
  if (requestType !== MessageType[name]) {
    const received = MESSAGE_NAMES[requestType] ?? `type ${requestType}`;
    return { error: ErrorCode.BAD_PAYLOAD, detail: `expected a RESULT answering ${name}, received one answering ${received}` };
  }
  return decodeFields(REPLY_LAYOUTS[name], body, `${name} reply`) as PayloadResult<ReplyOf<N>>;
}

/** The ERROR payload for a failed request (requestType 0 when the request could not be read). */
export function encodeErrorReply(requestType: number, code: ErrorCodeValue, message: string): Uint8Array {
  return encodePayload("ERROR", { requestType, code, message });
}

export function decodeErrorReply(bytes: Uint8Array): PayloadResult<PayloadOf<"ERROR">> {
  return decodePayload("ERROR", bytes);
}
