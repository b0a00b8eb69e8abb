/**
 * Export of the real-Codex fixture home (fixtures/codex, Codex 0.169), checked against an
 * independent reading of the fixture: fixtures.json, plain node:fs reads, node:crypto SHA-256,
 * plain better-sqlite3 queries, and a small tar reader of its own. Every test works on a copy of
 * the home.
 */
import { NodeContext } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Exporter } from "@sessionport/codex-home"
import {
  copyFixtureHome,
  fixtureByRole,
  fixtures,
  type FixtureSession,
  fixtureThreads,
  openDatabase,
  removeTemps,
  sqlThreads,
  tempDir
} from "@sessionport/codex-oracle/Fixtures"
import { rolloutPath, sessionMeta, userItem, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { PackageError, PackageInspection, PackageReader } from "@sessionport/package-format"
import * as Progress from "@sessionport/package-format/Progress"
import { Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import {
  BASELINE_COLUMNS,
  EXTRA_COLUMNS,
  expectedRow,
  firstPromptOf,
  LATE_COLUMNS,
  olderSchemaHome,
  pick,
  plainBytes
} from "./utils/expectedRows.js"

afterAll(removeTemps)

// ---------------------------------------------------------------------------------------------
// independent readers

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..")
const fixtureJson = JSON.parse(fs.readFileSync(path.join(repoRoot, "fixtures", "codex", "fixtures.json"), "utf8")) as {
  readonly forkHistoryBase: { readonly thread_id: string; readonly end_ordinal_exclusive: number; readonly end_byte_offset: number }
}
const VERSION = (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "..", "package.json"), "utf8")) as { version: string })
  .version

interface TarFile {
  readonly bytes: Buffer
  readonly mtime: number
}

/** A minimal ustar/pax reader: every regular file of a .tgz by name; folders must be plain folders. */
const untar = (tgz: Buffer): Map<string, TarFile> => {
  const tar = zlib.gunzipSync(tgz)
  const files = new Map<string, TarFile>()
  let paxPath: string | undefined
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512)
    if (header.every((byte) => byte === 0)) break
    const field = (from: number, length: number) => {
      const raw = header.subarray(from, from + length)
      const end = raw.indexOf(0)
      return raw.subarray(0, end === -1 ? length : end).toString("utf8")
    }
    const size = parseInt(field(124, 12).trim() || "0", 8)
    const mtime = parseInt(field(136, 12).trim() || "0", 8)
    const type = field(156, 1) || "0"
    const prefix = field(345, 155)
    const name = paxPath ?? (prefix === "" ? field(0, 100) : `${prefix}/${field(0, 100)}`)
    const body = tar.subarray(at + 512, at + 512 + size)
    at += 512 + Math.ceil(size / 512) * 512
    if (type === "x") {
      paxPath = /\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))?.[1]
      continue
    }
    paxPath = undefined
    if (type === "0") {
      assert.isFalse(files.has(name), `${name} twice in the archive`)
      files.set(name, { bytes: Buffer.from(body), mtime })
    } else {
      assert.strictEqual(type, "5", `${name}: only files and folders belong in a package`)
    }
  }
  return files
}

