/**
 * The text a redacted secret becomes: `[REDACTED:<kind>:<h8>]`, h8 the first 8 hex digits of the
 * SHA-256 of the secret's UTF-8 bytes. Deterministic, so the same secret redacts the same way in
 * every export on every machine, and a copy of the secret can be recognised behind its
 * placeholder (lineage uses that to see that two lines differ only by redaction).
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"

/** @since 0.1.0 */
export const hash8 = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 8)

/** @since 0.1.0 */
export const make = (kind: string, secret: string): string => `[REDACTED:${kind}:${hash8(secret)}]`

/**
 * Matches one placeholder; group 1 the kind, group 2 the h8. Global: reset `lastIndex` or use
 * `String.prototype.matchAll`.
 *
 * @since 0.1.0
 */
export const pattern = (): RegExp => /\[REDACTED:([a-z0-9][a-z0-9-]*):([0-9a-f]{8})\]/g

/** Cheap test for lines that may hold a placeholder (bytes or text). @since 0.1.0 */
export const MARKER = "[REDACTED:"

/** Whether `secret` is what `h8` was made from. @since 0.1.0 */
export const matches = (h8: string, secret: string): boolean => hash8(secret) === h8
