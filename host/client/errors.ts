// What can go wrong talking to a board. Each is a RunError (one line, exit code 1) that names the
// board and the request.
import { RunError } from "../errors.js";
import { ERROR_NAMES, type ErrorCodeValue } from "../protocol/index.js";

/** The board answered with ERROR. */
export class BoardError extends RunError {
  readonly codeName: string;
  constructor(
    readonly board: string,
    readonly request: string,
    readonly code: ErrorCodeValue | number,
    readonly detail: string,
  ) {
    const codeName = ERROR_NAMES[code] ?? `error ${code}`;
    super(`board ${board}: ${request} failed with ${codeName}: ${detail}`);
    this.codeName = codeName;
  }
}

/** No reply within the request's timeout. */
export class BoardTimeoutError extends RunError {
  constructor(
    readonly board: string,
    readonly request: string,
    readonly timeoutMs: number,
  ) {
    super(`board ${board} did not answer ${request} within ${timeoutMs} ms; it may have hung or the link may be down`);
  }
}

/**
 * No readable reply within the request's timeout, but corrupt frames arrived: the board answers, the
 * link between it and the host damages what it sends (bytes dropped or changed, a wrong baud rate).
 */
export class BoardCorruptRepliesError extends BoardTimeoutError {
  constructor(board: string, request: string, timeoutMs: number, readonly corruptFrames: number, readonly lastDetail: string) {
    super(board, request, timeoutMs);
    this.message = `board ${board} sent ${corruptFrames} corrupt frame${corruptFrames === 1 ? "" : "s"} and no readable reply to ${request} within ${timeoutMs} ms (last: ${lastDetail}); the link is damaging what the board sends (check the cable, the port's baud rate, or another program on the port)`;
  }
}

/** The link ended (the board's process died, the socket or port closed). */
export class BoardLostError extends RunError {
  constructor(
    readonly board: string,
    readonly request: string | null,
    readonly reason: string,
    readonly diagnostics?: string,
  ) {
    const during = request ? ` while waiting for the reply to ${request}` : "";
    const last = diagnostics ? ` (it last wrote: ${diagnostics.split("\n").slice(-3).join(" | ")})` : "";
    super(`board ${board} was lost${during}: ${reason}${last}`);
  }
}

/** A reply that does not follow the protocol. */
export class BoardProtocolError extends RunError {
  constructor(
    readonly board: string,
    readonly request: string,
    detail: string,
  ) {
    super(`board ${board}: the reply to ${request} does not follow the protocol: ${detail}`);
  }
}

