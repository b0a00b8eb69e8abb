/**
 * The rule set: secretlint's recommended preset (all its rules but `filter-comments`, so that a
 * `secretlint-disable` comment in a transcript hides nothing; `aws` with its access key id
 * rule on) plus sessionport's rules for what coding transcripts hold (Stripe, Azure, Google API
 * keys and OAuth secrets, JWTs, private keys of any size and cut off, `.env` lines, database
 * URLs, secrets assigned to names that say secret, and more: {@link KINDS}). All of them run as
 * secretlint rules in one `lintSource` call.
 *
 * @since 0.1.0
 */
import { KINDS as kinds } from "./internal/kinds.js"
import { lint } from "./internal/lint.js"

/** A kind of finding, what it is, and the rule set that reports it. @since 0.1.0 @category models */
export interface KindInfo {
  readonly kind: string
  readonly description: string
  /** `secretlint`: a kind of the preset (which our rules may extend); `sessionport`: ours only */
  readonly source: "secretlint" | "sessionport"
}

/**
 * Written to manifests and printed by `scan --json`: a finding depends on it. The sessionport
 * number goes up with every change to our rules or to what is scanned.
 *
 * @since 0.1.0
 * @category constants
 */
export const RULESET_VERSION = "secretlint 12.0.0 (preset-recommend 12.0.0) + sessionport-rules 1"

/**
 * Every kind a finding can have.
 *
 * @since 0.1.0
 * @category constants
 */
export const KINDS: ReadonlyArray<KindInfo> = kinds

/** A secret found in a text: its kind and UTF-16 range. @since 0.1.0 @category models */
export interface Match {
  readonly kind: string
  readonly start: number
  readonly end: number
}

/**
 * The secrets in a text (no two overlapping, in text order). `filePath` is for rules that
 * depend on a file's name: a config file's (`.env`, `.toml`, `.sh`, …) unquoted values are
 * literals; the preset reads `.json` service account files and `.npmrc` lines. Transcripts go
 * through `Scanner`, which scans records, not whole files.
 *
 * @since 0.1.0
 * @category scanning
 */
export const scanText = (text: string, filePath?: string): Promise<ReadonlyArray<Match>> => lint(text, filePath)
