// The precision each layer with weights runs in: the run's spec with the layer's own items
// (layer<N>.<role>) applied, for the report (config.precisionLayers).
import { ROLE_NAMES, type PrecisionSpec, type RoleName } from "./spec.js";

export interface LayerPrecision {
  layer: number;
  kind: string;
  /** Every role as format:rounding[:srBits] (master "none" without a copy). */
  roles: Record<RoleName, string>;
}

const text = (r: { format: string; rounding: string; srBits?: number } | null) =>
  r ? `${r.format}:${r.rounding}${r.srBits !== undefined ? `:${r.srBits}` : ""}` : "none";

/** One row per layer with weights; `kinds` lists the model's layers with the output Linear last. */
export function layerPrecision(spec: PrecisionSpec, kinds: readonly string[]): LayerPrecision[] {
  const rows: LayerPrecision[] = [];
  kinds.forEach((kind, layer) => {
    if (kind !== "linear" && kind !== "conv") return;
    const roles = Object.fromEntries(ROLE_NAMES.map((role) => [role, text(role === "master" ? spec.master : spec[role])])) as Record<RoleName, string>;
    for (const o of spec.layers ?? []) if (o.layer === layer) roles[o.role] = text(o.spec);
    rows.push({ layer, kind, roles });
  });
  return rows;
}