/** Every file under a folder package, by POSIX path; no symlinks. */
const walkFolder = (root: string): Map<string, TarFile> => {
  const files = new Map<string, TarFile>()
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      assert.isFalse(entry.isSymbolicLink(), `${full} is a symlink`)
      if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`)
      else files.set(`${prefix}${entry.name}`, { bytes: fs.readFileSync(full), mtime: 0 })
    }
  }
  walk(root, "")
  return files
}

const packageFiles = (out: string): Map<string, TarFile> =>
  fs.statSync(out).isDirectory() ? walkFolder(out) : untar(fs.readFileSync(out))

const jsonLines = (bytes: Buffer | undefined): Array<Record<string, unknown>> => {
  assert.isDefined(bytes)
  const text = bytes!.toString("utf8")
  if (text === "") return []
  assert.isTrue(text.endsWith("\n"), "JSONL ends with a newline")
  return text.slice(0, -1).split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
}

const sqlRows = (home: string, sql: string, ...params: Array<unknown>): Array<Record<string, unknown>> => {
  const db = openDatabase(path.join(home, "state_5.sqlite"), { readonly: true })
  try {
    return db.prepare(sql).all(...params)
  } finally {
    db.close()
  }
}

const sqlDynamicTools = (home: string, ids: ReadonlyArray<string>) =>
  sqlRows(
    home,
    `SELECT * FROM thread_dynamic_tools WHERE thread_id IN (${ids.map(() => "?").join(", ")}) ORDER BY thread_id, position`,
    ...ids
  )

/** Names next to `file` (to prove nothing, not even a temp, was left behind). */
const siblings = (file: string) => fs.readdirSync(path.dirname(file)).sort()

// the fixture, read independently
const role = fixtureByRole
const fork = role("forked")
const parent = role("forked_parent")
const ACTIVE = fixtureThreads.filter((s) => !s.archived)
const ALL = fixtureThreads
const turnsOf = (s: FixtureSession) => s.parentId === undefined ? s.prompts.length : 1
/** the session's entry name: a `.jsonl.zst` travels as its `.jsonl` */
const baseName = (s: FixtureSession) => path.basename(s.rollout).replace(/\.zst$/, "")
const sortedIds = (sessions: ReadonlyArray<FixtureSession>) => sessions.map((s) => s.threadId).sort()
const distinctCwds = (sessions: ReadonlyArray<FixtureSession>) => [...new Set(sessions.map((s) => s.cwd))].sort()

// ---------------------------------------------------------------------------------------------
// running the exporter

const exporterLayer = (root: string, progress: Layer.Layer<Progress.Progress> = Progress.none) =>
  Exporter.layerHome({ root }).pipe(Layer.provide(Layer.merge(NodeContext.layer, progress)))

const request = (out: string, patch: Partial<Exporter.ExportRequest> = {}): Exporter.ExportRequest => ({
  out,
  threadIds: [],
  cwds: [],
  since: undefined,
  all: false,
  includeArchived: false,
  includeSkills: false,
  skipUnreadable: false,
  dryRun: false,
  ...patch
})

const runExport = (root: string, req: Exporter.ExportRequest, progress?: Layer.Layer<Progress.Progress>) =>
  Effect.flatMap(Exporter.Exporter, (exporter) => exporter.export(req)).pipe(Effect.provide(exporterLayer(root, progress)))

// ---------------------------------------------------------------------------------------------
// the whole-package check

interface Expected {
  readonly home: string
  readonly request: Exporter.ExportRequest
  readonly sessions: ReadonlyArray<FixtureSession>
  /** thread id → the fork it was pulled in for */
  readonly parentOf?: ReadonlyMap<string, string>
  /** `skills/…` path → content */
  readonly skills?: ReadonlyMap<string, Buffer>
  readonly skillNames?: ReadonlyArray<string>
  /** skill files left out as credentials, with their rule */
  readonly excludedFiles?: ReadonlyArray<{ readonly path: string; readonly reason: string }>
  /** unreadable sessions left out (`skipUnreadable`) */
  readonly skipped?: ReadonlyArray<Exporter.SkippedSession>
  /** the home has no state_5.sqlite: rows are synthesized */
  readonly synthesized?: boolean
  readonly startedAt: number
}

const METADATA = [
  "README.md",
  "INSTALL_REMOTE.md",
  "metadata/threads.jsonl",
  "metadata/session_index.jsonl",
  "metadata/thread_dynamic_tools.jsonl",
  "metadata/path_localization.json",
  "skeleton/required-directories.json"
]

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** Checks the package at `expected.request.out` and the exporter's answer, all of it. */
const checkPackage = (result: Exporter.ExportResult, expected: Expected) =>
  Effect.gen(function*() {
    const { home, request: req, sessions } = expected
    const out = req.out
    const finishedAt = Date.now()
    const tgz = /\.(tgz|tar\.gz)$/.test(out)
    const files = packageFiles(out)
    assert.isFalse(siblings(out).some((name) => name.includes(".tmp-")), "no temp output is left")

    // which files: every session, the metadata, the skills; nothing else
    const sessionEntries = sessions.map((s) => `sessions/${baseName(s)}`)
    const skillEntries = [...(expected.skills?.keys() ?? [])]
    assert.deepStrictEqual(
      [...files.keys()].sort(),
      ["package_manifest.json", ...METADATA, ...sessionEntries, ...skillEntries].sort()
    )

    // ---- the manifest, field by field
    const manifestBytes = files.get("package_manifest.json")!.bytes
    assert.isTrue(manifestBytes.toString("utf8").endsWith("}\n"))
    const manifest = JSON.parse(manifestBytes.toString("utf8")) as Record<string, any>
    assert.deepStrictEqual(Object.keys(manifest).sort(), [
      "created_at",
      "cwd_filter",
      "deferred_components",
      "files",
      "format_version",
      "minimum_working_set_only",
      "package_id",
      "package_kind",
      "preferred_installer_skill",
      "producer",
      "selection",
      "skills_included",
      "source",
      "thread_ids",
      // what export made of the skills: asked for with --include-skills only
      ...(req.includeSkills ? ["allowed_files", "excluded_files"] : [])
    ].sort())
    if (req.includeSkills) {
      assert.deepStrictEqual(manifest.excluded_files, expected.excludedFiles ?? [])
      assert.deepStrictEqual(manifest.allowed_files, [])
    }
    assert.strictEqual(manifest.format_version, 1)
    assert.strictEqual(manifest.package_kind, "session-skill-package")
    assert.strictEqual(manifest.minimum_working_set_only, true)
    assert.strictEqual(manifest.cwd_filter, req.cwds.length === 1 ? req.cwds[0] : null)
    assert.deepStrictEqual(manifest.thread_ids, sortedIds(sessions))
    assert.deepStrictEqual(manifest.skills_included, expected.skillNames ?? [])
    assert.isArray(manifest.deferred_components)
    assert.isNotEmpty(manifest.deferred_components)
    // the fixture home has these databases; none of them travels
    for (const db of ["thread_history_1.sqlite", "logs_2.sqlite", "memories_1.sqlite", "goals_1.sqlite"]) {
      assert.include(manifest.deferred_components, db)
      assert.isTrue(fs.existsSync(path.join(home, db)) || expected.synthesized === true, db)
      assert.isFalse(files.has(db))
    }
    assert.strictEqual(manifest.preferred_installer_skill, "sessionport")
    assert.match(manifest.package_id, UUID_V7)
    assert.strictEqual(manifest.package_id, result.packageId)
    assert.strictEqual(new Date(manifest.created_at).toISOString(), manifest.created_at)
    const createdMs = Date.parse(manifest.created_at)
    assert.isAtLeast(createdMs, expected.startedAt)
    assert.isAtMost(createdMs, finishedAt)
    // a UUIDv7 carries its creation time in its first 48 bits
    const idMs = parseInt(manifest.package_id.replace(/-/g, "").slice(0, 12), 16)
    assert.isAtMost(Math.abs(idMs - createdMs), 1000)
    assert.deepStrictEqual(manifest.producer, { name: "sessionport", version: VERSION })
    assert.deepStrictEqual(manifest.source, {
      platform: process.platform,
      codex_home: home,
      home: os.homedir(),
      hostname: os.hostname()
    })
    assert.deepStrictEqual(manifest.selection, {
      all: req.all,
      thread_ids: req.threadIds,
      cwds: req.cwds,
      since: req.since === undefined ? null : req.since.toISOString(),
      include_archived: req.includeArchived,
      include_skills: req.includeSkills
    })
    // files: every file but the manifest, with its real size and SHA-256
    const listed = manifest.files as Array<{ path: string; size: number; sha256: string }>
    assert.deepStrictEqual(
      [...listed].sort((a, b) => a.path < b.path ? -1 : 1),
      [...files].filter(([name]) => name !== "package_manifest.json").map(([name, file]) => ({
        path: name,
        size: file.bytes.length,
        sha256: sha256(file.bytes)
      })).sort((a, b) => a.path < b.path ? -1 : 1)
    )
    assert.strictEqual(new Set(listed.map((f) => f.path)).size, listed.length)

    // archive entries carry created_at as their mtime
    if (tgz) for (const [name, file] of files) assert.strictEqual(file.mtime, Math.floor(createdMs / 1000), name)

    // ---- sessions: the rollout files, byte for byte; a .zst decompressed, as the .jsonl its row names
    for (const s of sessions) {
      const source = fs.readFileSync(path.join(home, s.rollout))
      const packed = files.get(`sessions/${baseName(s)}`)!.bytes
      assert.strictEqual(baseName(s).endsWith(".jsonl"), true)
      if (s.compressed) {
        assert.deepStrictEqual([...source.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], "zstd magic in the source")
        assert.isTrue(packed.equals(plainBytes(path.join(home, s.rollout))), `${s.rollout} is carried decompressed`)
      } else {
        assert.isTrue(packed.equals(source), `${s.rollout} is byte-identical`)
      }
    }

    // ---- metadata/threads.jsonl: one line per exported thread
    const threads = jsonLines(files.get("metadata/threads.jsonl")?.bytes)
    assert.deepStrictEqual(threads.map((row) => row.id).sort(), sortedIds(sessions))
    if (expected.synthesized === true) {
      checkSynthesizedRows(home, threads, sessions)
    } else {
      // Codex's own row as it is: every column, none added (the fixture's names the plain .jsonl)
      const rows = new Map(sqlThreads(home).map((row) => [row.id as string, row]))
      for (const line of threads) assert.deepStrictEqual(line, rows.get(line.id as string), `threads row ${line.id}`)
    }

    // ---- metadata/session_index.jsonl: the named threads only
    const index = jsonLines(files.get("metadata/session_index.jsonl")?.bytes)
    const named = sessions.filter((s) => s.name !== undefined)
    assert.deepStrictEqual(
      index.map((line) => ({ id: line.id, thread_name: line.thread_name })),
      named.map((s) => ({ id: s.threadId, thread_name: s.name }))
    )
    // the source's own line, as it stands in the home's session_index.jsonl (the newest per id)
    const sourceIndex = fs.existsSync(path.join(home, "session_index.jsonl"))
      ? jsonLines(fs.readFileSync(path.join(home, "session_index.jsonl")))
      : []
    for (const line of index) {
      assert.deepStrictEqual(line, sourceIndex.filter((l) => l.id === line.id).pop(), `index line of ${line.id}`)
    }

    // ---- metadata/thread_dynamic_tools.jsonl: the SQL rows of these threads
    const tools = jsonLines(files.get("metadata/thread_dynamic_tools.jsonl")?.bytes)
    assert.deepStrictEqual(tools, expected.synthesized === true ? [] : sqlDynamicTools(home, sortedIds(sessions)))

    // ---- metadata/path_localization.json and the skeleton
    const cwds = distinctCwds(sessions)
    const localization = JSON.parse(files.get("metadata/path_localization.json")!.bytes.toString("utf8"))
    assert.deepStrictEqual(Object.keys(localization).sort(), [
      "examples",
      "rule",
      "source_codex_home",
      "source_home",
      "source_platform"
    ])
    assert.include(localization.rule, "Documents")
    assert.deepStrictEqual(localization.examples, cwds)
    assert.strictEqual(localization.source_platform, process.platform)
    assert.strictEqual(localization.source_home, os.homedir())
    assert.strictEqual(localization.source_codex_home, home)
    assert.deepStrictEqual(JSON.parse(files.get("skeleton/required-directories.json")!.bytes.toString("utf8")), cwds)

    // ---- the human files
    const readme = files.get("README.md")!.bytes.toString("utf8")
    const install = files.get("INSTALL_REMOTE.md")!.bytes.toString("utf8")
    assert.include(readme, manifest.package_id)
    for (const s of sessions) assert.include(readme, s.threadId)
    for (const cwd of cwds) {
      assert.include(readme, cwd)
      assert.include(install, cwd)
    }

    // ---- skills, byte for byte
    for (const [entry, content] of expected.skills ?? []) assert.isTrue(files.get(entry)!.bytes.equals(content), entry)

    // ---- the exporter's answer
    assert.strictEqual(result.out, out)
    assert.strictEqual(result.format, tgz ? "tgz" : "directory")
    assert.isFalse(result.dryRun)
    assert.strictEqual(result.files, files.size)
    assert.strictEqual(result.bytes, listed.reduce((n, f) => n + f.size, 0))
    assert.deepStrictEqual(result.warnings, [])
    assert.deepStrictEqual(result.skills, expected.skillNames ?? [])
    assert.deepStrictEqual(result.excludedFiles, expected.excludedFiles ?? [])
    assert.deepStrictEqual(result.allowedFiles, [])
    assert.deepStrictEqual(result.skipped, expected.skipped ?? [])
    checkExportedSessions(home, result.sessions, sessions, expected.parentOf)

    // ---- the package reader and the inspection agree
    const verified = yield* PackageReader.verify(out)
    assert.strictEqual(verified.checksums, "verified")
    assert.strictEqual(verified.format, tgz ? "tgz" : "directory")
    assert.deepStrictEqual(verified.manifest, manifest)
    const inspection = yield* PackageInspection.inspect(out)
    assert.strictEqual(inspection.integrity, "verified")
    assert.strictEqual(inspection.producer, `sessionport ${VERSION}`)
    assert.strictEqual(inspection.files, files.size)
    assert.strictEqual(inspection.bytes, result.bytes)
    assert.deepStrictEqual(inspection.manifest, manifest)
    assert.deepStrictEqual(inspection.sessions.map((s) => s.entry).sort(), [...sessionEntries].sort())
    for (const s of sessions) {
      const inspected = inspection.sessions.find((i) => i.entry === `sessions/${baseName(s)}`)!
      assert.strictEqual(inspected.threadId, s.threadId)
      assert.strictEqual(inspected.cwd, s.cwd)
      assert.strictEqual(inspected.firstPrompt, firstPromptOf(s))
      assert.strictEqual(inspected.turns, turnsOf(s))
      assert.strictEqual(inspected.size, plainBytes(path.join(home, s.rollout)).length)
      assert.strictEqual(inspected.archived, s.archived)
      assert.strictEqual(inspected.name, s.name)
      assert.strictEqual(inspected.forkedFrom, s.parentId)
      assert.strictEqual(inspected.invalidLines, 0)
    }
    return { files, manifest }
  })

/** The `ExportedSession`s: one per exported thread, selected ones first. */
const checkExportedSessions = (
  home: string,
  exported: ReadonlyArray<Exporter.ExportedSession>,
  sessions: ReadonlyArray<FixtureSession>,
  parentOf: ReadonlyMap<string, string> = new Map()
) => {
  assert.deepStrictEqual(exported.map((s) => s.threadId).sort(), sortedIds(sessions))
  for (const s of sessions) {
    const e = exported.find((x) => x.threadId === s.threadId)!
    assert.deepStrictEqual(e, {
      threadId: s.threadId,
      cwd: s.cwd,
      title: firstPromptOf(s),
      name: s.name,
      archived: s.archived,
      entry: `sessions/${baseName(s)}`,
      size: fs.statSync(path.join(home, s.rollout)).size,
      parentOf: parentOf.get(s.threadId)
    })
  }
}

/**
 * Rows made from the rollouts alone: exactly the 25 baseline columns then the extras, with the
 * values of an independent reading of each rollout, which are Codex's own (from the committed
 * home) wherever they do not depend on where the home is and when its files were written.
 */
const checkSynthesizedRows = (
  home: string,
  rows: ReadonlyArray<Record<string, unknown>>,
  sessions: ReadonlyArray<FixtureSession>
) => {
  const codexRows = new Map(sqlThreads(copyFixtureHome()).map((row) => [row.id as string, row]))
  const PLACE_AND_TIME = ["rollout_path", "updated_at", "archived_at"]
  for (const s of sessions) {
    const row = rows.find((r) => r.id === s.threadId)!
    assert.deepStrictEqual(Object.keys(row), [...BASELINE_COLUMNS, ...EXTRA_COLUMNS], s.threadId)
    const expected = expectedRow(home, s)
    assert.deepStrictEqual(row, expected, s.threadId)
    assert.strictEqual(row.rollout_path, path.join(home, s.rollout).replace(/\.zst$/, ""))
    const comparable = BASELINE_COLUMNS.filter((column) => !PLACE_AND_TIME.includes(column))
    assert.deepStrictEqual(pick(row, comparable), pick(codexRows.get(s.threadId)!, comparable), `Codex's row of ${s.threadId}`)
    // the few values fixtures.json states too
    assert.strictEqual(row.source, s.source)
    assert.strictEqual(row.cwd, s.cwd)
    assert.strictEqual(row.title, firstPromptOf(s))
    assert.strictEqual(row.cli_version, fixtures.codexVersion)
    assert.strictEqual(row.archived_at, s.archived ? Math.floor(fs.statSync(path.join(home, s.rollout)).mtime.getTime() / 1000) : null)
  }
}

