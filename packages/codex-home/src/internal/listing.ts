/**
 * @internal
 * The rollout files of a Codex home listed synchronously, one folder at a time: a name list and
 * a `stat` per file, with no stream step, effect or promise per file (listing thousands of
 * sessions through an effect per file cost more than the reads). What a file is, and which
 * copy of a session is kept, is decided here; turning the answers into `SessionFile`s (relative
 * paths, errors) is the caller's.
 */
import * as fs from "node:fs"
import * as Path from "node:path"
import { parseRolloutName, type RolloutName } from "./rolloutName.js"

/** @internal A listing step failed on `path` (the node error is the cause). */
export class ListingError extends Error {
  constructor(readonly path: string, override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause))
  }
}

/** @internal One rollout as its folder and `stat` tell it. */
export interface ListedRollout {
  readonly path: string
  readonly rollout: RolloutName
  readonly size: number
  /** `stat`'s mtime as a `Date` gives it (whole milliseconds) */
  readonly mtimeMs: number
  /** a `.jsonl.zst` copy beside this plain file, left aside (Codex decompresses before it appends) */
  readonly ignoredCopy: string | undefined
}

const YEAR = /^\d{4}$/
const TWO_DIGITS = /^\d{2}$/

const attempt = <A>(path: string, f: () => A): A => {
  try {
    return f()
  } catch (cause) {
    throw new ListingError(path, cause)
  }
}

/** `dir`'s names, sorted; none when it does not exist. Throws a {@link ListingError}. */
const sortedNames = (dir: string): Array<string> =>
  attempt(dir, () => {
    try {
      return fs.readdirSync(dir).sort()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
      throw error
    }
  })

/** `stat` (links followed), or `undefined` when the file is gone. Throws a {@link ListingError}. */
const statOf = (path: string): fs.Stats | undefined => attempt(path, () => fs.statSync(path, { throwIfNoEntry: false }))

/** The folders of `dir` whose names match `pattern`, in name order. */
const subfolders = (dir: string, pattern: RegExp): Array<string> =>
  sortedNames(dir).filter((name) => pattern.test(name)).map((name) => Path.join(dir, name))
    .filter((sub) => statOf(sub)?.isDirectory() === true)

/**
 * @internal
 * `sessions/YYYY/MM/DD` folders in date order. Throws a {@link ListingError}.
 */
export const dayFolders = (sessionsDir: string): Array<string> =>
  subfolders(sessionsDir, YEAR).flatMap((year) => subfolders(year, TWO_DIGITS))
    .flatMap((month) => subfolders(month, TWO_DIGITS))

/**
 * @internal
 * The rollouts of one folder in name order: names Codex parses, that are files (links followed);
 * a `.jsonl.zst` beside its plain file is left out (the plain one names it). Throws a
 * {@link ListingError}.
 */
export const rolloutsIn = (dir: string): Array<ListedRollout> => {
  const parsed = sortedNames(dir).flatMap((name) => {
    const rollout = parseRolloutName(name)
    return rollout === undefined ? [] : [{ name, rollout }]
  })
  const plain = new Set(parsed.filter((p) => !p.rollout.compressed).map((p) => p.name))
  const compressed = new Set(parsed.filter((p) => p.rollout.compressed).map((p) => p.rollout.plainName))
  const out: Array<ListedRollout> = []
  for (const { name, rollout } of parsed) {
    if (rollout.compressed && plain.has(rollout.plainName)) continue
    const path = Path.join(dir, name)
    const stat = statOf(path)
    // gone since the folder was listed (Codex deleted or moved it), or not a file
    if (stat === undefined || !stat.isFile()) continue
    out.push({
      path,
      rollout,
      size: stat.size,
      mtimeMs: stat.mtime.getTime(),
      ignoredCopy: !rollout.compressed && compressed.has(name) ? `${path}.zst` : undefined
    })
  }
  return out
}
