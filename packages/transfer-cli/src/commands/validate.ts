/**
 * `session-transfer validate PATH`: a rollout file or a whole Codex home, line by line.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { CodexHome } from "@sessionport/codex-home"
import { RolloutReader, RolloutSummary } from "@sessionport/schema"
import { Effect, Schema, Stream } from "effect"
import * as Options from "@sessionport/cli-kit/Options"
import * as Output from "@sessionport/cli-kit/Output"

/**
 * Some line is not JSON: the report is printed, and this says so on stderr (exit 1).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidLinesFound extends Schema.TaggedError<InvalidLinesFound>("@sessionport/transfer-cli/InvalidLinesFound")(
  "InvalidLinesFound",
  { lines: Schema.Number, files: Schema.Number }
) {
  override get message(): string {
    return `${this.lines} line(s) in ${this.files} file(s) are not JSON`
  }
}

interface FileReport extends RolloutSummary.RolloutSummary {
  readonly path: string
}

const render = (s: FileReport): Array<string> => {
  const out = [`${s.path}: ${s.lines} lines, ${s.known} known, ${s.legacy} legacy, ${s.unknown} unknown, ${s.invalid} not JSON`]
  for (const [type, n] of Object.entries(s.byType).sort()) out.push(`  ${String(n).padStart(7)}  ${type}`)
  for (const [type, n] of Object.entries(s.unknownByType).sort()) out.push(`  ${String(n).padStart(7)}  ${type} (passed through)`)
  for (const { lineNumber, reason } of s.invalidLines) out.push(`  line ${lineNumber}: not JSON (${reason})`)
  return out
}

const summarize = (path: string) =>
  RolloutSummary.fromLines(RolloutReader.readFile(path)).pipe(Effect.map((s): FileReport => ({ path, ...s })))

/** Every rollout of a Codex home (active and archived), or the one file given. */
const rollouts = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(path).pipe(Effect.orElseSucceed(() => undefined))
    if (info?.type !== "Directory") return Stream.make(path)
    const home = yield* CodexHome.make({ root: path })
    return home.sessionFiles.pipe(Stream.map((file) => file.path))
  })

/** @since 0.1.0 @category commands */
export const command = Command.make(
  "validate",
  {
    path: Options.pathArg("PATH", "A rollout file (.jsonl or .jsonl.zst), or a Codex home (every rollout in it)."),
    json: Options.json
  },
  Effect.fn("validate")(function*({ json, path }) {
    const files = yield* rollouts(path)
    const reports: Array<FileReport> = []
    yield* files.pipe(
      Stream.mapEffect(summarize),
      Stream.runForEach((report) =>
        Effect.sync(() => reports.push(report)).pipe(Effect.zipRight(json ? Effect.void : Output.lines(render(report))))
      )
    )
    const invalid = reports.reduce((n, r) => n + r.invalid, 0)
    if (json) yield* Output.json({ ok: invalid === 0, files: reports })
    else if (reports.length !== 1) {
      yield* Output.lines([
        `${reports.length} rollout(s), ${reports.reduce((n, r) => n + r.lines, 0)} lines, ` +
        `${reports.reduce((n, r) => n + r.unknown, 0)} unknown (passed through), ${invalid} not JSON`
      ])
    }
    if (invalid > 0) {
      return yield* new InvalidLinesFound({ lines: invalid, files: reports.filter((r) => r.invalid > 0).length })
    }
  })
).pipe(
  Command.withDescription(
    "Check every line of a rollout file or of every rollout in a Codex home: counts by type, unknown variants passed through, lines that are not JSON (with their numbers). Exit 1 when any line is not JSON."
  )
)
