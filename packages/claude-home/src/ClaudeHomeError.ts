/**
 * What can go wrong with a Claude Code home, as one line for the user.
 *
 * - `not_found`: the home does not exist (Claude Code makes it when it first runs);
 * - `unreadable`: a transcript or folder cannot be read;
 * - `busy`: Claude Code is running on this home and may be writing it;
 * - `bad_session`: a package's Claude session cannot be installed as it is.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"

/** @since 0.2.0 @category errors */
export class ClaudeHomeError extends Schema.TaggedError<ClaudeHomeError>("@sessionport/claude-home/ClaudeHomeError")(
  "ClaudeHomeError",
  {
    reason: Schema.Literal("not_found", "unreadable", "busy", "bad_session"),
    path: Schema.String,
    detail: Schema.String
  }
) {
  override get message(): string {
    return this.detail
  }
}
