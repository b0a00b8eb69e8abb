/** @internal */
export interface RolloutName {
  /** lower-case hyphenated UUID */
  readonly threadId: string
  /** the name's `YYYY-MM-DDThh-mm-ss`, read as UTC the way Codex reads it (it was local time) */
  readonly fileTime: Date
  readonly compressed: boolean
  /** the name without `.zst` */
  readonly plainName: string
}

const PREFIX = "rollout-"
const PLAIN = ".jsonl"
const COMPRESSED = ".jsonl.zst"

const HYPHENATED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const SIMPLE = /^[0-9a-f]{32}$/i
const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})$/

// Uuid::parse_str also accepts the 32-digit form; Display prints it hyphenated, lower case.
const parseUuid = (text: string): string | undefined => {
  if (HYPHENATED.test(text)) return text.toLowerCase()
  if (SIMPLE.test(text)) {
    const t = text.toLowerCase()
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`
  }
  return undefined
}

const parseTime = (text: string): Date | undefined => {
  const m = TIME.exec(text)
  if (m === null) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number]
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  const date = new Date(ms)
  // reject 2026-02-31 and 25-00-00, which Date.UTC would roll over
  if (
    date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day ||
    date.getUTCHours() !== hour || date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second
  ) return undefined
  return date
}

/**
 * @internal
 * `rollout-<YYYY-MM-DDThh-mm-ss>-<uuid>.jsonl[.zst]`, parsed as Codex's
 * `parse_timestamp_uuid_from_filename`: from the right, the first `-` after which the rest is a
 * UUID; the part before it must be the second-precision time.
 */
export const parseRolloutName = (name: string): RolloutName | undefined => {
  if (!name.startsWith(PREFIX)) return undefined
  const compressed = name.endsWith(COMPRESSED)
  if (!compressed && !name.endsWith(PLAIN)) return undefined
  const core = name.slice(PREFIX.length, name.length - (compressed ? COMPRESSED : PLAIN).length)
  for (let i = core.lastIndexOf("-"); i >= 0; i = core.lastIndexOf("-", i - 1)) {
    const threadId = parseUuid(core.slice(i + 1))
    if (threadId === undefined) {
      if (i === 0) break
      continue
    }
    const fileTime = parseTime(core.slice(0, i))
    if (fileTime === undefined) return undefined
    return { threadId, fileTime, compressed, plainName: compressed ? name.slice(0, -".zst".length) : name }
  }
  return undefined
}
