/**
 * `metadata/path_localization.json`: how paths of the source machine map to the target's.
 * `rule` and `examples` are the shared contract (informational); sessionport adds the source
 * home and Codex home so an installer can map them without guessing.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** @since 0.1.0 @category constants */
export const DOCUMENTS_RULE =
  "replace path prefix before \\Documents with your local home path on the machine performing the install"

/** @since 0.1.0 @category models */
export const PathLocalization = Schema.Struct({
  rule: Schema.String,
  examples: Schema.Array(Schema.String),
  source_platform: Schema.optional(Schema.String),
  source_home: Schema.optional(Schema.String),
  source_codex_home: Schema.optional(Schema.String)
}).annotations({ identifier: "PathLocalization" })

/** @since 0.1.0 @category models */
export type PathLocalization = typeof PathLocalization.Type
