/**
 * An agent's sessions of a verified package, as every store that is not Codex reads them: the
 * ids the manifest lists for it (`agent_sessions`), the lines of its `agents/<agent>/sessions.jsonl`,
 * the ones a sync chose (and which of them are branches), and what sync compares of them.
 *
 * @since 0.2.0
 */
import { Layout } from "@sessionport/package-format"
import { Effect } from "effect"
import type { ImportChoice, InstallContext, InstallPlan, InstallReport, SyncSource } from "./AgentStore.js"

type Verified = InstallContext["verified"]

/**
 * The ids of the package's sessions of `agent`, in manifest order.
 *
 * @since 0.2.0
 * @category reading
 */
export const ids = (verified: Verified, agent: string): Array<string> =>
  (verified.manifest.agent_sessions ?? []).filter((s) => s.agent === agent).map((s) => s.id)

/**
 * The sessions an install takes: every one, or the `choices` of a sync (those the package has),
 * with the local session each branch parts from.
 *
 * @since 0.2.0
 * @category reading
 */
export const chosen = (verified: Verified, agent: string, choices?: ReadonlyArray<ImportChoice>) => {
  const all = ids(verified, agent)
  return {
    ids: choices === undefined ? all : choices.map((c) => c.sourceId).filter((id) => all.includes(id)),
    branchOf: new Map((choices ?? []).flatMap((c) => c.branchOf === undefined ? [] : [[c.sourceId, c.branchOf] as const]))
  }
}

/**
 * The JSON object lines of a metadata text (lines that are not are skipped).
 *
 * @since 0.2.0
 * @category reading
 */
export const jsonLines = (text: string | undefined): Array<Record<string, unknown>> =>
  (text ?? "").split("\n").flatMap((line) => {
    if (line.trim() === "") return []
    try {
      const value = JSON.parse(line)
      return typeof value === "object" && value !== null && !Array.isArray(value) ? [value] : []
    } catch {
      return []
    }
  })

/**
 * The lines of `agents/<agent>/sessions.jsonl` by session id.
 *
 * @since 0.2.0
 * @category reading
 */
export const metadata = <A = Record<string, unknown>>(verified: Verified, agent: string): Map<string, A> =>
  new Map(jsonLines(verified.metadata.get(Layout.agentMetadataEntry(agent, "sessions.jsonl"))).map((line) => [String(line.id), line as A]))

/**
 * The package's sessions of `agent` as sync compares them: each one's transcript entry, SHA-256
 * and size.
 *
 * @since 0.2.0
 * @category reading
 */
export const syncSources = (context: InstallContext, agent: string): Array<SyncSource> => {
  const files = new Map(context.verified.files.map((f) => [f.path, f]))
  return ids(context.verified, agent).flatMap((id) => {
    const entry = Layout.agentTranscriptEntry(agent, id)
    const file = files.get(entry)
    return file === undefined ? [] : [{ id, entry, sha256: file.sha256, size: file.size }]
  })
}

const NOTHING: InstallReport = { sessions: [], changes: [], written: new Map() }

/**
 * A plan that installs nothing (a sync that chose none of this agent's sessions).
 *
 * @since 0.2.0
 * @category constructors
 */
export const emptyPlan = (agent: string, home: string): InstallPlan => ({
  agent,
  home,
  sessions: [],
  warnings: [],
  notes: {},
  preview: Effect.succeed(NOTHING),
  write: () => Effect.succeed(NOTHING)
})
