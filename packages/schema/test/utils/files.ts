import { decompress } from "fzstd"
import * as fs from "node:fs"
import * as path from "node:path"

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..", "..")

/** Rollout files made by the real Codex CLI (committed fixtures). */
export const fixtureRollouts = (): ReadonlyArray<string> =>
  walk(path.join(repoRoot, "fixtures", "codex")).filter(isRollout)

/** Real rollouts from public repositories, when ../shared/corpus/codex exists. */
export const corpusRollouts = (): ReadonlyArray<string> => {
  const dir = path.join(repoRoot, "..", "shared", "corpus", "codex")
  return fs.existsSync(dir) ? walk(dir).filter((file) => file.endsWith(".jsonl")) : []
}

/** The corpus file that is a reconstructed baseline with invalid values, not verbatim Codex output. */
export const isLowFidelity = (file: string): boolean => path.basename(file).startsWith("agent-sessions__")

const isRollout = (file: string) => /^rollout-.*\.jsonl(\.zst)?$/.test(path.basename(file))

const walk = (dir: string): Array<string> =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name)
      return entry.isDirectory() ? walk(full) : [full]
    })
    : []

/** The file's text, read whole and decompressed by a different path than the code under test. */
export const readWhole = (file: string): string => {
  const bytes = fs.readFileSync(file)
  return new TextDecoder().decode(file.endsWith(".zst") ? decompress(bytes) : bytes)
}

/** `type` or `type/payload.type` of each non-empty line, by JSON.parse alone. */
export const independentKinds = (text: string): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue
    const json = JSON.parse(line)
    const inner = json?.payload?.type
    const key = typeof inner === "string" ? `${json.type}/${inner}` : String(json.type)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

/** Claude Code transcripts made by the real CLI 2.1.332 and committed by its harness (fixtures/claude). */
export const claudeFixtureTranscripts = (): ReadonlyArray<string> =>
  walk(path.join(repoRoot, "fixtures", "claude", "home", "projects")).filter((file) => file.endsWith(".jsonl"))

/** This package's own real Claude Code lines (test/fixtures/claude: kinds the fixtures lack). */
export const claudeOwnTranscripts = (): ReadonlyArray<string> =>
  walk(path.join(import.meta.dirname, "..", "fixtures", "claude")).filter((file) => file.endsWith(".jsonl"))

/** Every real Claude Code transcript the tests read. */
export const claudeTranscripts = (): ReadonlyArray<string> => [...claudeFixtureTranscripts(), ...claudeOwnTranscripts()]

/** `type`, `attachment:<attachment.type>` or `system:<subtype>` of a Claude line, by JSON.parse alone. */
export const claudeKind = (json: any): string =>
  json?.type === "attachment"
    ? `attachment:${json.attachment?.type}`
    : json?.type === "system"
    ? `system:${json.subtype}`
    : String(json?.type)

/** The lines of a text file, without a last empty one. */
export const nonEmptyLines = (text: string): Array<string> => text.split("\n").filter((line) => line.trim() !== "")
