/**
 * New local ids in OpenCode's own scheme (`<prefix>_<12 hex of time><14 base62>`). An id keeps
 * its prefix and its 12 hex, so sessions list and messages and parts order exactly as they did
 * (OpenCode orders by id, and compares message ids to tell whether a turn finished); its random
 * tail is derived from a salt, so the same package installed twice, or as a branch, never collides,
 * and no table of ids is kept in memory.
 */
import { createHash } from "node:crypto"

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const ID = /^([a-z]{3})_([0-9a-f]{12})([0-9A-Za-z]{14})$/

/** @internal whether `id` is of OpenCode's scheme, with this prefix */
export const isId = (prefix: string, id: unknown): id is string => {
  if (typeof id !== "string") return false
  const match = ID.exec(id)
  return match !== null && match[1] === prefix
}

const tail = (seed: string): string => {
  const digest = createHash("sha256").update(seed).digest()
  let out = ""
  for (let i = 0; i < 14; i++) out += BASE62[digest[i]! % 62]
  return out
}

/**
 * @internal
 * The id `id` becomes under `salt`: same prefix and time, a new tail. An id not of the scheme is
 * returned as it is (the installer refuses those before).
 */
export const derive = (salt: string, id: string): string => {
  const match = ID.exec(id)
  return match === null ? id : `${match[1]}_${match[2]}${tail(`${salt}\u0000${id}`)}`
}
