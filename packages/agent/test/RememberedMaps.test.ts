import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { RememberedMaps } from "@sessionport/agent"
import type { Journal } from "@sessionport/journal"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as Path from "node:path"

// transaction ids as the journal makes them (UUIDv7): they sort in the order they were made
const TX = ["01a25000-0000-7000-8000-000000000001", "01a25000-0000-7000-8000-000000000002", "01a25000-0000-7000-8000-000000000003"]

/** A transaction that only creates files (what `remember` asks of one), written in place. */
const txOf = (id: string): Journal.Transaction =>
  ({
    id,
    createFile: (path: string, content: string) =>
      Effect.sync(() => {
        if (fs.existsSync(path)) throw new Error(`${path} exists`)
        fs.mkdirSync(Path.dirname(path), { recursive: true })
        fs.writeFileSync(path, content)
        return { path, size: content.length, sha256: "" }
      })
  }) as unknown as Journal.Transaction

const home = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(Path.join(os.tmpdir(), "sp-maps-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const filesIn = (dir: string) => fs.existsSync(RememberedMaps.folderOf(dir)) ? fs.readdirSync(RememberedMaps.folderOf(dir)).sort() : []
const readFile = (dir: string, tx: string) => JSON.parse(fs.readFileSync(Path.join(RememberedMaps.folderOf(dir), `${tx}.json`), "utf8"))

const ALICE = { from: "C:\\Users\\alice\\code", to: "/home/bob/code" }

describe("RememberedMaps", () => {
  it.scoped("remembers the given maps in a file of the transaction; a later resolve uses them, a given one with the same FROM (any case, either slash) wins", () =>
    Effect.gen(function*() {
      const h = yield* home
      const first = yield* RememberedMaps.resolve([ALICE], [h], { forget: false })
      expect(first.maps).toEqual([ALICE])
      expect(first.shown).toEqual([{ ...ALICE, source: "given", replaces: undefined }])
      // nothing is written before remember (a dry run never calls it)
      expect(filesIn(h)).toEqual([])
      expect(yield* first.remember(txOf(TX[0]!), [h], "install")).toEqual([Path.join(h, "sessionport", "maps", `${TX[0]}.json`)])
      expect(readFile(h, TX[0]!)).toMatchObject({ format: 1, transaction: TX[0], kind: "install", forget_earlier: false, maps: [ALICE] })

      const later = yield* RememberedMaps.resolve([], [h], { forget: false })
      expect(later.maps).toEqual([ALICE])
      expect(later.shown).toEqual([{ ...ALICE, source: "remembered", transaction: TX[0], kind: "install" }])
      expect(RememberedMaps.describe(later.shown[0]!)).toBe(`map C:\\Users\\alice\\code → /home/bob/code (remembered from install ${TX[0]})`)
      // remembered already: nothing more to write
      expect(yield* later.remember(txOf(TX[1]!), [h], "sync")).toEqual([])

      const override = { from: "c:/users/ALICE/code/", to: "/srv/code" }
      const overridden = yield* RememberedMaps.resolve([override], [h], { forget: false })
      expect(overridden.maps).toEqual([override])
      expect(overridden.shown).toEqual([{ ...override, source: "given", replaces: "/home/bob/code" }])
      yield* overridden.remember(txOf(TX[1]!), [h], "sync")
      const after = yield* RememberedMaps.resolve([], [h], { forget: false })
      expect(after.shown).toEqual([{ ...override, source: "remembered", transaction: TX[1], kind: "sync" }])

      // the later file gone (its transaction rolled back): the earlier map is back
      fs.rmSync(Path.join(RememberedMaps.folderOf(h), `${TX[1]}.json`))
      expect((yield* RememberedMaps.resolve([], [h], { forget: false })).maps).toEqual([ALICE])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("--forget-maps: the remembered maps are shown as not used, and remembering sets them aside", () =>
    Effect.gen(function*() {
      const h = yield* home
      yield* Effect.flatMap(RememberedMaps.resolve([ALICE], [h], { forget: false }), (r) => r.remember(txOf(TX[0]!), [h], "install"))
      const forgetting = yield* RememberedMaps.resolve([], [h], { forget: true })
      expect(forgetting.maps).toEqual([])
      expect(forgetting.shown).toEqual([{ ...ALICE, source: "forgotten", transaction: TX[0], kind: "install" }])
      yield* forgetting.remember(txOf(TX[1]!), [h], "install")
      expect(readFile(h, TX[1]!)).toMatchObject({ forget_earlier: true, maps: [] })
      const after = yield* RememberedMaps.resolve([], [h], { forget: false })
      expect(after.maps).toEqual([])
      expect(after.shown).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("two homes: the later transaction's map wins, and a home that lacks a map used is given it", () =>
    Effect.gen(function*() {
      const h1 = yield* home
      const h2 = yield* home
      yield* Effect.flatMap(RememberedMaps.resolve([ALICE], [h1], { forget: false }), (r) => r.remember(txOf(TX[0]!), [h1], "install"))
      const newer = { from: ALICE.from, to: "/opt/code" }
      yield* Effect.flatMap(RememberedMaps.resolve([newer], [h2], { forget: false }), (r) => r.remember(txOf(TX[1]!), [h2], "install"))
      const both = yield* RememberedMaps.resolve([], [h1, h2], { forget: false })
      expect(both.maps).toEqual([newer])
      expect(yield* both.remember(txOf(TX[2]!), [h1, h2], "sync")).toEqual([Path.join(RememberedMaps.folderOf(h1), `${TX[2]}.json`)])
      expect(readFile(h1, TX[2]!).maps).toEqual([newer])
      expect(filesIn(h2)).toEqual([`${TX[1]}.json`])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a file that cannot be used is named in a warning; the others are still used", () =>
    Effect.gen(function*() {
      const h = yield* home
      yield* Effect.flatMap(RememberedMaps.resolve([ALICE], [h], { forget: false }), (r) => r.remember(txOf(TX[0]!), [h], "install"))
      const folder = RememberedMaps.folderOf(h)
      fs.writeFileSync(Path.join(folder, `${TX[1]}.json`), "{ not json")
      fs.writeFileSync(
        Path.join(folder, `${TX[2]}.json`),
        JSON.stringify({ format: 1, transaction: TX[2], kind: "install", created_at: "", forget_earlier: false, maps: [{ from: "relative/path", to: "/x" }] })
      )
      const resolved = yield* RememberedMaps.resolve([], [h], { forget: false })
      expect(resolved.maps).toEqual([ALICE])
      expect(resolved.warnings).toHaveLength(2)
      expect(resolved.warnings[0]).toContain(Path.join(folder, `${TX[1]}.json`))
      expect(resolved.warnings[1]).toContain(Path.join(folder, `${TX[2]}.json`))
    }).pipe(Effect.provide(NodeContext.layer)))
})
