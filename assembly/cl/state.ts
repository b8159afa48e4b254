// The deployment the command loop serves: read by the command loop (assembly/device/) and by the
// inspection exports of assembly/api/cl.ts.
import { Learner } from "./learner";

export let deployed = false;
export let learner: Learner = changetype<Learner>(0);

export function setDeployment(l: Learner): void {
  learner = l;
  deployed = changetype<usize>(l) != 0;
}
