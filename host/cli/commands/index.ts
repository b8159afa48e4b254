import type { Command } from "commander";
import { formatsCommand } from "./formats.js";
import { quantizeCommand } from "./quantize.js";
import { boardsCommand } from "./boards.js";
import { trainCommand } from "./train.js";
import { deployCommand } from "./deploy.js";
import { monitorCommand } from "./monitor.js";
import { reportCommand } from "./report.js";
import { runCommand } from "./run.js";
import { firmwareCommand } from "./firmware.js";
import { exportCommand } from "./export.js";
import { sweepCommand } from "./sweep.js";
import { listCommand } from "./list.js";
import { hwCommand } from "./hw.js";

/** Every command, one file each; the entry only wires them. */
export const commands: Array<() => Command> = [formatsCommand, quantizeCommand, boardsCommand, trainCommand, deployCommand, monitorCommand, reportCommand, runCommand, exportCommand, sweepCommand, firmwareCommand, hwCommand, listCommand];
