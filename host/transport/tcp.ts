// A board on a TCP socket: a simulated board started with --tcp, or QEMU's UART on a socket.
import { connect, type Socket } from "node:net";
import { expected } from "../errors.js";
import { BaseTransport } from "./transport.js";

export interface TcpAddress {
  host: string;
  port: number;
}

/** Parses "host:port" (or ":port" for 127.0.0.1). */
export function parseTcpAddress(text: string): TcpAddress {
  const match = /^(.*):(\d+)$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) throw expected("a TCP address host:port with a port 1..65535", text);
  return { host: match[1] === "" ? "127.0.0.1" : match[1].replace(/^\[(.*)\]$/, "$1"), port };
}

export class TcpTransport extends BaseTransport {
  readonly description: string;
  private closing = false;

  private constructor(private readonly socket: Socket, address: TcpAddress) {
    super();
    this.description = `tcp ${address.host}:${address.port}`;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    let lastError = "";
    socket.on("error", (err) => (lastError = err.message));
    socket.on("close", () => {
      this.emitClose({ reason: `${this.description} closed${lastError ? `: ${lastError}` : " by the board"}`, expected: this.closing });
    });
  }

  /** Connects, failing after `timeoutMs` with a message naming the address. */
  static connect(address: TcpAddress, timeoutMs = 10_000): Promise<TcpTransport> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address.host, port: address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`could not connect to tcp ${address.host}:${address.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new TcpTransport(socket, address));
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(new Error(`could not connect to tcp ${address.host}:${address.port}: ${err.message}`));
      });
    });
  }

  protected send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.closing = true;
    await new Promise<void>((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }
}
