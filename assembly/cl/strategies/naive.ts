// Naive: fine-tunes on each experience in turn and does nothing against forgetting (the lower bound).
import { Strategy } from "../strategy";

export function naive(): Strategy {
  return new Strategy("naive");
}
