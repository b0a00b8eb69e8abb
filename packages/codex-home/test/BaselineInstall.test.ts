/**
 * Every package sessionport exports installs with the baseline tools: exports of the fixture
 * home (database and a `.jsonl.zst` rollout), of the same home without a database, and of a home
 * whose database has an older schema, as a folder and as a `.tgz`, are installed by a minimal
 * baseline installer written from the shared contract (`utils/baselineInstaller.ts`: no
 * sessionport module). The installed rows and rollouts are checked against Codex's own rows and
 * an independent reading of the fixture's rollouts (`utils/expectedRows.ts`).
 */
import { NodeContext } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Exporter } from "@sessionport/codex-home"
import {
  copyFixtureHome,
  type FixtureSession,
  fixtureThreads,
  removeTemps,
  repoRoot,
  sqlThreads,
  tempDir
} from "@sessionport/codex-oracle/Fixtures"
import * as Progress from "@sessionport/package-format/Progress"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { installBaseline, Refused } from "./utils/baselineInstaller.js"
import { BASELINE_COLUMNS, expectedRow, olderSchemaHome, pick, plainBytes } from "./utils/expectedRows.js"

afterAll(removeTemps)

const runExport = (home: string, out: string) =>
  Effect.flatMap(Exporter.Exporter, (exporter) =>
    exporter.export({
      out,
      threadIds: [],
      cwds: [],
      since: undefined,
      all: true,
      includeArchived: true,
      includeSkills: false,
      skipUnreadable: false,
      dryRun: false
    })).pipe(Effect.provide(Exporter.layerHome({ root: home }).pipe(Layer.provide(Layer.merge(NodeContext.layer, Progress.none)))))

/** Where the baseline puts a rollout: under `sessions/` as in the source, an archived one in `sessions/imported/`. */
const installedAt = (target: string, s: FixtureSession) =>
  s.archived
    ? path.join(target, "sessions", "imported", path.basename(s.rollout).replace(/\.zst$/, ""))
    : path.join(target, s.rollout.replace(/\.zst$/, ""))

const HOMES: ReadonlyArray<{
  readonly name: string
  readonly make: () => string
  /** the row the baseline writes, but for its rollout_path */
  readonly expected: (home: string, codexRows: ReadonlyMap<string, Record<string, unknown>>, s: FixtureSession) => Record<string, unknown>
}> = [
  {
    name: "the fixture home (database, a .jsonl.zst rollout)",
    make: () => copyFixtureHome(),
    expected: (_, rows, s) => pick(rows.get(s.threadId)!, BASELINE_COLUMNS)
  },
  {
    name: "the same home without a database",
    make: () => copyFixtureHome({ withDatabase: false }),
    expected: (home, _, s) => pick(expectedRow(home, s), BASELINE_COLUMNS)
  },
  {
    name: "a database of an older schema",
    make: olderSchemaHome,
    expected: (home, rows, s) => pick({ ...expectedRow(home, s), ...rows.get(s.threadId)! }, BASELINE_COLUMNS)
  }
]

describe("a package sessionport exports, installed by a baseline installer", () => {
  for (const home of HOMES) {
    for (const name of ["package", "package.tgz"]) {
      it.effect(`${home.name} (${name.endsWith(".tgz") ? ".tgz" : "folder"})`, () =>
        Effect.gen(function*() {
          const source = home.make()
          const codexRows = new Map(
            fs.existsSync(path.join(source, "state_5.sqlite")) ? sqlThreads(source).map((r) => [r.id as string, r]) : []
          )
          const out = path.join(tempDir("out"), name)
          yield* runExport(source, out)
          const target = tempDir("baseline")
          const result = yield* Effect.promise(() => installBaseline(out, target))

          assert.deepStrictEqual(result.threadIds, fixtureThreads.map((s) => s.threadId).sort())
          assert.deepStrictEqual([...result.rollouts].sort(), fixtureThreads.map((s) => installedAt(target, s)).sort())
          // each rollout as Codex reads it: the plain JSONL (a .zst decompressed)
          for (const s of fixtureThreads) {
            assert.isTrue(fs.readFileSync(installedAt(target, s)).equals(plainBytes(path.join(source, s.rollout))), s.rollout)
          }
          const installed = new Map(sqlThreads(target).map((r) => [r.id as string, r]))
          assert.strictEqual(installed.size, fixtureThreads.length)
          for (const s of fixtureThreads) {
            assert.deepStrictEqual(
              installed.get(s.threadId),
              { ...home.expected(source, codexRows, s), rollout_path: installedAt(target, s) },
              s.threadId
            )
          }
          const index = fs.readFileSync(path.join(target, "session_index.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
          assert.deepStrictEqual(
            index.map((l) => [l.id, l.thread_name]),
            fixtureThreads.filter((s) => s.name !== undefined).map((s) => [s.threadId, s.name])
          )
        }), 60_000)
    }
  }

  describe("the installer holds to the contract", () => {
    const refusal = (pkg: string, target: string) =>
      Effect.promise(() => installBaseline(pkg, target).then(() => undefined, (error: unknown) => error))

    it.effect("a package of sessionport 0.1.0 holding a .jsonl.zst is refused, nothing written", () =>
      Effect.gen(function*() {
        const target = tempDir("baseline")
        const error = yield* refusal(path.join(repoRoot, "fixtures", "packages", "codex-before-agents.tgz"), target)
        assert.instanceOf(error, Refused)
        assert.match((error as Refused).message, /no sessions\/rollout-.*-01a1fd65-3f11-7d33-8515-4fa6991cd62c\.jsonl in the package/)
        assert.deepStrictEqual(fs.readdirSync(target), [])
      }))

    it.effect("a row without a baseline column is refused, nothing written", () =>
      Effect.gen(function*() {
        const out = path.join(tempDir("out"), "package")
        yield* runExport(copyFixtureHome(), out)
        const file = path.join(out, "metadata", "threads.jsonl")
        const rows = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l))
        delete rows[rows.length - 1].memory_mode
        fs.writeFileSync(file, rows.map((r) => JSON.stringify(r) + "\n").join(""))
        const target = tempDir("baseline")
        const error = yield* refusal(out, target)
        assert.instanceOf(error, Refused)
        assert.match((error as Refused).message, /no memory_mode$/)
        assert.deepStrictEqual(fs.readdirSync(target), [])
      }))
  })
})
