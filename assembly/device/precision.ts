// The precision switches a TRAIN made (assembly/cl/policy.ts), as its reply lists them.
import { PolicyRun, SWITCH_LOG_MAX, switchStep, switchTo, switchWhere } from "../cl/policy";
import { deployed, learner } from "../cl/state";
import { MAC_FORMAT_BYTES } from "../nn";
import { setU32, replyTail, putU16, putU32, putU8, putF64, replyLen, setU16 } from "./reply";

export function putSwitches(run: PolicyRun, countOffset: i32, listOffset: i32): void {
  const total = changetype<usize>(run) == 0 ? 0 : run.switches;
  setU32(countOffset, <u32>total);
  replyTail(listOffset);
  const listed = min(total, SWITCH_LOG_MAX);
  putU16(<u32>listed);
  for (let i = 0; i < listed; i++) {
    putU32(switchStep(run, i));
    putU8(switchTo(run, i));
    const where = switchWhere(run, i);
    putU8(where >> 8);
    putU8(where & 0xff);
  }
}

/**
 * TELEMETRY's MACs by product format (nn/context.ts counts each GEMM job under its mul format): the MACs
 * of each format since the counters were last reset; with `reset`, counting starts again.
 */
export function putMacsByFormat(reset: bool): void {
  const countAt = <i32>replyLen;
  putU16(0);
  if (!deployed) return;
  const ctx = learner.model.ctx;
  let listed = 0;
  for (let i = 0; i < ctx.macFormatCount; i++) {
    const at = ctx.macFormats + <usize>(i * MAC_FORMAT_BYTES);
    const macs = load<f64>(at + 8) - load<f64>(at + 16);
    if (reset) store<f64>(at + 16, load<f64>(at + 8));
    if (macs <= 0) continue;
    putU32(load<u32>(at));
    putF64(macs);
    listed++;
  }
  setU16(countAt, <u32>listed);
}
