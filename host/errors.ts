// One exit-code table for every command: 0 ok, 1 failure, 2 bad usage.
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in what the user asked for: printed as one line, exit code 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
}

/** A run that could not finish (board lost, timeout, ...): one line, exit code 1. */
export class RunError extends Error {
  readonly exitCode = EXIT_FAILURE;
}

/** "expected X, received Y" with an optional hint of what to do next. */
export function expected(what: string, received: unknown, hint?: string): UsageError {
  const shown = typeof received === "string" ? JSON.stringify(received) : String(received);
  return new UsageError(`expected ${what}, received ${shown}${hint ? `; ${hint}` : ""}`);
}
