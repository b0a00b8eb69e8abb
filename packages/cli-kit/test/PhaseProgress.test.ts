import { NodeContext } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { CodexHome, SessionCatalog, StateDb } from "@sessionport/codex-home"
import { baseFiles, manifestFor, sessionText, SESSION, withTmp, writeFolder, writeTgz } from "@sessionport/codex-oracle/PackageBuilders"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { sessionMeta, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { PackageReader } from "@sessionport/package-format"
import * as Progress from "@sessionport/package-format/Progress"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"

// The phases that report progress without requiring it (a package's verification, a listing of
// sessions): what they report when the command provides a Progress, and that they need none.

afterAll(removeTemps)

interface Recorded {
  readonly label: string
  readonly total: number
  readonly unit: "bytes" | "items"
  done: number
  closed: boolean
}

const recording = () => {
  const tasks: Array<Recorded> = []
  const layer = Layer.succeed(Progress.Progress, {
    start: (label, total, unit) =>
      Effect.sync(() => {
        const task: Recorded = { label, total, unit, done: 0, closed: false }
        tasks.push(task)
        return {
          advance: (amount: number) => {
            task.done += amount
          },
          done: Effect.sync(() => {
            task.closed = true
          })
        }
      })
  })
  return { tasks, layer }
}

const files = () => ({ ...baseFiles(), [SESSION]: sessionText(3 * 1024 * 1024) })

describe("verifying a package", () => {
  it.effect("a .tgz: its bytes inflated, of the archive's size", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const content = files()
        const entries = Object.entries({ ...content, "package_manifest.json": manifestFor(content) }).map(([name, c]) => ({ name, content: c }))
        const pkg = yield* Effect.promise(() => writeTgz(dir, entries))
        const { layer, tasks } = recording()
        yield* PackageReader.verify(pkg).pipe(Effect.provide(layer))
        const size = fs.statSync(pkg).size
        assert.strictEqual(tasks.length, 1)
        const [task] = tasks
        assert.deepStrictEqual([task!.label, task!.total, task!.unit, task!.closed], ["verifying", size, "bytes", true])
        // all but gzip's last bytes (its trailer inflates to nothing)
        assert.isAtMost(task!.done, size)
        assert.isAtLeast(task!.done, size - 64)
      })))

  it.effect("a folder: the bytes of its files, the total not known", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const content = files()
        const all = { ...content, "package_manifest.json": manifestFor(content) }
        const pkg = writeFolder(dir, all)
        const { layer, tasks } = recording()
        yield* PackageReader.verify(pkg).pipe(Effect.provide(layer))
        const bytes = Object.values(all).reduce((n, c) => n + Buffer.byteLength(c), 0)
        assert.deepStrictEqual(tasks.map((t) => [t.label, t.total, t.unit, t.done, t.closed]), [["verifying", 0, "bytes", bytes, true]])
      })))

  it.effect("without a Progress, nothing is reported and nothing is needed", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const content = files()
        const pkg = writeFolder(dir, { ...content, "package_manifest.json": manifestFor(content) })
        const verified = yield* PackageReader.verify(pkg)
        assert.isAbove(verified.files.length, 0)
      })))
})

describe("listing a Codex home's sessions", () => {
  it.effect("every rollout looked at, the total not known", () =>
    Effect.gen(function*() {
      const home = tempDir("listing")
      for (let i = 0; i < 7; i++) {
        const id = uuid(500 + i)
        writeRollout(home, id, new Date(Date.UTC(2026, 0, 1 + (i % 3))), [sessionMeta({ id, cwd: "/home/alice/app" }), userMessage("hi")])
      }
      const { layer, tasks } = recording()
      const listed = yield* Effect.flatMap(SessionCatalog.SessionCatalog, (catalog) => catalog.list({ all: true, includeArchived: true })).pipe(
        Effect.provide(Layer.mergeAll(
          SessionCatalog.layer.pipe(
            Layer.provideMerge(StateDb.layer()),
            Layer.provideMerge(CodexHome.layer({ root: home })),
            Layer.provideMerge(NodeContext.layer)
          ),
          layer
        ))
      )
      assert.strictEqual(listed.sessions.length, 7)
      assert.deepStrictEqual(tasks.map((t) => [t.label, t.total, t.unit, t.done, t.closed]), [["listing sessions", 0, "items", 7, true]])
    }))
})
