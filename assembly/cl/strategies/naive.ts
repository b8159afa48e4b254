// Naive: fine-tunes on each experience in turn and does nothing against forgetting (the lower bound).
import { Strategy } from "../strategy";

export function naive(): Strategy {
  const s = new Strategy();
  s.name = "naive";
  return s;
}
