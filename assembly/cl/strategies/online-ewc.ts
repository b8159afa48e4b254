// Online EWC (Schwarz et al., ICML 2018): EWC whose importance decays by gamma at each experience and
// whose anchor is the latest weights (penalty.ts consolidateOnlineEwc).
import { consolidateOnlineEwc } from "../penalty";
import { Learner } from "../learner";
import { Strategy } from "../strategy";
import { penaltyRow, layoutEwc, estimateFisher, penalised } from "./ewc";

function end(l: Learner, experience: i32, batch: i32, scratch: usize): void {
  estimateFisher(l, experience, scratch);
  const s = penalised(l);
  consolidateOnlineEwc(s.quad, l.model, s.gamma);
}

export function onlineEwc(): Strategy {
  return penaltyRow("online-ewc", layoutEwc, end);
}
