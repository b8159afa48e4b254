// The message of the UsageError `run` throws; fails the test when it throws nothing or something else.
import { expect } from "vitest";
import { UsageError } from "../../host/errors.js";

export function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected a UsageError, nothing was thrown");
}