/** Adds two dynamic tools to the alpha thread and one to the beta one, in the copy's database. */
const addDynamicTools = (home: string) => {
  const db = openDatabase(path.join(home, "state_5.sqlite"))
  try {
    const insert = db.prepare(
      "INSERT INTO thread_dynamic_tools (thread_id, position, name, description, input_schema, defer_loading, namespace) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    insert.run(role("multi_turn_tools").threadId, 0, "lookup", "Looks things up", "{\"type\":\"object\"}", 0, null)
    insert.run(role("multi_turn_tools").threadId, 1, "deploy", "Ships it", "{\"type\":\"object\",\"properties\":{}}", 1, "ops")
    insert.run(role("beta_cwd").threadId, 0, "lookup", "Looks things up", "{}", 0, null)
  } finally {
    db.close()
  }
}

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.flip(effect)

// ---------------------------------------------------------------------------------------------

describe("Exporter", () => {
  describe("--all --include-archived", () => {
    for (const name of ["package.tgz", "package"]) {
      it.effect(`exports every thread of the fixture home (${name.endsWith(".tgz") ? ".tgz" : "folder"})`, () =>
        Effect.gen(function*() {
          const home = copyFixtureHome()
          addDynamicTools(home)
          assert.isNotEmpty(sqlDynamicTools(home, sortedIds(ALL)))
          const out = path.join(tempDir("out"), name)
          const req = request(out, { all: true, includeArchived: true })
          const startedAt = Date.now()
          const result = yield* runExport(home, req)
          const { manifest } = yield* checkPackage(result, { home, request: req, sessions: ALL, startedAt })
          assert.lengthOf(manifest.thread_ids, 6)
          // the package and the source agree on the archived thread
          assert.strictEqual(sqlThreads(home).find((r) => r.id === role("archived").threadId)!.archived, 1)
        }))
    }

    it.effect("an existing empty folder may receive a folder package", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const out = path.join(tempDir("out"), "empty")
        fs.mkdirSync(out)
        const req = request(out, { all: true, includeArchived: true })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        yield* checkPackage(result, { home, request: req, sessions: ALL, startedAt })
      }))
  })

  describe("selection", () => {
    it.effect("--all without --include-archived leaves the archived thread out", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const out = path.join(tempDir("out"), "active.tgz")
        const req = request(out, { all: true })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        yield* checkPackage(result, { home, request: req, sessions: ACTIVE, startedAt })
        assert.notInclude(result.sessions.map((s) => s.threadId), role("archived").threadId)
      }))

    it.effect("one thread id", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        addDynamicTools(home)
        const beta = role("beta_cwd")
        const out = path.join(tempDir("out"), "one.tgz")
        const req = request(out, { threadIds: [beta.threadId] })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        const { files } = yield* checkPackage(result, { home, request: req, sessions: [beta], startedAt })
        assert.lengthOf(jsonLines(files.get("metadata/thread_dynamic_tools.jsonl")?.bytes), 1)
        // no name in this selection
        assert.strictEqual(files.get("metadata/session_index.jsonl")!.bytes.length, 0)
      }))

    it.effect("a thread id in another case, or with blanks around it, is the same thread", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const named = role("named")
        const out = path.join(tempDir("out"), "upper")
        const req = request(out, { threadIds: [` ${named.threadId.toUpperCase()} `] })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        yield* checkPackage(result, { home, request: req, sessions: [named], startedAt })
      }))

    it.effect("an archived thread named by id is exported without --include-archived", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const archived = role("archived")
        const out = path.join(tempDir("out"), "archived.tgz")
        const req = request(out, { threadIds: [archived.threadId] })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        yield* checkPackage(result, { home, request: req, sessions: [archived], startedAt })
      }))

    it.effect("an unknown thread id fails with unknown_thread and writes nothing", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const dir = tempDir("out")
        const unknown = "01a1fd65-0000-7000-8000-000000000000"
        for (const threadIds of [[unknown], [role("beta_cwd").threadId, unknown]]) {
          const out = path.join(dir, "unknown.tgz")
          const error = yield* failure(runExport(home, request(out, { threadIds })))
          assert.instanceOf(error, Exporter.ExportError)
          assert.strictEqual((error as Exporter.ExportError).reason, "unknown_thread")
          assert.include(error.message, unknown)
          assert.notInclude(error.message, role("beta_cwd").threadId)
          assert.deepStrictEqual(fs.readdirSync(dir), [])
        }
        // also with --all: the id still has to exist
        const error = yield* failure(runExport(home, request(path.join(dir, "x"), { all: true, threadIds: [unknown] })))
        assert.strictEqual((error as Exporter.ExportError).reason, "unknown_thread")
        assert.deepStrictEqual(fs.readdirSync(dir), [])
      }))

    it.effect("--cwd alpha: the alpha sessions only; cwd_filter names it", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        addDynamicTools(home)
        const out = path.join(tempDir("out"), "alpha.tgz")
        const req = request(out, { cwds: [fixtures.source.alpha] })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        const alpha = ACTIVE.filter((s) => s.cwd === fixtures.source.alpha)
        assert.deepStrictEqual(sortedIds(alpha), [role("multi_turn_tools").threadId, fork.threadId].sort())
        const { files, manifest } = yield* checkPackage(result, { home, request: req, sessions: alpha, startedAt })
        assert.strictEqual(manifest.cwd_filter, fixtures.source.alpha)
        // beta's tool stays home
        assert.lengthOf(jsonLines(files.get("metadata/thread_dynamic_tools.jsonl")?.bytes), 2)
      }))

    it.effect("--cwd of the folder holding both projects: every non-archived session", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const projects = path.dirname(fixtures.source.alpha)
        assert.strictEqual(path.dirname(fixtures.source.beta), projects)
        const out = path.join(tempDir("out"), "projects")
        const req = request(out, { cwds: [projects] })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        const { manifest } = yield* checkPackage(result, { home, request: req, sessions: ACTIVE, startedAt })
        assert.strictEqual(manifest.cwd_filter, projects)
      }))

    it.effect("two --cwd: cwd_filter is null", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const out = path.join(tempDir("out"), "two.tgz")
        const req = request(out, { cwds: [fixtures.source.beta, fixtures.source.alpha], includeArchived: true })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        const { manifest } = yield* checkPackage(result, { home, request: req, sessions: ALL, startedAt })
        assert.isNull(manifest.cwd_filter)
      }))

    it.effect("--since: a date after every session selects nothing; an old session is left out", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const dir = tempDir("out")
        const newest = Math.max(...ALL.map((s) => fs.statSync(path.join(home, s.rollout)).mtimeMs))
        const late = new Date(newest + 1000)
        const error = yield* failure(runExport(home, request(path.join(dir, "late.tgz"), { all: true, includeArchived: true, since: late })))
        assert.instanceOf(error, Exporter.ExportError)
        assert.strictEqual((error as Exporter.ExportError).reason, "nothing_selected")
        assert.deepStrictEqual(fs.readdirSync(dir), [])

        // beta_cwd last active in 2020, everything else now
        const old = new Date(Date.UTC(2020, 0, 1))
        const now = new Date()
        for (const s of ALL) fs.utimesSync(path.join(home, s.rollout), now, now)
        const beta = role("beta_cwd")
        fs.utimesSync(path.join(home, beta.rollout), old, old)
        const since = new Date(Date.UTC(2025, 0, 1))
        const out = path.join(dir, "recent.tgz")
        const req = request(out, { all: true, since })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        const recent = ACTIVE.filter((s) => s.threadId !== beta.threadId)
        assert.lengthOf(recent, 4)
        const { manifest } = yield* checkPackage(result, { home, request: req, sessions: recent, startedAt })
        assert.strictEqual(manifest.selection.since, "2025-01-01T00:00:00.000Z")
      }))

    it.effect("nothing asked for (no --all, no id, no cwd) is nothing_selected", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const dir = tempDir("out")
        for (const patch of [{}, { includeArchived: true, includeSkills: true }]) {
          const error = yield* failure(runExport(home, request(path.join(dir, "none.tgz"), patch)))
          assert.instanceOf(error, Exporter.ExportError)
          assert.strictEqual((error as Exporter.ExportError).reason, "nothing_selected")
        }
        // a cwd nothing lives in
        const error = yield* failure(runExport(home, request(path.join(dir, "none"), { cwds: [path.join(fixtures.source.alpha, "src")] })))
        assert.strictEqual((error as Exporter.ExportError).reason, "nothing_selected")
        assert.deepStrictEqual(fs.readdirSync(dir), [])
      }))
  })

  describe("forks", () => {
    it.effect("selecting the fork alone brings its parent, whose file the fork's history_base points into", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        assert.strictEqual(fork.parentId, parent.threadId)
        const out = path.join(tempDir("out"), "fork.tgz")
        const req = request(out, { threadIds: [fork.threadId] })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        const { files, manifest } = yield* checkPackage(result, {
          home,
          request: req,
          sessions: [fork, parent],
          parentOf: new Map([[parent.threadId, fork.threadId]]),
          startedAt
        })
        // the selected fork first, then the parent it needs
        assert.deepStrictEqual(result.sessions.map((s) => s.threadId), [fork.threadId, parent.threadId])
        assert.deepStrictEqual(manifest.selection.thread_ids, [fork.threadId])
        // the fork's first line names the parent's prefix, which the package holds
        const forkFile = files.get(`sessions/${baseName(fork)}`)!.bytes.toString("utf8")
        const meta = JSON.parse(forkFile.split("\n", 1)[0]!)
        assert.deepStrictEqual(meta.payload.history_base, fixtureJson.forkHistoryBase)
        assert.strictEqual(meta.payload.history_base.thread_id, parent.threadId)
        const parentFile = files.get(`sessions/${baseName(parent)}`)!.bytes
        assert.isAtMost(meta.payload.history_base.end_byte_offset, parentFile.length)
        assert.strictEqual(parentFile[meta.payload.history_base.end_byte_offset - 1], 0x0a)
      }))

    it.effect("fork and parent both selected: nobody is marked parentOf", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const out = path.join(tempDir("out"), "both")
        const req = request(out, { threadIds: [parent.threadId, fork.threadId] })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        yield* checkPackage(result, { home, request: req, sessions: [fork, parent], startedAt })
      }))
  })

  describe("skills", () => {
    const addSkills = (home: string) => {
      const skill = path.join(home, "skills", "my-skill")
      fs.mkdirSync(path.join(skill, "scripts"), { recursive: true })
      fs.writeFileSync(path.join(skill, "SKILL.md"), "---\nname: my-skill\ndescription: test skill\n---\n# My skill\n")
      fs.writeFileSync(path.join(skill, "scripts", "run.sh"), "#!/bin/sh\necho run ✓\n", { mode: 0o755 })
      fs.writeFileSync(path.join(skill, "api_key.txt"), "sk-not-a-real-key\n")
      fs.mkdirSync(path.join(home, "skills", ".system"), { recursive: true })
      fs.writeFileSync(path.join(home, "skills", ".system", "x.md"), "# bundled\n")
      return new Map([
        ["skills/my-skill/SKILL.md", fs.readFileSync(path.join(skill, "SKILL.md"))],
        ["skills/my-skill/scripts/run.sh", fs.readFileSync(path.join(skill, "scripts", "run.sh"))]
      ])
    }

    it.effect("--include-skills carries the user's skills, never a credential, never .system", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const skills = addSkills(home)
        const out = path.join(tempDir("out"), "skills.tgz")
        const req = request(out, { threadIds: [role("named").threadId], includeSkills: true })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        const { files } = yield* checkPackage(result, {
          home,
          request: req,
          sessions: [role("named")],
          skills,
          skillNames: ["my-skill"],
          excludedFiles: [{ path: "skills/my-skill/api_key.txt", reason: "credential-name" }],
          startedAt
        })
        assert.isFalse([...files.keys()].some((name) => name.includes("api_key") || name.includes(".system")))
        // the home is left as it was
        assert.isTrue(fs.existsSync(path.join(home, "skills", "my-skill", "api_key.txt")))
      }))

    it.effect("without --include-skills there is no skills/", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        addSkills(home)
        const out = path.join(tempDir("out"), "noskills")
        const req = request(out, { threadIds: [role("named").threadId] })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        const { files } = yield* checkPackage(result, { home, request: req, sessions: [role("named")], startedAt })
        assert.isFalse([...files.keys()].some((name) => name.startsWith("skills/")))
        assert.isFalse(fs.existsSync(path.join(out, "skills")))
      }))

    // creating symlinks needs privileges on Windows
    it.effect.skipIf(process.platform === "win32")("symlinks inside skills are not followed, files or folders", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const skills = addSkills(home)
        const outside = tempDir("outside")
        fs.writeFileSync(path.join(outside, "private.md"), "not part of any skill\n")
        fs.mkdirSync(path.join(outside, "nested"))
        fs.writeFileSync(path.join(outside, "nested", "deep.md"), "nor this\n")
        const skill = path.join(home, "skills", "my-skill")
        fs.symlinkSync(path.join(outside, "private.md"), path.join(skill, "linked.md"))
        fs.symlinkSync(outside, path.join(skill, "linked-dir"), "dir")
        // a loop back to the skill itself
        fs.symlinkSync(skill, path.join(skill, "scripts", "loop"), "dir")
        // a whole skill that is a link to a folder elsewhere
        fs.symlinkSync(outside, path.join(home, "skills", "linked-skill"), "dir")
        const out = path.join(tempDir("out"), "links.tgz")
        const req = request(out, { threadIds: [role("named").threadId], includeSkills: true })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        yield* checkPackage(result, {
          home,
          request: req,
          sessions: [role("named")],
          skills,
          skillNames: ["my-skill"],
          excludedFiles: [{ path: "skills/my-skill/api_key.txt", reason: "credential-name" }],
          startedAt
        })
      }))
  })

  it.effect("a home without state_5.sqlite: rows are made from the rollouts", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome({ withDatabase: false })
      assert.isFalse(fs.readdirSync(home).some((name) => name.startsWith("state_5.sqlite")))
      const out = path.join(tempDir("out"), "nodb.tgz")
      const req = request(out, { all: true, includeArchived: true })
      const startedAt = Date.now()
      const result = yield* runExport(home, req)
      yield* checkPackage(result, { home, request: req, sessions: ALL, synthesized: true, startedAt })
    }))

  describe("rows the baseline tools can install", () => {
    const threadsOf = (out: string) => jsonLines(packageFiles(out).get("metadata/threads.jsonl")?.bytes)

    it.effect("a database of an older schema: its rows get the columns it lacks, after their own", () =>
      Effect.gen(function*() {
        const home = olderSchemaHome()
        const codexRows = new Map(sqlThreads(home).map((row) => [row.id as string, row]))
        assert.isFalse(LATE_COLUMNS.some((column) => column in codexRows.values().next().value!))
        const out = path.join(tempDir("out"), "old.tgz")
        yield* runExport(home, request(out, { all: true, includeArchived: true }))
        const rows = threadsOf(out)
        assert.deepStrictEqual(rows.map((r) => r.id).sort(), sortedIds(ALL))
        for (const s of ALL) {
          const row = rows.find((r) => r.id === s.threadId)!
          const own = codexRows.get(s.threadId)!
          // its own columns (in the order the row is read in), then the missing ones in the baseline's
          assert.deepStrictEqual(Object.keys(row).slice(0, -LATE_COLUMNS.length).sort(), Object.keys(own).sort(), s.threadId)
          assert.deepStrictEqual(Object.keys(row).slice(-LATE_COLUMNS.length), [...LATE_COLUMNS], s.threadId)
          assert.deepStrictEqual(row, { ...own, ...pick(expectedRow(home, s), LATE_COLUMNS) }, s.threadId)
        }
      }))

    it.effect("a row naming the .jsonl.zst names the .jsonl it travels as; nothing else changes", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const zst = role("zst")
        const db = openDatabase(path.join(home, "state_5.sqlite"))
        try {
          db.prepare("UPDATE threads SET rollout_path = rollout_path || '.zst' WHERE id = ?").run(zst.threadId)
        } finally {
          db.close()
        }
        const own = sqlThreads(home).find((row) => row.id === zst.threadId)!
        assert.match(own.rollout_path as string, /\.jsonl\.zst$/)
        const out = path.join(tempDir("out"), "zst")
        yield* runExport(home, request(out, { threadIds: [zst.threadId] }))
        assert.deepStrictEqual(fs.readdirSync(path.join(out, "sessions")), [baseName(zst)])
        const [line] = jsonLines(fs.readFileSync(path.join(out, "metadata", "threads.jsonl")))
        assert.deepStrictEqual(line, { ...own, rollout_path: (own.rollout_path as string).slice(0, -".zst".length) })
      }))

    it.effect("a session Codex never indexed: its row is read from the whole rollout, as Codex reads it", () =>
      Effect.gen(function*() {
        const home = tempDir()
        const [id, other, images] = [uuid(1), uuid(2), uuid(3)]
        const line = (type: string, payload: Record<string, unknown>) => ({ timestamp: "2026-01-01T00:00:01.000Z", type, payload })
        const tokens = (total: number | undefined) =>
          line("event_msg", { type: "token_count", info: total === undefined ? null : { total_token_usage: { total_tokens: total } } })
        const file = writeRollout(home, id, new Date(Date.UTC(2026, 0, 1)), [
          sessionMeta({
            id,
            cwd: "/work/p",
            source: { subagent: "review" },
            model_provider: "azure",
            agent_nickname: "Ada",
            agent_role: "worker",
            agent_path: "/root/ada",
            memory_mode: "disabled"
          }),
          line("turn_context", {
            cwd: "/work/p",
            approval_policy: "untrusted",
            sandbox_policy: { type: "workspace-write", writable_roots: ["/work/p"] },
            model: "gpt-a",
            effort: "high"
          }),
          userMessage("<environment_context>injected</environment_context>"),
          userMessage("## My request for Codex:\n  the first question  "),
          tokens(500),
          "this line is not JSON",
          // a parent's session_meta, which a fork carries after its own: not this thread's
          sessionMeta({ id: other, cwd: "/elsewhere", memory_mode: "polluted", agent_path: "/root/other" }),
          line("turn_context", {
            cwd: "/work/p/sub",
            approval_policy: { granular: { sandbox_approval: true } },
            sandbox_policy: { mode: "read-only" },
            model: "gpt-b"
          }),
          tokens(undefined),
          userMessage("the second question")
        ])
        // images only, then text in paginated items, and no turn_context: Codex's defaults
        const imagesFile = writeRollout(home, images, new Date(Date.UTC(2026, 0, 2)), [
          sessionMeta({ id: images, cwd: "/work/q" }),
          userItem([{ type: "image", image_url: "data:image/png;base64,AA==" }]),
          userItem([{ type: "text", text: "what is in it?" }])
        ])
        const out = path.join(tempDir("out"), "made.tgz")
        yield* runExport(home, request(out, { all: true }))
        const rows = threadsOf(out)
        const mtime = (f: string) => fs.statSync(f).mtime.getTime()
        const common = (f: string) => ({
          rollout_path: f,
          created_at: Math.floor(Date.UTC(2026, 0, 1) / 1000),
          updated_at: Math.floor(mtime(f) / 1000),
          archived: 0,
          archived_at: null,
          git_sha: null,
          git_branch: null,
          git_origin_url: null,
          cli_version: "0.120.0"
        })
        assert.deepStrictEqual(rows.find((r) => r.id === id), {
          id,
          ...common(file),
          source: "{\"subagent\":\"review\"}",
          model_provider: "azure",
          cwd: "/work/p",
          title: "the first question",
          sandbox_policy: "{\"mode\":\"read-only\"}",
          approval_mode: "{\"granular\":{\"sandbox_approval\":true}}",
          tokens_used: 500,
          has_user_event: 1,
          first_user_message: "the first question",
          agent_nickname: "Ada",
          agent_role: "worker",
          memory_mode: "disabled",
          model: "gpt-b",
          reasoning_effort: null,
          agent_path: "/root/ada",
          created_at_ms: Date.UTC(2026, 0, 1),
          updated_at_ms: mtime(file),
          preview: "the first question"
        } as Record<string, unknown>)
        const imageRow = rows.find((r) => r.id === images)!
        assert.deepStrictEqual(pick(imageRow, BASELINE_COLUMNS), {
          id: images,
          ...common(imagesFile),
          source: "cli",
          model_provider: "openai",
          cwd: "/work/q",
          title: "what is in it?",
          sandbox_policy: "{\"type\":\"read-only\"}",
          approval_mode: "on-request",
          tokens_used: 0,
          has_user_event: 0,
          first_user_message: "[Image]",
          agent_nickname: null,
          agent_role: null,
          memory_mode: "enabled",
          model: null,
          reasoning_effort: null,
          agent_path: null
        } as Record<string, unknown>)
      }))

    it.effect("a line too long to decode does not stop the row: it is copied, and the lines after it are read", () =>
      Effect.gen(function*() {
        const home = tempDir()
        const id = uuid(1)
        const output = (text: string) => ({
          timestamp: "2026-01-01T00:00:01.000Z",
          type: "response_item",
          payload: { type: "function_call_output", call_id: "c", output: text }
        })
        const file = writeRollout(home, id, new Date(Date.UTC(2026, 0, 1)), [
          sessionMeta({ id, cwd: "/work/p" }),
          userMessage("hello"),
          // over the 12 MiB a line is decoded up to, and holding a word the row is read from
          output(`token_count ${"x".repeat(12 * 1024 * 1024)}`),
          { timestamp: "2026-01-01T00:00:02.000Z", type: "event_msg", payload: { type: "token_count", info: { total_token_usage: { total_tokens: 42 } } } }
        ])
        const out = path.join(tempDir("out"), "long")
        yield* runExport(home, request(out, { all: true }))
        assert.isTrue(fs.readFileSync(path.join(out, "sessions", path.basename(file))).equals(fs.readFileSync(file)))
        const [row] = jsonLines(fs.readFileSync(path.join(out, "metadata", "threads.jsonl")))
        assert.strictEqual(row!.tokens_used, 42)
        assert.strictEqual(row!.title, "hello")
      }), 60_000)
  })

  it.effect("a dry run writes nothing and answers the same sessions", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const dir = tempDir("out")
      const out = path.join(dir, "dry.tgz")
      const dry = yield* runExport(home, request(out, { threadIds: [fork.threadId], dryRun: true }))
      assert.deepStrictEqual(fs.readdirSync(dir), [])
      assert.isTrue(dry.dryRun)
      assert.strictEqual(dry.out, out)
      assert.strictEqual(dry.format, "tgz")
      assert.strictEqual(dry.files, 0)
      assert.strictEqual(dry.bytes, 0)
      assert.match(dry.packageId, UUID_V7)
      checkExportedSessions(home, dry.sessions, [fork, parent], new Map([[parent.threadId, fork.threadId]]))

      const real = yield* runExport(home, request(out, { threadIds: [fork.threadId] }))
      assert.deepStrictEqual(dry.sessions, real.sessions)

      const all = yield* runExport(home, request(path.join(dir, "dry-all"), { all: true, includeArchived: true, dryRun: true }))
      checkExportedSessions(home, all.sessions, ALL)
      assert.deepStrictEqual(fs.readdirSync(dir), ["dry.tgz"])
    }))

  it.effect("an existing destination is refused (destination_exists) and left untouched", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const dir = tempDir("out")
      const file = path.join(dir, "taken.tgz")
      fs.writeFileSync(file, "mine, keep out\n")
      const folder = path.join(dir, "taken")
      fs.mkdirSync(folder)
      fs.writeFileSync(path.join(folder, "notes.txt"), "also mine\n")
      for (const out of [file, folder]) {
        const error = yield* failure(runExport(home, request(out, { all: true })))
        assert.instanceOf(error, PackageError.PackageError)
        assert.strictEqual((error as PackageError.PackageError).reason, "destination_exists")
      }
      assert.strictEqual(fs.readFileSync(file, "utf8"), "mine, keep out\n")
      assert.deepStrictEqual(fs.readdirSync(folder), ["notes.txt"])
      assert.strictEqual(fs.readFileSync(path.join(folder, "notes.txt"), "utf8"), "also mine\n")
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["taken", "taken.tgz"])
    }))

  describe("unreadable sessions", () => {
    // a day after the fixture's sessions, so listed after them
    const day = (second: number) => new Date(Date.UTC(2026, 10, 22, 8, 0, second))
    const plantEmpty = (home: string, n: number) => {
      const file = rolloutPath(home, uuid(n), day(n))
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, "")
      return file
    }
    // the session_meta line itself damaged: Codex too finds no session_meta in the first lines
    const plantNotJson = (home: string, n: number) =>
      writeRollout(home, uuid(n), day(n), ["{\"timestamp\":\"2026-11-22T08:00:00Z\",\"type\":\"session_me", userMessage("hello")])
    const EMPTY = "the file is empty"
    const NOT_JSON = "its first line is not JSON, and no session_meta is in its first 10 lines"
    const rel = (home: string, file: string) => path.relative(home, file).split(path.sep).join("/")
    const exportError = (error: unknown) => {
      assert.instanceOf(error, Exporter.ExportError)
      return error as Exporter.ExportError
    }

    it.effect("--all refuses them, naming each and why; nothing is written, dry run included", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const empty = plantEmpty(home, 1)
        const notJson = plantNotJson(home, 2)
        const dir = tempDir("out")
        for (const dryRun of [false, true]) {
          const error = exportError(yield* failure(runExport(home, request(path.join(dir, "all.tgz"), { all: true, dryRun }))))
          assert.strictEqual(error.reason, "unreadable_sessions")
          assert.strictEqual(
            error.message,
            `2 sessions are unreadable: ${uuid(1)}: ${EMPTY} (${rel(home, empty)}); ${uuid(2)}: ${NOT_JSON} (${
              rel(home, notJson)
            }); pass --skip-unreadable to export without them`
          )
          assert.deepStrictEqual(error.unreadable, [
            { threadId: uuid(1), path: empty, reason: EMPTY },
            { threadId: uuid(2), path: notJson, reason: NOT_JSON }
          ])
        }
        assert.deepStrictEqual(fs.readdirSync(dir), [])
      }))

    it.effect("--skip-unreadable exports the others and lists the ones left out", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const empty = plantEmpty(home, 1)
        const notJson = plantNotJson(home, 2)
        const out = path.join(tempDir("out"), "rest.tgz")
        const req = request(out, { all: true, includeArchived: true, skipUnreadable: true })
        const startedAt = Date.now()
        const result = yield* runExport(home, req)
        yield* checkPackage(result, {
          home,
          request: req,
          sessions: ALL,
          skipped: [
            { threadId: uuid(1), path: empty, reason: EMPTY },
            { threadId: uuid(2), path: notJson, reason: NOT_JSON }
          ],
          startedAt
        })
      }))

    it.effect("a thread id of an unreadable session: it is unreadable, not unknown", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const empty = plantEmpty(home, 1)
        const dir = tempDir("out")
        const error = exportError(yield* failure(runExport(home, request(path.join(dir, "one.tgz"), { threadIds: [uuid(1)] }))))
        assert.strictEqual(error.reason, "unreadable_sessions")
        assert.strictEqual(
          error.message,
          `session ${uuid(1)} is unreadable: ${EMPTY} (${rel(home, empty)}); pass --skip-unreadable to export without it`
        )
        // skipping the only one selected leaves nothing to export
        const skipped = exportError(
          yield* failure(runExport(home, request(path.join(dir, "one.tgz"), { threadIds: [uuid(1)], skipUnreadable: true })))
        )
        assert.strictEqual(skipped.reason, "nothing_selected")
        assert.include(skipped.message, "1 unreadable left out")
        assert.deepStrictEqual(fs.readdirSync(dir), [])
      }))

    it.effect("many: the first three are named, the rest counted", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const files = [1, 2, 3, 4, 5].map((n) => plantEmpty(home, n))
        const error = exportError(yield* failure(runExport(home, request(path.join(tempDir("out"), "x.tgz"), { all: true }))))
        const named = [0, 1, 2].map((i) => `${uuid(i + 1)}: ${EMPTY} (${rel(home, files[i]!)})`).join("; ")
        assert.strictEqual(
          error.message,
          `5 sessions are unreadable: ${named}; and 2 more; pass --skip-unreadable to export without them`
        )
        assert.lengthOf(error.unreadable ?? [], 5)
      }))

    it.effect("a head line over the limit makes a session unreadable", () =>
      Effect.gen(function*() {
        const home = tempDir()
        const [long, short] = [uuid(1), uuid(2)]
        // longer than the limit, which is longer than one read of the head
        const prompt = userMessage("x".repeat(120_000))
        const file = writeRollout(home, long, day(1), [sessionMeta({ id: long, cwd: "/p" }), prompt])
        writeRollout(home, short, day(2), [sessionMeta({ id: short, cwd: "/p" }), userMessage("hi")])
        const layer = Exporter.layerHome({ root: home, headLineLimit: 100_000 }).pipe(
          Layer.provide(Layer.merge(NodeContext.layer, Progress.none))
        )
        const run = (req: Exporter.ExportRequest) => Effect.flatMap(Exporter.Exporter, (e) => e.export(req)).pipe(Effect.provide(layer))
        const out = path.join(tempDir("out"), "x.tgz")
        const error = exportError(yield* failure(run(request(out, { all: true }))))
        const bytes = Buffer.byteLength(JSON.stringify(prompt))
        const skipped = [{
          threadId: long,
          path: file,
          reason: `line 2 is ${bytes} bytes, over the 100000 bytes limit on a line sessionport decodes`
        }]
        assert.deepStrictEqual(error.unreadable, skipped)
        const result = yield* run(request(out, { all: true, skipUnreadable: true }))
        assert.deepStrictEqual(result.sessions.map((s) => s.threadId), [short])
        assert.deepStrictEqual(result.skipped, skipped)
      }))

    it.effect("a fork's unreadable parent is refused, or skipped with a warning", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const parentFile = path.join(home, parent.rollout)
        fs.truncateSync(parentFile, 0)
        const dir = tempDir("out")
        const error = exportError(yield* failure(runExport(home, request(path.join(dir, "fork.tgz"), { threadIds: [fork.threadId] }))))
        assert.deepStrictEqual(error.unreadable, [{ threadId: parent.threadId, path: parentFile, reason: EMPTY }])
        assert.deepStrictEqual(fs.readdirSync(dir), [])

        const result = yield* runExport(home, request(path.join(dir, "fork.tgz"), { threadIds: [fork.threadId], skipUnreadable: true }))
        assert.deepStrictEqual(result.sessions.map((s) => s.threadId), [fork.threadId])
        assert.deepStrictEqual(result.skipped, [{ threadId: parent.threadId, path: parentFile, reason: EMPTY }])
        assert.deepStrictEqual(result.warnings, [
          `a fork in this package needs session ${parent.threadId}, which is unreadable; the fork will show only its own turns`
        ])
      }))

    it.effect("--cwd: matched by the threads row; with no row its folder is unknown, so it is named", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const dir = tempDir("out")
        const beta = role("beta_cwd")
        const betaFile = path.join(home, beta.rollout)
        fs.truncateSync(betaFile, 0)
        const alpha = yield* runExport(home, request(path.join(dir, "alpha"), { cwds: [fixtures.source.alpha], dryRun: true }))
        assert.deepStrictEqual(alpha.skipped, [])
        const error = exportError(yield* failure(runExport(home, request(path.join(dir, "beta"), { cwds: [fixtures.source.beta] }))))
        assert.deepStrictEqual(error.unreadable, [{ threadId: beta.threadId, path: betaFile, reason: EMPTY }])

        const stray = plantEmpty(home, 1)
        const strayError = exportError(
          yield* failure(runExport(home, request(path.join(dir, "alpha"), { cwds: [fixtures.source.alpha] })))
        )
        assert.deepStrictEqual(strayError.unreadable, [{ threadId: uuid(1), path: stray, reason: EMPTY }])
        assert.deepStrictEqual(fs.readdirSync(dir), [])
      }))
  })

  it.effect("a session appended to after listing exports the prefix seen at listing", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const named = role("named")
      const file = path.join(home, named.rollout)
      const before = fs.readFileSync(file)
      const appended = JSON.stringify({ timestamp: new Date().toISOString(), type: "event_msg", payload: { type: "token_count" } }) + "\n"
      // progress starts after the listing and before any rollout is read: Codex appends right then
      const appending = Layer.succeed(Progress.Progress, {
        start: () =>
          Effect.sync(() => {
            fs.appendFileSync(file, appended)
            return { advance: () => {}, done: Effect.void }
          })
      })
      const out = path.join(tempDir("out"), "live.tgz")
      const result = yield* runExport(home, request(out, { threadIds: [named.threadId] }), appending)
      assert.strictEqual(fs.statSync(file).size, before.length + Buffer.byteLength(appended))
      const files = packageFiles(out)
      const packed = files.get(`sessions/${baseName(named)}`)!.bytes
      assert.isTrue(packed.equals(before))
      assert.strictEqual(result.sessions[0]!.size, before.length)
      const verified = yield* PackageReader.verify(out)
      assert.strictEqual(verified.files.find((f) => f.path === `sessions/${baseName(named)}`)!.sha256, sha256(before))
    }))
})
