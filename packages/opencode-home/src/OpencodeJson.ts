/**
 * Sessions in the shape `opencode export <id>` (1.18.33) prints, so that `opencode import` reads
 * them on a machine without sessionport, and such files read back as a package's OpenCode part:
 *
 * ```
 * {"info": {…Session.Info}, "messages": [{"info": {…message, id, sessionID}, "parts": [{…part, id, sessionID, messageID}]}]}
 * ```
 *
 * `info` is the session row as OpenCode maps it (keys in its order, absent ones left out),
 * messages come by time then id, each with its parts by id; `JSON.stringify(…, null, 2)` and the
 * platform's line end, as OpenCode writes it. There are no todos (1.18.33's export has none).
 *
 * - {@link fromTranscript}: a package transcript as that JSON (todo lines are dropped, with a
 *   warning);
 * - {@link toTranscript}: the way back, checked (ids of OpenCode's scheme and each once, parts
 *   belonging to their message, roles, times); the times the JSON does not hold (a message's
 *   update, a part's creation and update) are the ones the legacy storage reader stands in, so a
 *   file converts the same way twice;
 * - {@link readPart}: a file as the OpenCode part of a package (`PackageExport.write` makes it a
 *   package, which then installs like any other: localization, new ids, lineage, journal);
 * - {@link write}: the selected sessions of a data folder written as such files
 *   (`export --format opencode-json`).
 *
 * @since 0.5.0
 */
