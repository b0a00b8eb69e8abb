/**
 * What export, scan and push say about the secrets they found, for people: one line per file
 * with findings (its session, the kinds with their counts and record numbers, what was redacted or
 * kept), then a summary. Never a secret: only kinds, counts and line numbers.
 *
 * @since 0.6.0
 */
import { SecretGuard } from "@sessionport/agent"
import { Layout, type Manifest } from "@sessionport/package-format"

// record numbers shown per kind; the manifest and --json list up to 100
const SHOWN_RECORDS = 5

/** The file as its session's reader knows it: the path inside the session's folder, or the entry. */
const fileLabel = (finding: Manifest.SecretFinding): string => {
  if (Layout.isSessionEntry(finding.file)) return "rollout"
  const parsed = Layout.parseAgentEntry(finding.file)
  if (parsed?.kind === "transcript") return Layout.TRANSCRIPT
  if (parsed?.kind === "session-file") return parsed.rest
  return finding.file
}

const records = (f: Manifest.SecretFinding): string => {
  const shown = f.records.slice(0, SHOWN_RECORDS).join(", ")
  const more = f.count > SHOWN_RECORDS && f.records.length > SHOWN_RECORDS ? ", …" : ""
  return `${f.records.length === 1 ? "record" : "records"} ${shown}${more}`
}

/** `openai ×2 (records 12, 40), aws ×1 (record 7); redacted 3; kept 1 (signed thinking)` */
const fileLine = (findings: ReadonlyArray<Manifest.SecretFinding>): string => {
  const kinds = findings.map((f) => `${f.kind} ×${f.count} (${records(f)})`).join(", ")
  const redacted = findings.reduce((n, f) => n + f.redacted, 0)
  const kept = findings.reduce((n, f) => n + f.kept, 0)
  const reasons = [...new Set(findings.flatMap((f) => f.kept_in ?? []))]
  return kinds + (redacted > 0 ? `; redacted ${redacted}` : "") +
    (kept > 0 ? `; kept ${kept}${reasons.length > 0 ? ` (${reasons.join(", ")})` : ""}` : "")
}

/**
 * One line per file with findings, in the order the files were scanned:
 * `  ! claude 4f1c…  transcript.jsonl: openai ×2 (records 12, 40)`.
 *
 * @since 0.6.0
 * @category rendering
 */
export const fileLines = (info: Manifest.SecretsInfo): Array<string> => {
  const byFile = new Map<string, Array<Manifest.SecretFinding>>()
  for (const f of info.findings) {
    const list = byFile.get(f.file)
    if (list === undefined) byFile.set(f.file, [f])
    else list.push(f)
  }
  return [...byFile.values()].map((findings) => {
    const first = findings[0]!
    const owner = first.session === undefined ? "" : `${first.agent ?? "codex"} ${first.session}  `
    return `  ! ${owner}${fileLabel(first)}: ${fileLine(findings)}`
  })
}

/**
 * The summary line: how many secrets in how many of the `sessions` scanned (`undefined`: not
 * sessions, a file), of which kinds, redacted or kept, and the rules that ran; `hint` follows
 * when something travels as it is.
 *
 * @since 0.6.0
 * @category rendering
 */
export const summary = (info: Manifest.SecretsInfo, sessions: number | undefined, hint: string | undefined): string => {
  const t = SecretGuard.totals(info)
  const rules = `(rules: ${info.rules})`
  if (t.found === 0) return `secrets: none found${sessions === undefined ? "" : ` in ${sessions} session(s)`} ${rules}`
  const others = [...new Set(info.findings.filter((f) => f.session === undefined).map((f) => f.file))]
  const where = sessions === undefined
    ? ""
    : ` in ${t.sessions.length} of ${sessions} session(s)` +
      (others.length === 0 ? "" : ` and in ${others.slice(0, 3).join(", ")}${others.length > 3 ? ` and ${others.length - 3} more file(s)` : ""}`)
  const fate = info.redacted ? `; redacted ${t.redacted}${t.kept > 0 ? `, kept ${t.kept}` : ""}` : ""
  const travels = info.redacted ? t.kept : t.found
  return `secrets: ${t.found} found${where}: ${SecretGuard.kindList(t.kinds)}${fate} ${rules}` +
    (travels > 0 && hint !== undefined ? ` — ${hint}` : "")
}

/**
 * The file lines, then the summary.
 *
 * @since 0.6.0
 * @category rendering
 */
export const lines = (info: Manifest.SecretsInfo, sessions: number | undefined, hint: string | undefined): Array<string> => [
  ...fileLines(info),
  summary(info, sessions, hint)
]
