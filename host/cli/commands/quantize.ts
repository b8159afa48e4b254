import { Command } from "commander";

export function quantizeCommand(): Command {
  return new Command("quantize").description("Quantize values to a format").action(() => {
    console.log("quantize: pending");
  });
}
