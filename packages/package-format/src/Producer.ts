/**
 * Who writes packages: recorded in every manifest (`producer`) and printed by `--version`.
 * All `@sessionport/*` packages share one version line (changesets `fixed`); a test keeps this
 * equal to package.json.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category constants */
export const NAME = "sessionport"

/** @since 0.1.0 @category constants */
export const VERSION = "0.1.0"
