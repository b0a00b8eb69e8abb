/**
 * This OpenCode data folder as an agent store (`@sessionport/agent`): its sessions exported as
 * `agents/opencode/…` (their rows as transcripts), or as `opencode export` files (`OpencodeJson`),
 * a package's OpenCode sessions installed as rows of `opencode.db`, and busy while an OpenCode has
 * the database open.
 *
 * Sync sees a local session as its transcript, rendered from a snapshot for the sync; a
 * fast-forward inserts the rows the local copy lacks (`forward`), paired with the local rows the
 * two copies have in common, and brings the session row and its todos up to date (`afterForward`).
 *
 * @since 0.2.0
 */
import { type AgentStore, MissingStore, PackageSessions } from "@sessionport/agent"
import { type Journal, SqlChange } from "@sessionport/journal"
import { Neutralizer } from "@sessionport/localize"
import { FileChunks, Layout } from "@sessionport/package-format"
import { Context, Effect, Either, Layer, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as Path from "node:path"
import * as Activity from "./Activity.js"
import * as Exporter from "./Exporter.js"
import * as Installer from "./Installer.js"
import * as OpencodeData from "./OpencodeData.js"
import { OpencodeError } from "./OpencodeError.js"
import * as OpencodeJson from "./OpencodeJson.js"
import * as OpencodeSurface from "./OpencodeSurface.js"
import * as Remover from "./Remover.js"
import * as SessionCatalog from "./SessionCatalog.js"
import { RowBatch } from "./internal/batch.js"
import { derive } from "./internal/ids.js"
import { jsonLines } from "./internal/lines.js"
import { rowOf } from "./internal/rows.js"
import { TranscriptScanner, type TranscriptScan } from "./internal/scan.js"
import { messageOf } from "./internal/sqlite.js"
import { readTarget } from "./internal/target.js"
import { type Counts, writeLines } from "./internal/transcript.js"

/** @since 0.2.0 @category tags */
export class OpencodeStore extends Context.Tag("@sessionport/opencode-home/OpencodeStore")<OpencodeStore, AgentStore.AgentStore>() {}

const ownsEntry = (entry: string): boolean => {
  const parsed = Layout.parseAgentEntry(entry)
  return parsed?.agent === Exporter.AGENT && parsed.kind === "transcript"
}

/**
 * What stands for a data folder that does not exist: nothing to export, and a package with
 * OpenCode sessions refused with `not_found`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const missing = (root: string, named: boolean): AgentStore.AgentStore =>
  MissingStore.make(
    { agent: Exporter.AGENT, displayName: "OpenCode", home: root, dialect: OpencodeSurface.dialect, ownsEntry },
    new OpencodeError({
      reason: "not_found",
      path: root,
      detail: `OpenCode data folder ${root} does not exist (OpenCode creates it when it first runs; or name one with --opencode-data)`
    }),
    named
  )

/** Lines that are each machine's state of the session, not records of the conversation. */
const STATE_LINES = ["{\"type\":\"session\"", "{\"type\":\"todo\""]

/**
 * How lineage fingerprints OpenCode transcripts: the surface neutralized (ids and paths), the
 * first prompt the first user message; the session row (title, tokens, times) and the todo list
 * are each machine's current state, not records.
 *
 * @since 0.2.0
 * @category constants
 */
export const lineage: AgentStore.LineageDialect = {
  neutralizer: Neutralizer.make(OpencodeSurface.dialect),
  promptNeedles: ["\"role\":\"user\""],
  isPrompt: (text) => {
    try {
      const line = JSON.parse(text) as { type?: unknown; data?: { role?: unknown } }
      return line.type === "message" && line.data?.role === "user"
    } catch {
      return false
    }
  },
  ignoredLinePrefixes: STATE_LINES
}

const isRecordLine = (json: Record<string, unknown>) => json.type === "message" || json.type === "part"

/** The ids of the first `count` records (messages and parts) of a transcript file. */
const recordIds = (file: string, count: number): Array<string> => {
  const out: Array<string> = []
  if (count === 0) return out
  for (const json of jsonLines(FileChunks.read(file))) {
    if (!isRecordLine(json)) continue
    out.push(`${String(json.type)}:${String(json.id)}`)
    if (out.length === count) break
  }
  return out
}

/** Session columns a fast-forward brings up to date: what moves on as a conversation goes on. */
const ADVANCED_COLUMNS = [
  "time_updated",
  "cost",
  "tokens_input",
  "tokens_output",
  "tokens_reasoning",
  "tokens_cache_read",
  "tokens_cache_write",
  "summary_additions",
  "summary_deletions",
  "summary_files",
  "summary_diffs"
]

/** @since 0.2.0 @category constructors */
export const make = Effect.gen(function*() {
  const data = yield* OpencodeData.OpencodeData
  const exporter = yield* Exporter.make
  const installer = yield* Installer.make
  const remover = yield* Remover.make

  const fail = (error: unknown, path: string, what: string) =>
    error instanceof OpencodeError ? error : new OpencodeError({ reason: "unreadable", path, detail: `${what}: ${messageOf(error)}` })

  const list = (selection: AgentStore.ListSelection) =>
    Effect.map(SessionCatalog.list(data, selection), (listed): AgentStore.Listing => ({
      sessions: listed.sessions.map((s) => ({
        agent: Exporter.AGENT,
        id: s.id,
        title: s.title,
        // OpenCode names every session (its title): the name a user sees in its list
        name: s.title,
        cwd: s.directory,
        createdAt: s.createdMs === undefined ? undefined : new Date(s.createdMs).toISOString(),
        updatedAt: new Date(s.updatedMs ?? 0).toISOString(),
        size: s.stats.bytes,
        archived: s.archived,
        path: Installer.locator(data.database, s.id)
      })),
      unreadable: []
    }))

  /** Each session of the data folder rendered as its transcript, into a folder removed with the scope. */
  const rendered = Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(Path.join(os.tmpdir(), "sessionport-opencode-sync-"))),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    )
    // the snapshot ends once rendered: a reader left open would hold off this sync's own writes
    return yield* Effect.scoped(Effect.gen(function*() {
      const source = yield* SessionCatalog.open(data)
      const out = new Map<string, AgentStore.LocalSession>()
      if (source === undefined || source.kind !== "database") return out
      for (const row of source.sessions()) {
        const id = String(row.id)
        const path = Path.join(dir, `${id}.jsonl`)
        const counts: Counts = { messages: 0, parts: 0, todos: 0, turns: 0 }
        const size = yield* Effect.try({
          try: () => writeLines(source.lines(row, counts), path),
          catch: (error) => fail(error, data.database, `cannot read OpenCode session ${id}`)
        })
        out.set(id, { id, path, size, recorded: { path: Installer.locator(data.database, id), size: counts.messages + counts.parts } })
      }
      return out
    }))
  })

  const read = (id: string) =>
    Stream.unwrapScoped(Effect.gen(function*() {
      const source = yield* SessionCatalog.open(data)
      const row = source?.session(id)
      if (source === undefined || row === undefined) {
        return yield* new OpencodeError({ reason: "not_found", path: data.database, detail: `no OpenCode session ${id} in ${data.root}` })
      }
      let lineNumber = 0
      return Stream.fromIterable(source.lines(row)).pipe(
        Stream.map((raw) => Either.right({ lineNumber: ++lineNumber, raw, terminated: true, entry: { _tag: "Known" } }))
      )
    }))

  const forward: AgentStore.RecordForward = {
    append: (tx, context, items) =>
      Effect.gen(function*() {
        const target = yield* Effect.try({ try: () => readTarget(data.database, data.root), catch: (e) => fail(e, data.database, "cannot read the database") })
        const batch = new RowBatch(data.database)
        const dropped = new Set<string>()
        const sizes: Array<number> = []
        for (const item of items) {
          // the records both copies have are the same records: their ids pair up by position
          const incoming = recordIds(Path.join(context.stagedDir, ...item.entry.split("/")), item.common)
          const local = recordIds(item.local.path, item.common)
          const paired = new Map<string, string>()
          incoming.forEach((key, i) => {
            const [type, id] = key.split(":") as [string, string]
            const here = local[i]
            if (here !== undefined && here.startsWith(`${type}:`)) paired.set(id, here.slice(type.length + 1))
          })
          const mapId = (id: string) => paired.get(id) ?? derive(item.localId, id)
          let added = 0
          for (const json of jsonLines(FileChunks.read(item.records))) {
            if (!isRecordLine(json)) continue
            const { row, table } = rowOf(json, mapId, undefined, target.columns, dropped)
            added++
            if (batch.add(table, row)) yield* batch.flush(tx)
          }
          sizes.push((item.local.recorded?.size ?? item.common) + added)
        }
        yield* batch.flush(tx)
        return sizes
      }).pipe(Effect.mapError((e) => e as AgentStore.AgentFailure))
  }

  /** The local session rows and todos a fast-forward brings up to date. */
  const afterForward = (tx: Journal.Transaction, context: AgentStore.InstallContext, forwarded: ReadonlyArray<AgentStore.Forwarded>) =>
    Effect.gen(function*() {
      const target = yield* Effect.try({ try: () => readTarget(data.database, data.root), catch: (e) => fail(e, data.database, "cannot read the database") })
      const sessionColumns = target.columns.get("session")!
      const changes: Array<SqlChange.SqlChange> = []
      const local = yield* Effect.scoped(Effect.map(SessionCatalog.open(data), (source) =>
        new Map(forwarded.map((f) => {
          const row = source?.session(f.localId)
          return [f.localId, { row, todos: source === undefined || row === undefined ? [] : [...source.todos(row)] }]
        }))
      ))
      for (const f of forwarded) {
        const scan = context.verified.sessions.get(Layout.agentTranscriptEntry(Exporter.AGENT, f.sourceId)) as TranscriptScan | undefined
        const incoming = scan?.session
        const here = local.get(f.localId)
        if (incoming === undefined || here?.row === undefined) continue
        const values: Record<string, SqlChange.SqlValue> = {}
        for (const column of ADVANCED_COLUMNS) {
          const value = incoming[column]
          if (!sessionColumns.has(column) || value === undefined || value === here.row[column]) continue
          if (column === "time_updated" && typeof value === "number" && Number(here.row[column]) >= value) continue
          values[column] = value as SqlChange.SqlValue
        }
        if (Object.keys(values).length > 0) changes.push(SqlChange.updateRows("session", { id: f.localId }, values))
        // the todo list is the session's current plan: the incoming one is the later
        const todos = scan!.todoLines.map((json) => ({ ...json, session_id: f.localId }))
        const incomingTodos = todos.map((t) => JSON.stringify(t))
        if (JSON.stringify(incomingTodos) === JSON.stringify(here.todos)) continue
        if (here.todos.length > 0) changes.push(SqlChange.deleteRows("todo", [{ session_id: f.localId }]))
        if (todos.length > 0) {
          changes.push(SqlChange.insertRows("todo", todos.map((t) => rowOf(t, (id) => id, undefined, target.columns, new Set()).row), ["session_id", "position"]))
        }
      }
      if (changes.length > 0) yield* tx.sql(data.database, changes)
    }).pipe(Effect.mapError((e) => e as AgentStore.AgentFailure))

  const sync: AgentStore.SyncSupport = {
    lineage,
    sidecarHome: data.root,
    sources: (context) => Effect.sync(() => PackageSessions.syncSources(context, Exporter.AGENT)),
    localSessions: rendered,
    // a session's size is its record count: it grows as the session goes on
    recordedSizes: Effect.scoped(Effect.map(SessionCatalog.open(data), (source) => {
      const stats = source?.stats() ?? new Map()
      const ids = new Set(source?.sessions().map((row) => String(row.id)) ?? [])
      const prefix = `${data.database}#`
      return (recorded: string) => {
        const id = recorded.startsWith(prefix) ? recorded.slice(prefix.length) : undefined
        if (id === undefined || !ids.has(id)) return undefined
        const s = stats.get(id)
        return s === undefined ? 0 : s.messages + s.parts
      }
    })),
    nameOf: (localId) =>
      Effect.scoped(Effect.map(SessionCatalog.open(data), (source) => {
        const title = source?.session(localId)?.title
        return typeof title === "string" && title !== "" ? title : undefined
      })),
    planImport: (context, choices) =>
      Effect.map(installer.plan(context, choices), (plan) => plan ?? PackageSessions.emptyPlan(Exporter.AGENT, data.root)),
    afterForward,
    forward
  }

  return OpencodeStore.of({
    agent: Exporter.AGENT,
    displayName: "OpenCode",
    home: data.root,
    present: true,
    list,
    read,
    dialect: OpencodeSurface.dialect,
    ownsEntry,
    scan: () => {
      const scanner = new TranscriptScanner()
      return { push: (bytes) => scanner.push(bytes), end: () => scanner.end() }
    },
    exportPart: exporter.part,
    planInstall: (context) => installer.plan(context),
    sync,
    removal: { plan: remover.plan },
    nativeExport: {
      format: OpencodeJson.FORMAT,
      write: (selection, out, dryRun) => OpencodeJson.write(data, selection, out, dryRun)
    },
    assertIdle: Effect.suspend(() => {
      const found = Activity.holders(data.database)
      return found.length === 0 ? Effect.void : new OpencodeError({
        reason: "busy",
        path: data.database,
        detail: `OpenCode is running on ${data.database} (pid ${found.map((h) => h.pid).join(", ")}); close it and try again`
      })
    })
  })
})

/** @since 0.2.0 @category layers */
export const layer: Layer.Layer<OpencodeStore, never, OpencodeData.OpencodeData> = Layer.effect(OpencodeStore, make)

/**
 * The store of the data folder `config` names (which must exist: see `missing`).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerData = (config: OpencodeData.OpencodeDataConfig = {}): Layer.Layer<OpencodeStore | OpencodeData.OpencodeData> =>
  layer.pipe(Layer.provideMerge(OpencodeData.layer(config)))
