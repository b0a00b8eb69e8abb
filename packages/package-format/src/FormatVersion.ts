/**
 * The package format version, pinned here once. Every package that reads or writes packages
 * imports it; a test proves no second definition exists.
 *
 * Version 1 is the layout shared with codex-session-transfer; everything sessionport adds to it
 * is additive and optional, so the number stays 1 until a reader of version 1 would misread a
 * package.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category constants */
export const FORMAT_VERSION = 1 as const

/** Versions this release reads. @since 0.1.0 @category constants */
export const SUPPORTED_FORMAT_VERSIONS: ReadonlyArray<number> = [FORMAT_VERSION]

/** @since 0.1.0 @category predicates */
export const isSupported = (version: number): boolean => SUPPORTED_FORMAT_VERSIONS.includes(version)
