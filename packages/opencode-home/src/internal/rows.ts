/**
 * A transcript line made a row of this machine: new message and part ids (and every reference to
 * them), the session placed in its local project. Shared by install and by a fast-forward, which
 * differ only in how an id is mapped.
 */
import { OpencodeLine } from "@sessionport/schema"

type Json = Record<string, unknown>

const isRecord = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal where an installed session goes */
export interface Placement {
  readonly projectId: string
  /** the localized directory, as its real path */
  readonly directory: string
  readonly path: string
  /** the parent session's local id; `null` when the parent did not come along */
  readonly parentId: string | null
  /** a branch's title; absent: the title as it was */
  readonly title?: string | undefined
}

const mapRevert = (text: unknown, mapId: (id: string) => string): unknown => {
  if (typeof text !== "string") return text
  try {
    const revert = JSON.parse(text) as unknown
    if (!isRecord(revert)) return text
    for (const key of ["messageID", "partID"]) if (typeof revert[key] === "string") revert[key] = mapId(revert[key] as string)
    return JSON.stringify(revert)
  } catch {
    return text
  }
}

/**
 * @internal
 * The row of a parsed line (its session id already local), ids mapped by `mapId`, a session line
 * placed by `placement`: its table, and its columns that `columns` has (the others are named in
 * `dropped`).
 */
export const rowOf = (
  json: Json,
  mapId: (id: string) => string,
  placement: Placement | undefined,
  columns: ReadonlyMap<string, ReadonlySet<string>>,
  dropped: Set<string>
) => {
  switch (json.type) {
    case "session":
      if (placement !== undefined) {
        json.project_id = placement.projectId
        json.directory = placement.directory
        json.path = placement.path
        json.parent_id = placement.parentId
        if (placement.title !== undefined) json.title = placement.title
        // OpenCode ≤ 1.1 sessions may have none; OpenCode expects one (its "adjective-noun")
        if (json.slug === "" || json.slug === null) json.slug = `imported-${String(json.id).slice(-6).toLowerCase()}`
      }
      // a workspace is this machine's own (a remote or sandbox checkout): not carried
      if ("workspace_id" in json) json.workspace_id = null
      if ("revert" in json) json.revert = mapRevert(json.revert, mapId)
      break
    case "message":
      json.id = mapId(json.id as string)
      if (isRecord(json.data) && typeof json.data.parentID === "string") json.data.parentID = mapId(json.data.parentID)
      break
    case "part":
      json.id = mapId(json.id as string)
      json.message_id = mapId(json.message_id as string)
      break
  }
  const { row, table } = OpencodeLine.toRow(json)
  const known = columns.get(table)
  if (known !== undefined) {
    for (const key of Object.keys(row)) {
      if (!known.has(key)) {
        delete row[key]
        dropped.add(`${table}.${key}`)
      }
    }
  }
  return { table, row }
}
