/**
 * Why a sync, an adoption or a sidecar operation could not go on. One tagged error with a
 * reason, printed as one line.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * - `bad_sidecar`: `sessionport/sidecar.sqlite` is not a sidecar this version can use
 *   (`session-sync rebuild-sidecar` makes a new one).
 * - `read_only`: the sidecar cannot be written because the home (`path`: the folder concerned)
 *   cannot be: a read-only file system or mount, permissions (`detail` says which).
 * - `unreadable`: a rollout or the sidecar could not be read.
 * - `bad_session`: a session of the package cannot be synced (no session_meta, twice in it).
 * - `nothing_to_sync`: the package holds no session.
 * - `declined`: the person asked did not confirm the plan.
 *
 * @since 0.1.0
 * @category models
 */
export const LineageErrorReason = Schema.Literal(
  "bad_sidecar",
  "read_only",
  "unreadable",
  "bad_session",
  "nothing_to_sync",
  "declined"
)

/** @since 0.1.0 @category errors */
export class LineageError extends Schema.TaggedError<LineageError>("@sessionport/lineage/LineageError")("LineageError", {
  reason: LineageErrorReason,
  /** the file concerned */
  path: Schema.String,
  detail: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    switch (this.reason) {
      case "bad_sidecar":
        return `${this.path} is not a usable sync sidecar (${this.detail}); run session-sync rebuild-sidecar`
      case "read_only":
        return `${this.path} is read-only (${this.detail}); sessionport needs to write its sync sidecar there`
      case "unreadable":
        return `cannot read ${this.path}: ${this.detail}`
      case "declined":
        return this.detail
      default:
        return `${this.path}: ${this.detail}`
    }
  }
}
