// How long the host waits for a reply. Every request gets the board's base timeout (the manifest's
// transport.timeoutMs, or run --timeout); a request that carries work (a TRAIN of many optimiser steps)
// gets that work's time on top, at the slowest MAC rate the board's manifest promises
// (transport.slowestMacsPerSecond, docs/boards.md). A slow but alive board is then not taken for a
// hung one, and a hung board is still found out within a time proportional to what it was asked.
import type { BoardManifest } from "../manifest/manifest.js";

/** The base timeout of a client with no manifest and no --timeout. */
export const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * MACs of one optimiser step, as an upper bound of the work: forward, backward data and backward
 * weights, 3 x params x rows (the device counts fewer: the first layer has no backward data pass).
 */
export function trainMacsPerStep(params: number, rowsPerStep: number): number {
  return 3 * params * rowsPerStep;
}

/** The manifest's transport.slowestMacsPerSecond (checked when the manifest was read), or undefined: no work allowance. */
export function slowestMacsPerSecond(manifest: BoardManifest): number | undefined {
  return manifest.transport.slowestMacsPerSecond as number | undefined;
}

/** The base timeout plus `macs` of work at `macsPerSecond` (none without a rate), whole milliseconds. */
export function workTimeoutMs(baseMs: number, macs: number, macsPerSecond: number | undefined): number {
  return macsPerSecond === undefined ? baseMs : baseMs + Math.ceil((macs / macsPerSecond) * 1000);
}

/**
 * Work one TRAIN request carries when an experience is split over several (the device gives the same
 * bits either way: TrainFlag.FOLLOWS, docs/protocol.md): seconds at the board's slowest MAC rate. Short
 * enough that progress moves and a lost board is found out soon, long enough that the requests' overhead
 * (one round trip and a pool rebuild each) stays small.
 */
export const TRAIN_REQUEST_SECONDS = 10;

/**
 * Optimiser steps of one TRAIN request: TRAIN_REQUEST_SECONDS of `macsPerStep` work at `macsPerSecond`,
 * at least 1; every step in one request without a rate.
 */
export function stepsPerTrainRequest(iterations: number, macsPerStep: number, macsPerSecond: number | undefined): number {
  if (macsPerSecond === undefined || macsPerStep <= 0) return Math.max(1, iterations);
  return Math.max(1, Math.min(iterations, Math.floor((TRAIN_REQUEST_SECONDS * macsPerSecond) / macsPerStep)));
}
