/**
 * A JSON value with some of its fields dropped, nulled or retyped: near-misses of valid lines.
 * The `kept` keys (a line's `type`, …) are kept nine times in ten, so most near-misses are still
 * checked against their own type's schema.
 */
export const mutate = (value: unknown, rnd: () => number, kept: ReadonlyArray<string> = ["type"]): unknown => {
  if (Array.isArray(value)) return value.map((v) => mutate(v, rnd, kept))
  if (typeof value !== "object" || value === null) {
    const r = rnd()
    return r < 0.05 ? null : r < 0.1 ? 42 : r < 0.15 ? "s" : value
  }
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    if (kept.includes(key) && rnd() < 0.9) out[key] = inner
    else if (rnd() < 0.05) continue
    else out[key] = mutate(inner, rnd, kept)
  }
  return out
}
