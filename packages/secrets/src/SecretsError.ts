/**
 * What can go wrong while scanning, as one line for the user:
 *
 * - `unreadable`: the file cannot be read;
 * - `scan_failed`: the rules failed on the content (a bug of a rule: the file is not known clean).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** @since 0.1.0 @category errors */
export class SecretsError extends Schema.TaggedError<SecretsError>("@sessionport/secrets/SecretsError")("SecretsError", {
  reason: Schema.Literal("unreadable", "scan_failed"),
  path: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}
