/**
 * `session-transfer actions TARGET`: what a session did, as `actions.v1` (commands, file
 * changes, tool calls, turns), from a thread id of a Codex home, a rollout file, or every
 * session of a package. Streams: the first action prints at once, memory stays flat.
 *
 * @since 0.1.0
 */
import { Command, Options as Opt } from "@effect/cli"
import { SessionLookup } from "@sessionport/agent"
import { FileSystem } from "@effect/platform"
import { CodexHome } from "@sessionport/codex-home"
import { PackageError, PackageReader } from "@sessionport/package-format"
import { Actions, RolloutReader } from "@sessionport/schema"
import { Chunk, Console, Deferred, Effect, Option, Schema, Stream } from "effect"
import * as Options from "@sessionport/cli-kit/Options"
import * as Output from "@sessionport/cli-kit/Output"

/**
 * A thread id that no rollout of the Codex home has.
 *
 * @since 0.1.0
 * @category errors
 */
export class ThreadNotFound extends Schema.TaggedError<ThreadNotFound>("@sessionport/transfer-cli/ThreadNotFound")(
  "ThreadNotFound",
  { threadId: Schema.String, home: Schema.String }
) {
  override get message(): string {
    return `no session ${this.threadId} in the Codex home ${this.home} (set --codex-home or CODEX_HOME)`
  }
}

/**
 * An argument that is neither an existing file or folder nor a thread id.
 *
 * @since 0.1.0
 * @category errors
 */
export class TargetNotFound extends Schema.TaggedError<TargetNotFound>("@sessionport/transfer-cli/TargetNotFound")(
  "TargetNotFound",
  { target: Schema.String }
) {
  override get message(): string {
    return `${this.target}: no such rollout file or package, and no thread of the Codex home has that id, id prefix or name`
  }
}

const THREAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type Format = "jsonl" | "json" | "table"

interface Printer {
  readonly write: (actions: Chunk.Chunk<Actions.ActionV1>) => Effect.Effect<void>
  readonly finish: Effect.Effect<void>
}

const print = (lines: ReadonlyArray<string>): Effect.Effect<void> =>
  lines.length === 0 ? Effect.void : Console.log(lines.join("\n"))

// for people: what the session holds (commands, paths, prompts) is shown with its control characters escaped
const printHuman = (lines: ReadonlyArray<string>): Effect.Effect<void> =>
  lines.length === 0 ? Effect.void : Output.lines(lines)

// one line per action, printed as it comes
const jsonlPrinter = (): Printer => ({
  write: (actions) => print(Chunk.toReadonlyArray(actions).map((a) => JSON.stringify(a))),
  finish: Effect.void
})

// one JSON array, still streamed: the last action waits for the next to know its comma
const jsonPrinter = (): Printer => {
  let opened = false
  let last: Actions.ActionV1 | undefined
  return {
    write: (actions) =>
      Effect.suspend(() => {
        const lines: Array<string> = []
        for (const action of actions) {
          if (!opened) lines.push("[")
          opened = true
          if (last !== undefined) lines.push(`  ${JSON.stringify(last)},`)
          last = action
        }
        return print(lines)
      }),
    finish: Effect.suspend(() => print(opened ? [`  ${JSON.stringify(last)}`, "]"] : ["[]"]))
  }
}

const SAFE_WORD = /^[\w@%+=:,./-]+$/
const shellQuote = (word: string) => (SAFE_WORD.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)

/** `["/bin/zsh", "-lc", "git status"]` reads better as `git status`. */
const commandText = (command: Actions.ActionV1["command"]): string => {
  if (command === null) return ""
  if (typeof command === "string") return command
  if (command.length === 3 && /(^|\/)(ba|z|da|fi)?sh$/.test(command[0]!) && /^-l?c$/.test(command[1]!)) return command[2]!
  return command.map(shellQuote).join(" ")
}

const KIND_LETTER: Record<string, string> = { add: "A", update: "M", delete: "D", move: "R" }

const detail = (a: Actions.ActionV1): string => {
  if (a.text !== undefined && a.text !== null) return JSON.stringify(a.text)
  switch (a.action_type) {
    case "command_execution":
      return commandText(a.command)
    case "file_change": {
      const prefix = a.cwd === null ? undefined : a.cwd.endsWith("/") ? a.cwd : `${a.cwd}/`
      const shown = (p: string) => (prefix !== undefined && p.startsWith(prefix) ? p.slice(prefix.length) : p)
      return a.changed_paths.map((p) =>
        `${KIND_LETTER[p.kind ?? ""] ?? "?"} ${shown(p.path)}${p.move_path === null ? "" : ` -> ${shown(p.move_path)}`}`
      ).join(", ")
    }
    case "tool_call":
    case "mcp_tool_call":
      return a.tool_name ?? ""
    case "web_search":
      return typeof a.command === "string" ? a.command : ""
    case "session_started":
      return a.cwd ?? ""
    case "turn_started":
    case "turn_completed":
    case "turn_aborted":
      return a.turn_id ?? ""
    case "compaction":
      return ""
  }
}

const time = (timestamp: string | null): string =>
  timestamp !== null && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(timestamp) ? timestamp.slice(0, 19).replace("T", " ") : "-"

const DETAIL_WIDTH = 100

const row = (a: Actions.ActionV1): string =>
  [
    String(a.seq).padStart(5),
    time(a.timestamp).padEnd(19),
    a.action_type.padEnd(17),
    a.status.padEnd(9),
    (a.exit_code === null ? "" : String(a.exit_code)).padStart(4),
    Output.cell(detail(a).replace(/\s*\n\s*/g, " "), DETAIL_WIDTH).trimEnd()
  ].join("  ")

