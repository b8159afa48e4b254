// A transport is a byte stream to a board: the host writes frames and hears bytes and the end of the
// link. Framing, sequence numbers and timeouts live above it (host/client/client.ts).

/** Why a link ended: the board's process exited, the socket or port closed, or the host closed it. */
export interface TransportClosed {
  /** One line for a person, e.g. "process 1234 exited with signal SIGKILL". */
  reason: string;
  /** True when the host closed the link itself. */
  expected: boolean;
  /** The last lines the board wrote on its diagnostic channel (a process's stderr), if any. */
  diagnostics?: string;
}

export interface Transport {
  /** What the link is, for messages: "process 1234", "tcp 127.0.0.1:5555", "serial /dev/ttyUSB0". */
  readonly description: string;
  /** True until the link ends. */
  readonly open: boolean;
  write(bytes: Uint8Array): void;
  onData(listener: (bytes: Uint8Array) => void): void;
  onClose(listener: (closed: TransportClosed) => void): void;
  /** Ends the link (and the board's process, for a process transport); resolves once it has ended. */
  close(): Promise<void>;
}

/** Shared listener bookkeeping for the transports. */
export abstract class BaseTransport implements Transport {
  abstract readonly description: string;
  private dataListeners: Array<(bytes: Uint8Array) => void> = [];
  private closeListeners: Array<(closed: TransportClosed) => void> = [];
  private closedWith: TransportClosed | null = null;

  get open(): boolean {
    return this.closedWith === null;
  }

  abstract close(): Promise<void>;
  /** Hands bytes to the link; called only while it is open. */
  protected abstract send(bytes: Uint8Array): void;

  write(bytes: Uint8Array): void {
    if (!this.open) throw new Error(`${this.description}: write after the link closed`);
    this.send(bytes);
  }

  onData(listener: (bytes: Uint8Array) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(listener: (closed: TransportClosed) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  protected emitData(bytes: Uint8Array): void {
    for (const listener of this.dataListeners) listener(bytes);
  }

  protected emitClose(closed: TransportClosed): void {
    if (this.closedWith) return;
    this.closedWith = closed;
    for (const listener of this.closeListeners) listener(closed);
    this.closeListeners = [];
  }
}

/**
 * Two connected in-process ends: what one writes, the other hears (asynchronously, as over a real
 * link). Tests put a board behind one end; the host uses the other.
 */
export function transportPair(names: [string, string] = ["pipe host", "pipe board"]): [Transport, Transport] {
  class PipeEnd extends BaseTransport {
    peer: PipeEnd | null = null;
    constructor(readonly description: string) {
      super();
    }
    protected send(bytes: Uint8Array): void {
      const copy = bytes.slice();
      const peer = this.peer;
      setImmediate(() => peer?.open && peer.deliver(copy));
    }
    deliver(bytes: Uint8Array): void {
      this.emitData(bytes);
    }
    end(closed: TransportClosed): void {
      this.emitClose(closed);
    }
    async close(): Promise<void> {
      this.emitClose({ reason: `${this.description} closed`, expected: true });
      const peer = this.peer;
      setImmediate(() => peer?.end({ reason: `${this.description} closed by the other end`, expected: false }));
    }
  }
  const a = new PipeEnd(names[0]);
  const b = new PipeEnd(names[1]);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
