// How report renderers show `config` values, which `edgecl run` writes as it resolves them: scalars,
// lists, and groups such as { name: "replay", bufferBytes: 262144, ... }.

/** A value in a line of settings: a group by its name, a list joined with commas. */
export function shortValue(value: unknown): string {
  if (value === null || value === undefined) return "–";
  if (Array.isArray(value)) return value.map(shortValue).join(",");
  if (typeof value === "object") {
    const name = (value as Record<string, unknown>).name;
    return typeof name === "string" ? name : JSON.stringify(value);
  }
  return String(value);
}

/** A value in full: a group as key=value pairs. */
export function longValue(value: unknown): string {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${shortValue(v)}`)
      .join(", ");
  }
  return shortValue(value);
}