const HEADER = ["  SEQ", "TIME".padEnd(19), "TYPE".padEnd(17), "STATUS".padEnd(9), "EXIT", "COMMAND / PATHS"].join("  ")

// a readable terminal view; a heading per session (a package holds several)
const tablePrinter = (): Printer => {
  let session: string | null | undefined
  return {
    write: (actions) =>
      Effect.suspend(() => {
        const lines: Array<string> = []
        for (const a of actions) {
          if (a.seq === 0 || a.session_id !== session) {
            if (session !== undefined) lines.push("")
            lines.push(`session ${a.session_id ?? "(unknown)"}`, HEADER)
            session = a.session_id
          }
          lines.push(row(a))
        }
        return printHuman(lines)
      }),
    finish: Effect.void
  }
}

const printers: Record<Format, () => Printer> = { jsonl: jsonlPrinter, json: jsonPrinter, table: tablePrinter }

type Target =
  | { readonly _tag: "Rollout"; readonly path: string }
  | { readonly _tag: "Package"; readonly path: string }

const GZIP = [0x1f, 0x8b] as const

/** An existing path is a package (folder or gzip) or a rollout; anything else may be a thread id. */
const resolve = (target: string, codexHome: Option.Option<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(target).pipe(Effect.option)
    if (Option.isSome(info)) {
      if (info.value.type === "Directory") return { _tag: "Package", path: target } as Target
      const head = yield* fs.stream(target, { bytesToRead: 2 }).pipe(
        Stream.runCollect,
        Effect.map((chunks) => Chunk.toReadonlyArray(chunks).flatMap((bytes) => [...bytes])),
        Effect.orElseSucceed(() => [] as Array<number>)
      )
      const gzip = head[0] === GZIP[0] && head[1] === GZIP[1]
      return { _tag: gzip ? "Package" : "Rollout", path: target } as Target
    }
    const config = { root: Option.getOrUndefined(codexHome) }
    const home = yield* CodexHome.make(config).pipe(Effect.catchAll(() => new TargetNotFound({ target })))
    if (THREAD_ID.test(target)) {
      const threadId = target.toLowerCase()
      const file = yield* home.sessionFiles.pipe(Stream.filter((f) => f.threadId === threadId), Stream.runHead)
      if (Option.isNone(file)) return yield* new ThreadNotFound({ threadId, home: yield* CodexHome.resolveRoot(config) })
      return { _tag: "Rollout", path: file.value.path } as Target
    }
    // a unique prefix of a thread id, or a thread's name
    const names = yield* home.sessionIndex
    const files = Chunk.toReadonlyArray(yield* Stream.runCollect(home.sessionFiles))
    const found = SessionLookup.match(target, files.map((f) => ({ agent: "codex", id: f.threadId, name: names.get(f.threadId), title: names.get(f.threadId), path: f.path })))
    if (found instanceof SessionLookup.SessionLookupError) {
      return yield* (found.reason === "not_found" ? new TargetNotFound({ target }) : found)
    }
    return { _tag: "Rollout", path: found.path } as Target
  })

/** The actions of the target, printed as they come. */
const run = (target: string, codexHome: Option.Option<string>, format: Format, includeText: boolean) =>
  Effect.gen(function*() {
    const printer = printers[format]()
    const resolved = yield* resolve(target, codexHome)
    if (resolved._tag === "Rollout") {
      yield* Actions.readFile(resolved.path, { includeText }).pipe(Stream.runForEachChunk(printer.write))
    } else {
      const pkg = resolved.path
      // each session is projected as the reader streams it by: nothing is buffered or written
      yield* PackageReader.verify(pkg, {
        inspectSession: (entry, content) =>
          Actions.fromLines(
            RolloutReader.decodeBytes(content, (reason) =>
              new PackageError.PackageError({ reason: "corrupt_archive", package: pkg, entry, detail: reason })),
            { includeText, sessionId: Actions.threadIdFromFileName(entry) }
          ).pipe(Stream.runForEachChunk(printer.write))
      })
    }
    yield* printer.finish
  })

/**
 * Stops quietly when stdout's reader goes away (`actions … | head`): the rest is not wanted, and
 * an unhandled EPIPE would print a stack trace.
 */
const untilStdoutCloses = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const closed = yield* Deferred.make<void>()
    // left installed: writes already queued may still fail after the race is over
    yield* Effect.sync(() => process.stdout.on("error", () => Deferred.unsafeDone(closed, Effect.void)))
    yield* Effect.raceFirst(Effect.asVoid(body), Deferred.await(closed))
  })

/** @since 0.1.0 @category commands */
export const command = Command.make(
  "actions",
  {
    target: Options.pathArg(
      "TARGET",
      "A thread of the Codex home (active or archived): its id, a unique prefix of one, or its name; or a rollout file (.jsonl or .jsonl.zst), or a session package (FILE.tgz or a folder: every session in it)."
    ),
    codexHome: Options.codexHome,
    format: Opt.choice("format", ["jsonl", "json", "table"]).pipe(
      Opt.withDefault("jsonl" as const),
      Opt.withDescription(
        "jsonl: one actions.v1 object per line, streamed (default); json: one array; table: a readable view."
      )
    ),
    includeText: Opt.boolean("include-text").pipe(
      Opt.withDescription(
        "Add `text`: the first prompt to session_started and the last agent message to turn_completed. Off by default: no prompts or model text."
      )
    )
  },
  Effect.fn("actions")(function*({ codexHome, format, includeText, target }) {
    yield* untilStdoutCloses(run(target, codexHome, format, includeText))
  })
).pipe(
  Command.withDescription(
    "Print what a session did as actions.v1 (docs/actions-v1.md): commands with exit codes, file changes, tool and MCP calls, web searches, turns, compactions, in order. Reads a thread id of the Codex home, a rollout file, or every session of a package. Writes nothing."
  )
)
