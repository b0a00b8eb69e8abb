/**
 * Inspection of packages made from the real-Codex fixture home (fixtures/codex, Codex 0.169).
 * package-format cannot depend on the exporter (codex-home depends on it), so the packages are
 * assembled here by hand, in the exporter's layout, from a copy of the home: rollouts byte for
 * byte, `threads` rows read with plain SQL, checksums with node:crypto. (Exporter.test.ts in
 * codex-home inspects what the exporter itself writes.) Expected values come from fixtures.json
 * and plain node:fs reads.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
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
import { entriesOf, sha256, writeFolder, writeTgz } from "@sessionport/codex-oracle/PackageBuilders"
import { PackageError, PackageInspection } from "@sessionport/package-format"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

afterAll(removeTemps)

const VERSION = (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "..", "package.json"), "utf8")) as { version: string })
  .version

const fork = fixtureByRole("forked")
const parent = fixtureByRole("forked_parent")
const baseName = (s: FixtureSession) => path.basename(s.rollout)
const entryOf = (s: FixtureSession) => `sessions/${baseName(s)}`
/** The rollout file itself: a fork's file holds only its own turn (its history is the parent's prefix). */
const firstPromptOf = (s: FixtureSession) => s.parentId === undefined ? s.prompts[0]! : s.prompts[s.prompts.length - 1]!
const turnsOf = (s: FixtureSession) => s.parentId === undefined ? s.prompts.length : 1
const cwdsOf = (sessions: ReadonlyArray<FixtureSession>) => [...new Set(sessions.map((s) => s.cwd))].sort()
const jsonl = (rows: ReadonlyArray<unknown>) => rows.map((row) => JSON.stringify(row) + "\n").join("")

const DEFERRED = [
  "logs_2.sqlite",
  "state_5.sqlite.stage1_outputs",
  "memories_1.sqlite",
  "goals_1.sqlite",
  "thread_history_1.sqlite",
  ".codex-global-state.json"
]

/** The files (manifest aside) of a package of `sessions` from `home`, in the exporter's layout. */
const packageFiles = (home: string, sessions: ReadonlyArray<FixtureSession>): Record<string, Buffer> => {
  const ids = new Set(sessions.map((s) => s.threadId))
  const rows = sqlThreads(home).filter((row) => ids.has(row.id as string))
  const index = fs.readFileSync(path.join(home, "session_index.jsonl"), "utf8").split("\n")
    .filter((line) => line !== "" && ids.has((JSON.parse(line) as { id: string }).id))
  const cwds = cwdsOf(sessions)
  const files: Record<string, Buffer> = {
    "README.md": Buffer.from(`# Codex session package\n\n${sessions.map((s) => `- ${s.threadId}`).join("\n")}\n`),
    "INSTALL_REMOTE.md": Buffer.from("# Installing this package\n"),
    "metadata/threads.jsonl": Buffer.from(jsonl(rows)),
    "metadata/session_index.jsonl": Buffer.from(index.map((line) => line + "\n").join("")),
    "metadata/thread_dynamic_tools.jsonl": Buffer.alloc(0),
    "metadata/path_localization.json": Buffer.from(JSON.stringify({ rule: "replace path prefix", examples: cwds }, null, 2) + "\n"),
    "skeleton/required-directories.json": Buffer.from(JSON.stringify(cwds, null, 2) + "\n")
  }
  for (const s of sessions) files[entryOf(s)] = fs.readFileSync(path.join(home, s.rollout))
  return files
}

/** A sessionport manifest: the eight shared fields, then the additive ones with every file's checksum. */
const sessionportManifest = (home: string, sessions: ReadonlyArray<FixtureSession>, files: Record<string, Buffer>) => ({
  format_version: 1,
  package_kind: "session-skill-package",
  minimum_working_set_only: true,
  cwd_filter: null,
  thread_ids: sessions.map((s) => s.threadId).sort(),
  skills_included: [],
  deferred_components: DEFERRED,
  preferred_installer_skill: "sessionport",
  package_id: "019a0000-0000-7000-8000-0000000000aa",
  created_at: "2026-11-21T10:00:00.000Z",
  producer: { name: "sessionport", version: VERSION },
  source: { platform: "linux", codex_home: home },
  selection: {
    all: true,
    thread_ids: [],
    cwds: [],
    since: null,
    include_archived: true,
    include_skills: false
  },
  files: Object.entries(files).map(([file, bytes]) => ({ path: file, size: bytes.length, sha256: sha256(bytes) }))
})

const stringify = (manifest: unknown) => JSON.stringify(manifest, null, 2) + "\n"

const writeFolderPackage = (files: Record<string, Buffer>, manifest: unknown, name = "package") =>
  writeFolder(tempDir("pkg"), { ...files, "package_manifest.json": stringify(manifest) }, name)

const writeTgzPackage = (files: Record<string, Buffer>, manifest: unknown) =>
  Effect.promise(() => writeTgz(tempDir("pkg"), entriesOf(files, stringify(manifest))))

