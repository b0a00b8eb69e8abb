/**
 * @internal
 * The files a patch touches, from the two ways Codex records them:
 *
 * - the apply_patch text the model wrote (`*** Add File: p`, `*** Delete File: p`,
 *   `*** Update File: p` optionally followed by `*** Move to: q`); paths as written, usually
 *   relative to the turn's working directory;
 * - the `changes` map of `patch_apply_end` / a `FileChange` item: absolute path → change, either
 *   internally tagged (`{"type":"update","move_path":…}`, Nov 2025+) or externally tagged
 *   (`{"update":{…}}`, before), or (app-server form) an array of `{path, kind}`.
 */

/** @internal */
export type ChangeKind = "add" | "update" | "delete" | "move"

/** @internal */
export interface ChangedPath {
  path: string
  kind: ChangeKind | null
  move_path: string | null
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const MARKER = /^\*\*\* (Add|Delete|Update) File: (.+?)\s*$/
const MOVE = /^\*\*\* Move to: (.+?)\s*$/

const KINDS: Record<string, ChangeKind> = { Add: "add", Delete: "delete", Update: "update" }

/** @internal paths in the order the patch names them */
export const pathsFromPatch = (patch: string): Array<ChangedPath> => {
  const out: Array<ChangedPath> = []
  let index = patch.indexOf("*** ")
  while (index !== -1) {
    // only markers at the start of a line
    if (index === 0 || patch.charCodeAt(index - 1) === 10) {
      let end = patch.indexOf("\n", index)
      if (end === -1) end = patch.length
      const line = patch.slice(index, end)
      const marker = MARKER.exec(line)
      if (marker !== null) {
        out.push({ path: marker[2]!, kind: KINDS[marker[1]!]!, move_path: null })
      } else {
        const move = MOVE.exec(line)
        const last = out[out.length - 1]
        if (move !== null && last !== undefined && last.kind === "update") {
          last.kind = "move"
          last.move_path = move[1]!
        }
      }
    }
    index = patch.indexOf("*** ", index + 4)
  }
  return out
}

const kindOf = (type: unknown, movePath: unknown): ChangeKind | null => {
  if (type === "update" && typeof movePath === "string" && movePath.length > 0) return "move"
  return type === "add" || type === "delete" || type === "update" ? type : null
}

const fromChange = (path: string, change: unknown): ChangedPath => {
  if (!isObject(change)) return { path, kind: null, move_path: null }
  if (typeof change.type === "string") {
    const movePath = typeof change.move_path === "string" && change.move_path.length > 0 ? change.move_path : null
    return { path, kind: kindOf(change.type, movePath), move_path: movePath }
  }
  // externally tagged (before Nov 2025): {"update": {"unified_diff": …, "move_path": …}}
  for (const tag of ["add", "delete", "update"] as const) {
    const inner = change[tag]
    if (inner === undefined) continue
    const movePath = isObject(inner) && typeof inner.move_path === "string" && inner.move_path.length > 0
      ? inner.move_path
      : null
    return { path, kind: kindOf(tag, movePath), move_path: movePath }
  }
  return { path, kind: null, move_path: null }
}

/** @internal paths in the order the record lists them */
export const pathsFromChanges = (changes: unknown): Array<ChangedPath> => {
  if (Array.isArray(changes)) {
    const out: Array<ChangedPath> = []
    for (const change of changes) {
      if (!isObject(change) || typeof change.path !== "string") continue
      const kind = change.kind
      out.push(
        typeof kind === "string" ? fromChange(change.path, { type: kind }) : fromChange(change.path, kind)
      )
    }
    return out
  }
  if (!isObject(changes)) return []
  return Object.entries(changes).map(([path, change]) => fromChange(path, change))
}
