/**
 * The shared id policy: an installed session gets a new local UUIDv7 whose time field is the
 * session's own start. The file names and folders an agent derives from it then say when the
 * conversation began, as the agent's own would, and two sessions imported in the same
 * millisecond still differ in their 74 random bits.
 *
 * @since 0.2.0
 */
import { randomBytes } from "node:crypto"
import { UUID } from "uuidv7"

/** @since 0.2.0 @category constructors */
export const make = (startedAtMs: number): string => {
  const r = randomBytes(10)
  return UUID.fromFieldsV7(
    Math.max(0, Math.floor(Number.isFinite(startedAtMs) ? startedAtMs : Date.now())),
    r.readUInt16BE(0) & 0x0fff,
    r.readUInt32BE(2) & 0x3fffffff,
    r.readUInt32BE(6)
  ).toString()
}

/** The ms timestamp inside a UUIDv7. @since 0.2.0 @category getters */
export const timeOf = (id: string): number => parseInt(id.replace(/-/g, "").slice(0, 12), 16)
