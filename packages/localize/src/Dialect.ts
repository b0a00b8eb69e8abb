/**
 * What the rewriter needs to know of an agent's transcript format: its rewrite surface (as data)
 * and which lines it recognises. A line the dialect does not recognise is never rewritten, and
 * is counted as skipped when it held something that would have matched.
 *
 * Codex is the default dialect; every other agent brings its own from its store package.
 *
 * @since 0.2.0
 */
import * as RewriteSurface from "@sessionport/package-format/RewriteSurface"
import { lineTypes } from "@sessionport/schema/RolloutLine"
import { decodeJson } from "@sessionport/schema/RolloutRecord"

/**
 * How a line reads to a dialect: `known` may be rewritten; `unknown` (a type this version does
 * not know) and `legacy` (an older shape) pass through as they are.
 *
 * @since 0.2.0
 * @category models
 */
export type Recognition = "known" | "unknown" | "legacy"

/** @since 0.2.0 @category models */
export interface Dialect {
  /** the agent, e.g. `codex`, `claude` */
  readonly agent: string
  readonly surface: ReadonlyArray<RewriteSurface.Entry>
  /** line types the dialect knows (a line of another type holding a needle is counted as skipped) */
  readonly knownTypes: ReadonlySet<string>
  /** how a parsed line with surface values reads: only `known` lines are rewritten */
  readonly recognise: (json: unknown) => Recognition
}

const recogniseRollout = (json: unknown): Recognition => {
  const entry = decodeJson(json)
  return entry._tag === "Known" ? "known" : entry._tag === "Legacy" ? "legacy" : "unknown"
}

/**
 * Codex rollouts: `RewriteSurface.entries`, recognised by the rollout schema.
 *
 * @since 0.2.0
 * @category constants
 */
export const codex: Dialect = {
  agent: "codex",
  surface: RewriteSurface.entries,
  knownTypes: new Set(lineTypes),
  recognise: recogniseRollout
}

/**
 * A dialect whose lines name their kind in a top-level `type`: a line of one of `lineTypes` is
 * `known`, any other line `unknown` (Claude Code's transcripts, OpenCode's rows).
 *
 * @since 0.2.0
 * @category constructors
 */
export const byLineType = (agent: string, surface: ReadonlyArray<RewriteSurface.Entry>, lineTypes: ReadonlyArray<string>): Dialect => {
  const known: ReadonlySet<string> = new Set(lineTypes)
  return {
    agent,
    surface,
    knownTypes: known,
    recognise: (json) => {
      const type = typeof json === "object" && json !== null ? (json as { type?: unknown }).type : undefined
      return typeof type === "string" && known.has(type) ? "known" : "unknown"
    }
  }
}
