// The strategies, one row each, in the order of their ids (cl/abi.ts STRATEGY_*): the command loop
// finds a deployment's hooks here. Adding a strategy: docs/strategies.md.
import { Strategy } from "../strategy";
import { naive } from "./naive";
import { cumulative } from "./cumulative";
import { replay } from "./replay";
import { latentReplay } from "./latent-replay";
import { gdumb } from "./gdumb";
import { agem } from "./agem";
import { ewc } from "./ewc";
import { onlineEwc } from "./online-ewc";
import { si } from "./si";
import { lwf } from "./lwf";
import { packnet } from "./packnet";

export const strategies: StaticArray<Strategy> = [
  naive(), cumulative(), replay(), latentReplay(), gdumb(), agem(), ewc(), onlineEwc(), si(), lwf(), packnet(),
];
