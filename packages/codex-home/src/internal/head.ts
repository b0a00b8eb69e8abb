import type { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import type { SessionMeta } from "@sessionport/schema"
import { RolloutReader } from "@sessionport/schema"
import { Effect, Either, Option, Stream } from "effect"
import { UserPrompt } from "@sessionport/schema"

/** @internal Codex's `HEAD_RECORD_LIMIT`: session_meta must be within this many non-empty lines. */
export const HEAD_RECORD_LIMIT = 10

/** @internal Codex's `USER_EVENT_SCAN_LIMIT`: further non-empty lines searched for the first prompt. */
export const USER_EVENT_SCAN_LIMIT = 200

/** @internal */
export interface HeadScan {
  readonly meta: SessionMeta.SessionMeta | undefined
  readonly firstUserMessage: string | undefined
}

/**
 * @internal
 * Codex's `read_head_summary` loop: every non-empty line counts (lines that are not JSON too);
 * reading goes on while fewer than 10 were seen, or while session_meta was seen, no prompt yet,
 * and fewer than 210 were seen. Stops pulling the stream as soon as both are found, so the rest
 * of the file is never read.
 */
export const scanHead = <E, R>(lines: Stream.Stream<RolloutReader.LineResult, E, R>): Effect.Effect<HeadScan, E, R> =>
  Effect.suspend(() => {
    let scanned = 0
    let meta: SessionMeta.SessionMeta | undefined
    let firstUserMessage: string | undefined
    const more = () =>
      !(meta !== undefined && firstUserMessage !== undefined) &&
      (scanned < HEAD_RECORD_LIMIT || (meta !== undefined && scanned < HEAD_RECORD_LIMIT + USER_EVENT_SCAN_LIMIT))
    const step = (result: RolloutReader.LineResult) => {
      if (Either.isLeft(result)) {
        scanned++
        return
      }
      const record = result.right
      if (record.entry._tag === "Blank") return
      scanned++
      const entry = record.entry
      if (entry._tag === "Known" && entry.line.type === "session_meta") {
        // the first session_meta is canonical; a fork carries its parent's after its own
        meta ??= entry.line.payload
        return
      }
      firstUserMessage ??= UserPrompt.fromRecord(record)
    }
    return Stream.runFoldWhile(lines, undefined, more, (_, result) => {
      step(result)
      return undefined
    }).pipe(
      Effect.map((): HeadScan => ({ meta, firstUserMessage }))
    )
  })

/** @internal A head rarely spans more than one such read (session_meta with instructions is ~20 kB). */
export const HEAD_CHUNK_SIZE = 64 * 1024

/**
 * @internal
 * A rollout's records, read on demand in {@link HEAD_CHUNK_SIZE} pieces from one open file
 * (plain or zstd, as `RolloutReader` decodes them). Cheaper per file than
 * `RolloutReader.readFile`, whose large read buffer and stream set-up dominate when only the
 * first lines are wanted from thousands of files.
 */
export const headLines = <E>(
  fs: FileSystem.FileSystem,
  path: string,
  onError: (error: PlatformError | string) => E
): Stream.Stream<RolloutReader.LineResult, E> =>
  RolloutReader.decodeBytes(
    Stream.unwrapScoped(Effect.map(fs.open(path), (file) =>
      Stream.repeatEffectOption(
        file.readAlloc(HEAD_CHUNK_SIZE).pipe(
          Effect.mapError(Option.some),
          Effect.flatMap(Option.match({ onNone: () => Effect.fail(Option.none()), onSome: Effect.succeed }))
        )
      ))).pipe(Stream.mapError(onError)),
    (reason) => onError(reason)
  )
