// A real board on a serial port, through the `serialport` package (loaded only when a serial board
// is used, so the rest of edgecl runs where its native binding is missing).
import { RunError, expected } from "../errors.js";
import { BaseTransport } from "./transport.js";

export interface SerialOptions {
  path: string;
  baudRate: number;
}

export const DEFAULT_BAUD_RATE = 115200;

/** Parses "/dev/ttyUSB0" or "/dev/ttyUSB0@921600". */
export function parseSerialTarget(text: string, defaultBaud = DEFAULT_BAUD_RATE): SerialOptions {
  const match = /^([^@]+)(?:@(\d+))?$/.exec(text.trim());
  if (!match) throw expected("a serial port path, optionally @baud (e.g. /dev/ttyUSB0@115200)", text);
  const baudRate = match[2] === undefined ? defaultBaud : Number(match[2]);
  if (!Number.isInteger(baudRate) || baudRate < 300) throw expected("a baud rate of at least 300", match[2]);
  return { path: match[1], baudRate };
}

interface SerialPortLike {
  on(event: "data", listener: (chunk: Buffer) => void): void;
  on(event: "close" | "error", listener: (err?: Error | null) => void): void;
  write(bytes: Uint8Array): boolean;
  close(callback?: (err?: Error | null) => void): void;
  isOpen: boolean;
}

export class SerialTransport extends BaseTransport {
  readonly description: string;
  private closing = false;

  private constructor(private readonly port: SerialPortLike, options: SerialOptions) {
    super();
    this.description = `serial ${options.path} @ ${options.baudRate} baud`;
    port.on("data", (chunk: Buffer) => this.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    let lastError = "";
    port.on("error", (err) => (lastError = err?.message ?? ""));
    port.on("close", (err) => {
      const why = err?.message ?? lastError;
      this.emitClose({ reason: `${this.description} closed${why ? `: ${why}` : ""}`, expected: this.closing });
    });
  }

  static async open(options: SerialOptions): Promise<SerialTransport> {
    let SerialPort: new (options: { path: string; baudRate: number; autoOpen: boolean }) => SerialPortLike & { open(cb: (err: Error | null) => void): void };
    try {
      ({ SerialPort } = (await import("serialport")) as unknown as { SerialPort: typeof SerialPort });
    } catch (err) {
      throw new RunError(`could not load the serialport package for ${options.path}: ${(err as Error).message}; run npm ci`);
    }
    const port = new SerialPort({ path: options.path, baudRate: options.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(new RunError(`could not open serial port ${options.path}: ${err.message}`)) : resolve())),
    );
    return new SerialTransport(port, options);
  }

  protected send(bytes: Uint8Array): void {
    this.port.write(bytes);
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.closing = true;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