import type { AgentStore } from "@sessionport/agent"
import { PackageExport } from "@sessionport/agent"
import { AtomicFile, Layout, type PackageError } from "@sessionport/package-format"
import { OpencodeLine } from "@sessionport/schema"
import { Effect, Either, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as Path from "node:path"
import * as Exporter from "./Exporter.js"
import type { OpencodeDataShape } from "./OpencodeData.js"
import { OpencodeError } from "./OpencodeError.js"
import * as SessionCatalog from "./SessionCatalog.js"
import { isId } from "./internal/ids.js"
import { infoRow, messageRow, partRow, todoRows } from "./internal/legacy.js"
import { messageOf, type Row } from "./internal/sqlite.js"
import type { Counts } from "./internal/transcript.js"

/** The `--format` this module writes and reads. @since 0.5.0 @category constants */
export const FORMAT = "opencode-json"

/** The largest file {@link readPart} reads: 512 MiB. @since 0.5.0 @category constants */
export const MAX_BYTES = 512 * 1024 * 1024

type Json = Record<string, unknown>

/** What `opencode export` prints. @since 0.5.0 @category models */
export interface ExportJson {
  readonly info: Json
  readonly messages: ReadonlyArray<{ readonly info: Json; readonly parts: ReadonlyArray<Json> }>
}

/**
 * Where a package made by {@link readPart} came from: its sessions passed every check of our own
 * packages, but the file has no checksums.
 *
 * @since 0.5.0
 * @category models
 */
export interface Origin {
  readonly format: typeof FORMAT
  readonly integrity: "unverified"
  readonly sessionId: string
}

/**
 * - `unreadable`: the file cannot be read;
 * - `too_large`: it is over {@link MAX_BYTES};
 * - `not_an_export`: it is not JSON of `opencode export`'s shape;
 * - `bad_session`: a session cannot be carried as it is (a hostile or damaged row);
 * - `not_one_session`: a file or stdout holds one session, and the selection is not one;
 * - `exists`: a file would be replaced;
 * - `unwritable`: stdout cannot be written.
 *
 * @since 0.5.0
 * @category errors
 */
export class OpencodeJsonError extends Schema.TaggedError<OpencodeJsonError>("@sessionport/opencode-home/OpencodeJsonError")(
  "OpencodeJsonError",
  {
    reason: Schema.Literal("unreadable", "too_large", "not_an_export", "bad_session", "not_one_session", "exists", "unwritable"),
    path: Schema.String,
    detail: Schema.String
  }
) {
  override get message(): string {
    return this.detail
  }
}

const isRecord = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const isTime = (u: unknown): u is number => typeof u === "number" && Number.isSafeInteger(u)
const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const bad = (detail: string, path = "") => new OpencodeJsonError({ reason: "bad_session", path, detail })

// -------------------------------------------------------------------------------------------------
// transcript → JSON

/** A JSON-text column as OpenCode's `mode: "json"` reads it (SQL NULL: null). */
const jsonColumn = (row: Json, key: string): unknown => {
  const value = row[key]
  if (value === null || value === undefined) return null
  if (typeof value === "string") {
    try {
      return JSON.parse(value)
    } catch {
      // refused below
    }
  }
  throw bad(`session ${String(row.id)}: its ${key} column is not JSON text; opencode-json cannot carry it`)
}

const orUndefined = (value: unknown): unknown => value ?? undefined
const field = (value: unknown, key: string): unknown => isRecord(value) ? value[key] : undefined

/** The session row as 1.18.33's `Session.Info`, key for key as OpenCode maps it (undefined keys are left out by JSON). */
const infoOf = (row: Json): Json => {
  const model = jsonColumn(row, "model")
  const revert = jsonColumn(row, "revert")
  const permission = jsonColumn(row, "permission")
  const summaryDiffs = jsonColumn(row, "summary_diffs")
  const metadata = jsonColumn(row, "metadata")
  const set = (key: string) => (row[key] ?? null) !== null
  const partID = field(revert, "partID")
  return {
    id: row.id,
    slug: row.slug,
    projectID: row.project_id,
    workspaceID: orUndefined(row.workspace_id),
    directory: row.directory,
    path: orUndefined(row.path),
    parentID: orUndefined(row.parent_id),
    title: row.title,
    agent: orUndefined(row.agent),
    model: model ? { id: field(model, "id"), providerID: field(model, "providerID"), variant: field(model, "variant") } : undefined,
    version: row.version,
    summary: set("summary_additions") || set("summary_deletions") || set("summary_files")
      ? {
        additions: row.summary_additions ?? 0,
        deletions: row.summary_deletions ?? 0,
        files: row.summary_files ?? 0,
        diffs: orUndefined(summaryDiffs)
      }
      : undefined,
    cost: row.cost,
    tokens: {
      input: row.tokens_input,
      output: row.tokens_output,
      reasoning: row.tokens_reasoning,
      cache: { read: row.tokens_cache_read, write: row.tokens_cache_write }
    },
    share: row.share_url ? { url: row.share_url } : undefined,
    metadata: orUndefined(metadata),
    revert: revert
      ? { messageID: field(revert, "messageID"), partID: partID ? partID : undefined, snapshot: field(revert, "snapshot"), diff: field(revert, "diff") }
      : undefined,
    permission: permission ? (Array.isArray(permission) ? [...permission] : permission) : undefined,
    time: {
      created: row.time_created,
      updated: row.time_updated,
      compacting: orUndefined(row.time_compacting),
      archived: orUndefined(row.time_archived)
    }
  }
}

/** A message or part line's data: its parsed `data`, or its `data_text` when that is a JSON object. */
const dataOf = (line: Json, what: string, session: unknown): Json => {
  if (isRecord(line.data)) return line.data
  if (typeof line.data_text === "string") {
    try {
      const parsed: unknown = JSON.parse(line.data_text)
      if (isRecord(parsed)) return parsed
    } catch {
      // refused below
    }
  }
  throw bad(`session ${String(session)}: ${what}'s data is not a JSON object; opencode-json cannot carry it`)
}

/** @since 0.5.0 @category models */
export interface Rendered {
  readonly json: ExportJson
  readonly messages: number
  readonly parts: number
  readonly warnings: ReadonlyArray<string>
}

/**
 * A package transcript (its lines, without `\n`) as `opencode export` prints the session. Todo
 * lines and lines of other tables are left out, each kind with a warning.
 *
 * @since 0.5.0
 * @category conversions
 */
export const fromTranscript = (lines: Iterable<string>): Either.Either<Rendered, OpencodeJsonError> =>
  Either.try({
    try: () => {
      let info: Json | undefined
      const messages: Array<{ info: Json; parts: Array<Json> }> = []
      const byId = new Map<unknown, Array<Json>>()
      let parts = 0
      let todos = 0
      let others = 0
      for (const raw of lines) {
        if (raw.trim() === "") continue
        const line: unknown = JSON.parse(raw)
        if (!isRecord(line)) throw bad("a transcript line is not a JSON object")
        if (info === undefined) {
          if (line.type !== "session") throw bad("the first line of the transcript is not the session row")
          info = infoOf(line)
          continue
        }
        switch (line.type) {
          case "message": {
            // OpenCode's own: the data, then its id and session
            const message = { info: { ...dataOf(line, `message ${String(line.id)}`, info.id), id: line.id, sessionID: line.session_id }, parts: [] }
            messages.push(message)
            byId.set(line.id, message.parts)
            break
          }
          case "part": {
            const list = byId.get(line.message_id)
            if (list === undefined) throw bad(`session ${String(info.id)}: part ${String(line.id)} belongs to no message before it`)
            list.push({ ...dataOf(line, `part ${String(line.id)}`, info.id), id: line.id, sessionID: line.session_id, messageID: line.message_id })
            parts++
            break
          }
          case "todo":
            todos++
            break
          default:
            others++
        }
      }
      if (info === undefined) throw bad("the transcript holds no session row")
      const id = String(info.id)
      const warnings = [
        ...(todos === 0 ? [] : [`session ${id}: its todo list (${todos} item(s)) is not carried: opencode export 1.18.33 has no todos`]),
        ...(others === 0 ? [] : [`session ${id}: ${others} row(s) of other tables are not carried`])
      ]
      return { json: { info, messages }, messages: messages.length, parts, warnings }
    },
    catch: (error) =>
      error instanceof OpencodeJsonError ? error : bad(`a session cannot be written as opencode-json: ${messageOf(error)}`)
  })

/**
 * The file text: `JSON.stringify(json, null, 2)` and the platform's line end, as OpenCode writes it.
 *
 * @since 0.5.0
 * @category conversions
 */
export const render = (json: ExportJson): string => JSON.stringify(json, null, 2) + os.EOL

// -------------------------------------------------------------------------------------------------
// JSON → transcript

/** @since 0.5.0 @category models */
export interface Transcript {
  /** the transcript lines, without `\n`: the session, each message then its parts, the todos */
  readonly lines: ReadonlyArray<string>
  /** the session row */
  readonly row: Row
  readonly counts: Counts
}

interface CheckedMessage {
  readonly info: Json
  readonly created: number
  readonly parts: ReadonlyArray<Json>
}

/** The messages and parts of an export, checked, messages in OpenCode's order (time, then id) and parts by id. */
const checkedMessages = (session: string, messages: ReadonlyArray<unknown>): Array<CheckedMessage> => {
  const messageIds = new Set<string>()
  const partIds = new Set<string>()
  const out: Array<CheckedMessage> = []
  for (const [index, entry] of messages.entries()) {
    if (!isRecord(entry) || !isRecord(entry.info) || !Array.isArray(entry.parts)) {
      throw bad(`session ${session}: message ${index + 1} is not {"info": {…}, "parts": […]}`)
    }
    const info = entry.info
    const id = info.id
    if (!isId("msg", id)) throw bad(`session ${session}: message id ${JSON.stringify(id)} is not of OpenCode's scheme`)
    if (messageIds.has(id)) throw bad(`session ${session}: message ${id} twice`)
    messageIds.add(id)
    if (info.role !== "user" && info.role !== "assistant") {
      throw bad(`session ${session}: message ${id}'s role ${JSON.stringify(info.role)} is neither user nor assistant`)
    }
    const created = isRecord(info.time) ? info.time.created : undefined
    if (!isTime(created)) throw bad(`session ${session}: message ${id} has no time.created (ms)`)
    const parts: Array<Json> = []
    for (const part of entry.parts as ReadonlyArray<unknown>) {
      const partId = isRecord(part) ? part.id : undefined
      if (!isRecord(part) || !isId("prt", partId)) throw bad(`session ${session}: part id ${JSON.stringify(partId)} of message ${id} is not of OpenCode's scheme`)
      if (partIds.has(partId)) throw bad(`session ${session}: part ${partId} twice`)
      partIds.add(partId)
      // OpenCode's import attaches a part by its own messageID
      if (part.messageID !== id) throw bad(`session ${session}: part ${partId} is listed under message ${id} but names message ${JSON.stringify(part.messageID)}`)
      parts.push(part)
    }
    parts.sort((a, b) => byCode(a.id as string, b.id as string))
    out.push({ info, created, parts })
  }
  return out.sort((a, b) => a.created - b.created || byCode(a.info.id as string, b.info.id as string))
}

/**
 * An `opencode export` JSON (parsed) as a package transcript, checked: the session and message
 * and part ids of OpenCode's scheme and each once, every part under the message it names, roles
 * `user` or `assistant`, creation times in ms. A `todos` array, as older and newer exports carry,
 * becomes the todo lines.
 *
 * @since 0.5.0
 * @category conversions
 */
export const toTranscript = (json: unknown): Either.Either<Transcript, OpencodeJsonError> =>
  Either.try({
    try: () => {
      if (!isRecord(json) || !isRecord(json.info) || !Array.isArray(json.messages)) {
        throw new OpencodeJsonError({ reason: "not_an_export", path: "", detail: "not what opencode export writes: it needs an \"info\" object and a \"messages\" array" })
      }
      const info = json.info
      const id = info.id
      if (!isId("ses", id)) throw bad(`session id ${JSON.stringify(id)} is not of OpenCode's scheme`)
      const created = isRecord(info.time) ? info.time.created : undefined
      if (!isTime(created)) throw bad(`session ${id} has no time.created (ms)`)
      if (info.parentID !== undefined && info.parentID !== null && !isId("ses", info.parentID)) {
        throw bad(`session ${id}: parent session id ${JSON.stringify(info.parentID)} is not of OpenCode's scheme`)
      }
      const messages = checkedMessages(id, json.messages)
      const row = infoRow(info, () => created)
      const counts: Counts = { messages: 0, parts: 0, todos: 0, turns: 0 }
      const lines = [OpencodeLine.fromRow("session", row)]
      for (const message of messages) {
        const messageLine = messageRow(id, message.info.id as string, message.info, created)
        lines.push(OpencodeLine.fromRow("message", messageLine))
        const user = message.info.role === "user"
        counts.messages++
        if (user) counts.turns++
        for (const part of message.parts) {
          lines.push(OpencodeLine.fromRow("part", partRow(messageLine, part.id as string, part)))
          counts.parts++
          if (user && counts.firstPrompt === undefined && part.type === "text" && part.synthetic !== true && typeof part.text === "string") {
            counts.firstPrompt = part.text
          }
        }
      }
      for (const todo of todoRows(id, json.todos, row.time_updated as number)) {
        lines.push(OpencodeLine.fromRow("todo", todo))
        counts.todos++
      }
      return { lines, row, counts }
    },
    catch: (error) =>
      error instanceof OpencodeJsonError ? error : bad(`the session cannot be read from opencode-json: ${messageOf(error)}`)
  })

// -------------------------------------------------------------------------------------------------
// a file as a package's part

/**
 * The session of an `opencode export` file as the OpenCode part of a package (its transcript and
 * `sessions.jsonl` line), with where it came from.
 *
 * @since 0.5.0
 * @category reading
 */
export const readPart = Effect.fn("OpencodeJson.readPart")(function*(file: string) {
  const fail = (reason: OpencodeJsonError["reason"], detail: string) => new OpencodeJsonError({ reason, path: file, detail })
  const size = yield* Effect.try({ try: () => fs.statSync(file).size, catch: (e) => fail("unreadable", `cannot read ${file}: ${messageOf(e)}`) })
  if (size > MAX_BYTES) return yield* fail("too_large", `${file} is ${size} bytes: an opencode export file of more than ${MAX_BYTES} bytes is not read`)
  const text = yield* Effect.try({ try: () => fs.readFileSync(file, "utf8"), catch: (e) => fail("unreadable", `cannot read ${file}: ${messageOf(e)}`) })
  const json = yield* Effect.try({ try: (): unknown => JSON.parse(text), catch: (e) => fail("not_an_export", `${file} is not JSON: ${messageOf(e)}`) })
  const transcript = yield* Either.mapLeft(
    toTranscript(json),
    (e) => new OpencodeJsonError({ reason: e.reason, path: file, detail: `${file}: ${e.detail}` })
  )
  const { counts, row } = transcript
  const body = transcript.lines.map((line) => line + "\n").join("")
  const bytes = Buffer.byteLength(body)
  const id = String(row.id)
  const entry = Layout.agentTranscriptEntry(Exporter.AGENT, id)
  // all the file says of the project is its id: the install places the session in its own
  const project = { id: String(row.project_id), worktree: null, vcs: null, name: null }
  const line = Exporter.sessionLine(row, { counts, size: bytes }, project, FORMAT)
  const part: AgentStore.ExportPart<OpencodeJsonError> = {
    agent: Exporter.AGENT,
    home: Path.resolve(file),
    sessions: [{
      agent: Exporter.AGENT,
      id,
      cwd: line.directory,
      title: line.title ?? undefined,
      name: undefined,
      archived: line.archived,
      entry,
      size: bytes,
      parentOf: undefined,
      subagentOf: undefined
    }],
    skipped: [],
    warnings: [],
    unmatched: [],
    bytes,
    manifest: {},
    write: (sink, advance) =>
      Effect.gen(function*() {
        const transcriptFile = yield* sink.addBytes(entry, body)
        advance(bytes)
        return [transcriptFile, yield* sink.addBytes(Exporter.SESSIONS_META, JSON.stringify(line) + "\n")]
      })
  }
  const origin: Origin = { format: FORMAT, integrity: "unverified", sessionId: id }
  return { part, origin }
})

// -------------------------------------------------------------------------------------------------
// sessions of a data folder as files

const isFolder = (path: string): boolean => fs.statSync(path, { throwIfNoEntry: false })?.isDirectory() === true

const toStdout = (text: string) =>
  Effect.async<void, OpencodeJsonError>((resume) => {
    process.stdout.write(text, (error) =>
      resume(error ? Effect.fail(new OpencodeJsonError({ reason: "unwritable", path: "-", detail: `cannot write to stdout: ${error.message}` })) : Effect.void))
  })

/**
 * The selected sessions of a data folder written as `opencode export` files (see
 * {@link AgentStore.NativeExport}), all rendered from one snapshot. Every session is converted
 * before the first file is written, and no file is replaced: a session that cannot be carried,
 * or a file already there, writes nothing.
 *
 * @since 0.5.0
 * @category writing
 */
export const write = Effect.fn("OpencodeJson.write")(function*(
  data: OpencodeDataShape,
  selection: AgentStore.Selection,
  out: string,
  dryRun: boolean
): Effect.fn.Return<
  AgentStore.NativeExportResult,
  OpencodeJsonError | OpencodeError | PackageExport.ExportError | PackageError.PackageError
> {
  return yield* Effect.scoped(Effect.gen(function*() {
    const source = yield* SessionCatalog.open(data)
    const selected = SessionCatalog.select(source, selection)
    if (selected.unmatched.length > 0) {
      return yield* new PackageExport.ExportError({ reason: "unknown_thread", detail: `no session ${selected.unmatched.join(", ")} in ${data.root}` })
    }
    if (selected.sessions.length === 0) {
      return yield* new PackageExport.ExportError({ reason: "nothing_selected", detail: `no session in ${data.root} matches the selection` })
    }
    const all = SessionCatalog.select(source, { ids: [], cwds: [], since: undefined, all: true, includeArchived: true }).sessions
    const plan = Exporter.withChildren(selected.sessions, all)
    const stdout = out === "-"
    const warnings: Array<string> = []
    let targets: Array<{ readonly id: string; readonly path: string }>
    if (!stdout && isFolder(out)) {
      targets = plan.map(({ info }) => ({ id: info.id, path: Path.join(out, `${info.id}.json`) }))
    } else {
      const shown = stdout ? "stdout" : out
      if (selected.sessions.length !== 1) {
        return yield* new OpencodeJsonError({
          reason: "not_one_session",
          path: out,
          detail: `${shown} takes one session and the selection has ${selected.sessions.length} (${
            selected.sessions.slice(0, 5).map((s) => s.id).join(", ")
          }${selected.sessions.length > 5 ? ", …" : ""}): name one with --thread, or give an existing folder`
        })
      }
      const subagents = plan.slice(1).map(({ info }) => info.id)
      if (subagents.length > 0) {
        warnings.push(`${subagents.length} subagent session(s) of ${plan[0]!.info.id} not carried (${subagents.join(", ")}): --out FOLDER writes them too`)
      }
      targets = [{ id: plan[0]!.info.id, path: stdout ? "-" : out }]
    }
    const taken = stdout ? undefined : targets.find((t) => fs.existsSync(t.path))
    if (taken !== undefined) {
      return yield* new OpencodeJsonError({ reason: "exists", path: taken.path, detail: `${taken.path} exists: opencode-json files are never replaced` })
    }

    const convert = (id: string) =>
      Effect.gen(function*() {
        const row = source?.session(id)
        if (source === undefined || row === undefined) {
          return yield* new OpencodeError({ reason: "not_found", path: data.database, detail: `OpenCode session ${id} is gone from ${data.root}` })
        }
        const rendered = yield* Effect.try({
          try: () => fromTranscript(source.lines(row)),
          catch: (error) => new OpencodeError({ reason: "unreadable", path: source.path, detail: `cannot read OpenCode session ${id}: ${messageOf(error)}` })
        })
        return yield* Either.mapLeft(rendered, (e) => new OpencodeJsonError({ reason: e.reason, path: e.path, detail: e.detail }))
      })

    // every session converted first (one kept when it is the only one: memory stays one session's)
    const files: Array<AgentStore.NativeFile> = []
    let kept: Rendered | undefined
    for (const target of targets) {
      const rendered = yield* convert(target.id)
      warnings.push(...rendered.warnings)
      files.push({ path: target.path, id: target.id, messages: rendered.messages, parts: rendered.parts })
      if (targets.length === 1) kept = rendered
    }
    if (!dryRun) {
      for (const target of targets) {
        const text = render((kept ?? (yield* convert(target.id))).json)
        yield* stdout ? toStdout(text) : AtomicFile.writeFile(target.path, text)
      }
    }
    return { format: FORMAT, dryRun, files, warnings }
  }))
})
