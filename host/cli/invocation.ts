// The command line this process was started with, as main() received it, for the reports' provenance.
let commandLine: string[] = process.argv.slice(1);

export function setCommandLine(argv: string[]): void {
  commandLine = argv.slice(1);
}

export function invocation(): string[] {
  return [...commandLine];
}
