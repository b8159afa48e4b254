import { Command, CommanderError } from "commander";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, RunError, UsageError } from "../errors.js";
import { commands } from "./commands/index.js";
import { addVerbosityOptions, setVerbosity, verbosityFrom } from "./verbosity.js";
import { TOOL_VERSION } from "./version.js";
import { setCommandLine } from "./invocation.js";

export function buildProgram(): Command {
  const program = new Command("edgecl")
    .description("Train continual learners on edge devices in low-precision arithmetic, and measure the cost.")
    .version(TOOL_VERSION)
    .showHelpAfterError(false)
    .exitOverride();
  for (const make of commands) {
    const command = make().exitOverride();
    addVerbosityOptions(command);
    program.addCommand(command);
  }
  program.hook("preAction", (_program, action) => setVerbosity(verbosityFrom(action.opts())));
  return program;
}

/** Runs the CLI and returns the exit code; user errors print one line, internal errors a stack. */
export async function main(argv: string[]): Promise<number> {
  setVerbosity("normal");
  setCommandLine(argv);
  try {
    await buildProgram().parseAsync(argv);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT_OK;
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof UsageError || err instanceof RunError) {
      process.stderr.write(`edgecl: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`edgecl: internal error\n${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_FAILURE;
  }
}