/** Non-empty lines of a plain rollout, read with node:fs. */
const lineCount = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter((line) => line !== "").length

const checkSessions = (
  home: string,
  inspection: PackageInspection.Inspection,
  sessions: ReadonlyArray<FixtureSession>,
  archived: (s: FixtureSession) => boolean = (s) => s.archived
) => {
  assert.deepStrictEqual(inspection.sessions.map((s) => s.entry).sort(), sessions.map(entryOf).sort())
  for (const s of sessions) {
    const inspected = inspection.sessions.find((i) => i.entry === entryOf(s))!
    const file = path.join(home, s.rollout)
    assert.strictEqual(inspected.threadId, s.threadId, s.rollout)
    assert.strictEqual(inspected.cwd, s.cwd)
    assert.strictEqual(inspected.firstPrompt, firstPromptOf(s))
    assert.strictEqual(inspected.turns, turnsOf(s))
    assert.strictEqual(inspected.size, fs.statSync(file).size)
    assert.strictEqual(inspected.archived, archived(s))
    assert.strictEqual(inspected.name, s.name)
    assert.strictEqual(inspected.forkedFrom, s.parentId)
    assert.strictEqual(inspected.invalidLines, 0)
    if (s.compressed) assert.isAbove(inspected.lines, 0)
    else assert.strictEqual(inspected.lines, lineCount(file))
  }
}

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.flip(effect)

