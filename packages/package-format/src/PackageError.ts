/**
 * Why a package was refused or could not be written. One tagged error with a reason, printed as
 * one line.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** @since 0.1.0 @category models */
export const PackageErrorReason = Schema.Literal(
  "not_found",
  "not_a_package",
  "bad_manifest",
  "bad_metadata",
  "unsupported_format_version",
  "unsafe_entry",
  "duplicate_entry",
  "too_large",
  "checksum_mismatch",
  "missing_file",
  "unexpected_file",
  "credential_file",
  "unsupported_agent",
  "corrupt_archive",
  /** an age-encrypted package, and no key given (`Encryption.Keys`) */
  "encrypted",
  /** an age-encrypted package that none of the keys given opens */
  "cannot_decrypt",
  "destination_exists",
  "io"
)

/** @since 0.1.0 @category models */
export type PackageErrorReason = typeof PackageErrorReason.Type

/** @since 0.1.0 @category errors */
export class PackageError extends Schema.TaggedError<PackageError>("@sessionport/package-format/PackageError")(
  "PackageError",
  {
    reason: PackageErrorReason,
    /** the package (folder or archive) */
    package: Schema.String,
    /** the entry inside it, when one is to blame */
    entry: Schema.optional(Schema.String),
    detail: Schema.String
  }
) {
  override get message(): string {
    return `${this.package}${this.entry === undefined ? "" : ` (${this.entry})`}: ${this.detail}`
  }
}
