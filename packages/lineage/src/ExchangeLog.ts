/**
 * What this machine's exchange commands leave for `status`, `<config dir>/exchange-status.json`:
 * when it last pulled, and what that pull skipped and why. Not in any home and not in the
 * exchange folder (a repeat pull changes neither); written whole with `AtomicFile`. A missing or
 * unreadable file reads as empty: it is only a report.
 *
 * @since 0.1.0
 */
import { AtomicFile, type PackageError } from "@sessionport/package-format"
import { Effect, Either, Schema } from "effect"
import * as fs from "node:fs/promises"
import * as Path from "node:path"

/** @since 0.1.0 @category constants */
export const FILE = "exchange-status.json"

/** A package a pull left pending, and why. @since 0.1.0 @category schemas */
export const Skipped = Schema.Struct({
  machine_id: Schema.String,
  /** relative to that machine's outbox */
  file: Schema.String,
  /** `arriving`, `damaged`, `unreadable`, `busy` (the agent was running), `not_applied` */
  kind: Schema.String,
  why: Schema.String,
  at: Schema.String
})

/** @since 0.1.0 @category models */
export type Skipped = typeof Skipped.Type

/** @since 0.1.0 @category schemas */
export const Log = Schema.Struct({
  format: Schema.Literal(1),
  last_pull_at: Schema.NullOr(Schema.String),
  /** the folder of that pull */
  last_pull_folder: Schema.NullOr(Schema.String),
  last_pull_transaction: Schema.NullOr(Schema.String),
  skipped: Schema.Array(Skipped)
})

/** @since 0.1.0 @category models */
export type Log = typeof Log.Type

/** @since 0.1.0 @category constants */
export const empty: Log = { format: 1, last_pull_at: null, last_pull_folder: null, last_pull_transaction: null, skipped: [] }

/** The log in config dir `dir`; missing or unreadable: {@link empty}. @since 0.1.0 @category reading */
export const read = (dir: string): Effect.Effect<Log> =>
  Effect.promise(async () => {
    try {
      const decoded = Schema.decodeUnknownEither(Log)(JSON.parse(await fs.readFile(Path.join(dir, FILE), "utf8")))
      return Either.getOrElse(decoded, () => empty)
    } catch {
      return empty
    }
  })

/** @since 0.1.0 @category writing */
export const write = (dir: string, log: Log): Effect.Effect<void, PackageError.PackageError> =>
  AtomicFile.writeFile(Path.join(dir, FILE), `${JSON.stringify(log, null, 2)}\n`)
