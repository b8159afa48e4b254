// static: every step in state 0, the run's precision spec (what every run did before policies).
import { Policy } from "../policy";

export function staticPolicy(): Policy {
  return new Policy("static");
}
