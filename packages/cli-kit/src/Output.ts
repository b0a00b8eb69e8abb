/**
 * Writing results: JSON on stdout for scripts, text for people.
 *
 * @since 0.1.0
 */
import { Console, Effect } from "effect"

/** One JSON document on stdout. @since 0.1.0 @category rendering */
export const json = (value: unknown): Effect.Effect<void> => Console.log(JSON.stringify(value, null, 2))

/** Lines of text on stdout. @since 0.1.0 @category rendering */
export const lines = (text: ReadonlyArray<string>): Effect.Effect<void> => Console.log(text.join("\n"))

/** Bytes as a short human size. @since 0.1.0 @category rendering */
export const size = (bytes: number): string =>
  bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(1)} GiB`
    : bytes >= 2 ** 20
    ? `${(bytes / 2 ** 20).toFixed(1)} MiB`
    : bytes >= 1024
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${bytes} B`

/** A cell no wider than `width`, cut with an ellipsis. @since 0.1.0 @category rendering */
export const cell = (text: string, width: number): string =>
  text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`
