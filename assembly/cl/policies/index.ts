// The precision policies, one row each, in the order of their ids (cl/abi.ts POLICY_*). Adding a
// policy: one file with its row, one entry here, its id in spec/config.json, docs/precision.md.
import { Policy } from "../policy";
import { staticPolicy } from "./static";
import { schedulePolicy } from "./schedule";
import { boundaryPolicy } from "./boundary";
import { cyclicPolicy } from "./cyclic";
import { adaptivePolicy } from "./adaptive";

export const policies: StaticArray<Policy> = [staticPolicy(), schedulePolicy(), boundaryPolicy(), cyclicPolicy(), adaptivePolicy()];
