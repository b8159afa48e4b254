// Generated from spec/rtl-harness.json by scripts/gen-harness.mjs. Do not edit: change the spec and run `npm run build`.

/** Command words of the RTL bus harness (hw/tb/edgecl_tb.cpp). */
export const HARNESS_COMMANDS = {
  /** end the simulation and exit 0: command */
  quit: 0,
  /** set the operand memory's size in bytes, zero-filled: command, bytes */
  size: 1,
  /** store count words from byte address on: command, address, count, word... */
  load: 2,
  /** one bus write of a register (one clock): command, offset, value */
  write: 3,
  /** one bus read of a register: command, offset -> value */
  read: 4,
  /** clock until STATUS.BUSY is 0 or limit cycles have run (0: no limit): command, limit -> cycles */
  run: 5,
  /** read count words from byte address on: command, address, count -> word... */
  dump: 6,
  /** start (1) or stop (0) a VCD; the harness must be built with --trace: command, on */
  trace: 7,
} as const;