describe("PackageInspection", () => {
  describe("a sessionport package of the whole fixture home", () => {
    it("holds what the fixture says", () => {
      // the expectations themselves, from fixtures.json
      assert.strictEqual(fixtureThreads.length, 6)
      assert.strictEqual(fork.parentId, parent.threadId)
      assert.strictEqual(turnsOf(parent), 3)
      assert.strictEqual(firstPromptOf(fork), "In this fork, count the lines of the notes.")
      assert.strictEqual(fixtureByRole("named").name, "Release checklist")
    })

    for (const format of ["directory", "tgz"] as const) {
      it.effect(`inspects every session, integrity verified (${format})`, () =>
        Effect.gen(function*() {
          const home = copyFixtureHome()
          const files = packageFiles(home, fixtureThreads)
          const manifest = sessionportManifest(home, fixtureThreads, files)
          const pkg = format === "tgz" ? yield* writeTgzPackage(files, manifest) : writeFolderPackage(files, manifest)
          const inspection = yield* PackageInspection.inspect(pkg)
          assert.strictEqual(inspection.path, pkg)
          assert.strictEqual(inspection.format, format)
          assert.strictEqual(inspection.integrity, "verified")
          assert.strictEqual(inspection.producer, `sessionport ${VERSION}`)
          assert.deepStrictEqual(inspection.manifest, manifest)
          assert.strictEqual(inspection.files, Object.keys(files).length + 1)
          assert.strictEqual(inspection.bytes, Object.values(files).reduce((n, bytes) => n + bytes.length, 0))
          checkSessions(home, inspection, fixtureThreads)
          // spelled out for the fork and its parent
          const byId = new Map(inspection.sessions.map((s) => [s.threadId, s]))
          assert.strictEqual(byId.get(fork.threadId)!.turns, 1)
          assert.strictEqual(byId.get(fork.threadId)!.firstPrompt, fork.prompts[fork.prompts.length - 1])
          assert.strictEqual(byId.get(fork.threadId)!.forkedFrom, parent.threadId)
          assert.strictEqual(byId.get(parent.threadId)!.turns, 3)
          assert.strictEqual(byId.get(parent.threadId)!.firstPrompt, parent.prompts[0])
          assert.strictEqual(byId.get(fixtureByRole("named").threadId)!.name, "Release checklist")
          assert.isTrue(byId.get(fixtureByRole("archived").threadId)!.archived)
        }))
    }

    it.effect("an archived compressed rollout, whose row names the plain .jsonl, is archived", () =>
      Effect.gen(function*() {
        // Codex archives a compressed thread: the file moves, its row keeps the plain name
        const home = copyFixtureHome()
        const zst = fixtureByRole("zst")
        const archivedPath = path.join("archived_sessions", baseName(zst))
        fs.renameSync(path.join(home, zst.rollout), path.join(home, archivedPath))
        const db = openDatabase(path.join(home, "state_5.sqlite"))
        db.prepare("UPDATE threads SET archived = 1, archived_at = 1795252700, rollout_path = ? WHERE id = ?").run(
          path.join(fixtures.source.root, "home", archivedPath).replace(/\.zst$/, ""),
          zst.threadId
        )
        db.close()
        const moved: FixtureSession = { ...zst, rollout: archivedPath, archived: true }
        const row = sqlThreads(home).find((r) => r.id === zst.threadId)!
        assert.isTrue((row.rollout_path as string).endsWith(".jsonl"))
        const files = packageFiles(home, [moved])
        const inspection = yield* PackageInspection.inspect(writeFolderPackage(files, sessionportManifest(home, [moved], files)))
        assert.strictEqual(inspection.integrity, "verified")
        checkSessions(home, inspection, [moved])
      }))
  })

  describe("a codex-session-transfer package (the eight shared fields, no checksums)", () => {
    it.effect("inspects with integrity unverified", () =>
      Effect.gen(function*() {
        const home = copyFixtureHome()
        const sessions = [fixtureByRole("beta_cwd"), fixtureByRole("named"), fixtureByRole("zst")]
        const all = packageFiles(home, sessions)
        // what codex-session-transfer writes: no skeleton, no dynamic tools, no docs of ours
        const files: Record<string, Buffer> = {}
        for (const [name, bytes] of Object.entries(all)) {
          if (name.startsWith("sessions/") || name.startsWith("metadata/")) files[name] = bytes
        }
        delete files["metadata/thread_dynamic_tools.jsonl"]
        const manifest = {
          format_version: 1,
          package_kind: "session-skill-package",
          minimum_working_set_only: true,
          cwd_filter: fixtures.source.beta,
          thread_ids: sessions.map((s) => s.threadId),
          skills_included: [],
          deferred_components: DEFERRED,
          preferred_installer_skill: "codex-session-transfer"
        }
        const pkg = writeFolderPackage(files, manifest, "codex-session-transfer-package")
        const inspection = yield* PackageInspection.inspect(pkg)
        assert.strictEqual(inspection.format, "directory")
        assert.strictEqual(inspection.integrity, "unverified")
        assert.include(inspection.producer, "codex-session-transfer")
        assert.deepStrictEqual(inspection.manifest, manifest)
        assert.deepStrictEqual(Object.keys(inspection.manifest).sort(), Object.keys(manifest).sort())
        assert.strictEqual(inspection.files, Object.keys(files).length + 1)
        assert.strictEqual(inspection.bytes, Object.values(files).reduce((n, bytes) => n + bytes.length, 0))
        checkSessions(home, inspection, sessions)
      }))
  })

  describe("a tampered package fails", () => {
    const build = () => {
      const home = copyFixtureHome()
      const sessions = [parent, fork, fixtureByRole("named")]
      const files = packageFiles(home, sessions)
      return { home, files, manifest: sessionportManifest(home, sessions, files) }
    }
    const expectError = (error: unknown, reason: PackageError.PackageError["reason"], entry: string) => {
      assert.instanceOf(error, PackageError.PackageError)
      assert.strictEqual((error as PackageError.PackageError).reason, reason)
      assert.strictEqual((error as PackageError.PackageError).entry, entry)
    }
    /** The same bytes with one changed in the middle. */
    const flipped = (bytes: Buffer) => {
      const copy = Buffer.from(bytes)
      const at = Math.floor(copy.length / 2)
      copy[at] = copy[at] === 0x61 ? 0x62 : 0x61
      return copy
    }

    it.effect("one byte of a session changed, same size (folder and .tgz)", () =>
      Effect.gen(function*() {
        const { files, manifest } = build()
        const entry = entryOf(fork)
        const tampered = { ...files, [entry]: flipped(files[entry]!) }
        assert.strictEqual(tampered[entry]!.length, files[entry]!.length)
        expectError(yield* failure(PackageInspection.inspect(writeFolderPackage(tampered, manifest))), "checksum_mismatch", entry)
        expectError(yield* failure(PackageInspection.inspect(yield* writeTgzPackage(tampered, manifest))), "checksum_mismatch", entry)
      }))

    it.effect("a session that grew, or edited metadata", () =>
      Effect.gen(function*() {
        const { files, manifest } = build()
        const entry = entryOf(parent)
        const grown = { ...files, [entry]: Buffer.concat([files[entry]!, Buffer.from("{\"type\":\"event_msg\"}\n")]) }
        expectError(yield* failure(PackageInspection.inspect(writeFolderPackage(grown, manifest))), "checksum_mismatch", entry)
        const threads = "metadata/threads.jsonl"
        const edited = { ...files, [threads]: Buffer.from(files[threads]!.toString("utf8").replace(fixtures.source.alpha, "/elsewhere/alpha")) }
        expectError(yield* failure(PackageInspection.inspect(yield* writeTgzPackage(edited, manifest))), "checksum_mismatch", threads)
      }))

    it.effect("a file added or removed behind the manifest's back", () =>
      Effect.gen(function*() {
        const { files, manifest } = build()
        const extra = "sessions/rollout-2026-11-21T09-17-14-01a1fd65-0000-7000-8000-000000000000.jsonl"
        const added = { ...files, [extra]: files[entryOf(fixtureByRole("named"))]! }
        expectError(yield* failure(PackageInspection.inspect(writeFolderPackage(added, manifest))), "unexpected_file", extra)
        const removed: Record<string, Buffer> = { ...files }
        delete removed["README.md"]
        expectError(yield* failure(PackageInspection.inspect(writeFolderPackage(removed, manifest))), "missing_file", "README.md")
      }))
  })
})
