import { Command } from "commander";

export function formatsCommand(): Command {
  return new Command("formats").description("List every named number format").action(() => {
    console.log("formats: pending");
  });
}
