/* Generated from spec/rtl-harness.json by scripts/gen-harness.mjs. Do not edit: change the spec and run `npm run build`. */
#ifndef EDGECL_HARNESS_H
#define EDGECL_HARNESS_H

/* Command words of the RTL bus harness (hw/tb/edgecl_tb.cpp). */
#define EDGECL_HARNESS_QUIT 0u /* end the simulation and exit 0 */
#define EDGECL_HARNESS_SIZE 1u /* set the operand memory's size in bytes, zero-filled */
#define EDGECL_HARNESS_LOAD 2u /* store count words from byte address on */
#define EDGECL_HARNESS_WRITE 3u /* one bus write of a register (one clock) */
#define EDGECL_HARNESS_READ 4u /* one bus read of a register */
#define EDGECL_HARNESS_RUN 5u /* clock until STATUS.BUSY is 0 or limit cycles have run (0: no limit) */
#define EDGECL_HARNESS_DUMP 6u /* read count words from byte address on */
#define EDGECL_HARNESS_TRACE 7u /* start (1) or stop (0) a VCD; the harness must be built with --trace */

#endif
