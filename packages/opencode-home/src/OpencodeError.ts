/**
 * What can go wrong with an OpenCode data folder, as one line for the user.
 *
 * - `not_found`: the data folder or its database does not exist;
 * - `unreadable`: the database (or the legacy storage) cannot be read;
 * - `busy`: OpenCode has the database open and may be writing it;
 * - `unsupported_schema`: the database's schema version is outside the tested range;
 * - `bad_session`: a package's OpenCode session cannot be installed as it is (hostile or damaged rows).
 *
 * @since 0.2.0
 */
import { Schema } from "effect"

/** @since 0.2.0 @category errors */
export class OpencodeError extends Schema.TaggedError<OpencodeError>("@sessionport/opencode-home/OpencodeError")(
  "OpencodeError",
  {
    reason: Schema.Literal("not_found", "unreadable", "busy", "unsupported_schema", "bad_session"),
    path: Schema.String,
    detail: Schema.String
  }
) {
  override get message(): string {
    return this.detail
  }
}
