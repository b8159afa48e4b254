export function probe(x: f32): f32 { return x * 2; }
