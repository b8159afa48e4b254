// Cumulative: trains on the samples of every experience so far (the joint-training upper bound).
import { Strategy } from "../strategy";

export function cumulative(): Strategy {
  const s = new Strategy("cumulative");
  s.allExperiences = true;
  return s;
}
