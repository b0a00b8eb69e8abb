// Machines of an exchange, in process: each one a Codex home of its own, a config dir of its own
// (`MachineConfig.layerAt`) and one exchange folder shared by all; push and pull as the CLIs build
// their services (Codex alone). Plus plain readings of what they wrote: the outbox files and
// `exchange.sqlite` rows through node:fs and better-sqlite3, never through the code under test.
import { NodeContext } from "@effect/platform-node"
import { Agents, Journals } from "@sessionport/agent"
import { CodexHome, CodexStore, Exporter, Installer, SessionCatalog, StateDb } from "@sessionport/codex-home"
import { copyFixtureHome, fixtureByRole, fixtures, openDatabase, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { fileState } from "@sessionport/codex-oracle/HomeState"
import { writeHome } from "@sessionport/codex-oracle/SyntheticHome"
import { Journal } from "@sessionport/journal"
import * as Progress from "@sessionport/package-format/Progress"
import { Context, Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as MachineConfig from "../../src/MachineConfig.js"
import * as Pull from "../../src/Pull.js"
import * as Push from "../../src/Push.js"
import * as Syncer from "../../src/Syncer.js"

/** One machine: its Codex home, its config dir, the exchange folder, the fixture's project folders mapped to its own. */
export interface Machine {
  readonly home: string
  readonly config: string
  readonly hostname: string
  readonly folder: string
  readonly maps: ReadonlyArray<{ readonly from: string; readonly to: string }>
}

/** A machine on `home`, with the fixture's project folders mapped to fresh ones of its own. */
export const machineWith = (home: string, folder: string, hostname: string): Machine => {
  const projects = tempDir("projects")
  const maps = [fixtures.source.alpha, fixtures.source.beta].map((from) => {
    const to = path.join(projects, path.basename(from))
    fs.mkdirSync(to)
    return { from, to }
  })
  return { home, config: tempDir("config"), hostname, folder, maps }
}

/** A machine on a copy of the fixture home (every fixture session). */
export const fixtureMachine = (folder: string = tempDir("exchange"), hostname = "alice-laptop"): Machine =>
  machineWith(copyFixtureHome(), folder, hostname)

/**
 * A machine whose Codex home holds `sessions` generated sessions (none: an empty home; ids from
 * `firstId` on), with a `state_5.sqlite` of the fixture's schema and no row but theirs.
 */
export const syntheticMachine = (folder: string, hostname: string, sessions = 0, firstId = 9_000) =>
  Effect.promise(async () => {
    const home = tempDir("home")
    await writeHome(home, { sessions, bytesPerSession: 4_000, cwds: [fixtures.source.alpha], database: true, firstId })
    return machineWith(home, folder, hostname)
  })

/** The services of a command on one machine's Codex home (as the CLIs build them, Codex alone): push, pull and what they need. */
export const layerFor = (m: Machine) => {
  const home = CodexHome.layer({ root: m.home })
  const journal = Layer.effect(Journal.Journal, Effect.map(Journals.Journals, (journals) => journals.forAgents(["codex"])))
  const base = Layer.mergeAll(StateDb.layer({ mode: "read-only" }), journal).pipe(Layer.provideMerge(home))
  const store = CodexStore.layer.pipe(
    Layer.provideMerge(Layer.mergeAll(Installer.layer, Exporter.layer).pipe(Layer.provideMerge(SessionCatalog.layer), Layer.provideMerge(base)))
  )
  const journals = Layer.succeed(Journals.Journals, Journals.make([{ agent: "codex", home: m.home }]))
  const agents = Layer.scoped(
    Agents.Agents,
    Effect.map(Layer.build(store), (context) => ({ stores: [Context.get(context, CodexStore.CodexStore)] }))
  )
  return Layer.mergeAll(Push.layer, Pull.layer).pipe(
    Layer.provideMerge(Syncer.layer),
    Layer.provideMerge(agents),
    Layer.provideMerge(journals),
    Layer.provideMerge(Layer.mergeAll(Progress.none, NodeContext.layer, MachineConfig.layerAt(m.config, { hostname: m.hostname })))
  )
}

export const push = (m: Machine, options: Partial<Omit<Push.PushRequest, "folder">> = {}) =>
  Effect.flatMap(Push.Push, (p) => p.push({ folder: Option.some(m.folder), agents: [], all: false, dryRun: false, ...options })).pipe(
    Effect.provide(layerFor(m))
  )

export const pull = (m: Machine, options: Partial<Omit<Pull.PullRequest, "folder">> = {}) =>
  Effect.flatMap(Pull.Pull, (p) =>
    p.pull({ folder: Option.some(m.folder), agents: [], maps: m.maps, forgetMaps: false, dryRun: false, recheck: false, ...options })).pipe(
      Effect.provide(layerFor(m))
    )

/** The machine's id, as its config file says. */
export const machineIdOf = (m: Machine): string => JSON.parse(fs.readFileSync(path.join(m.config, "exchange.json"), "utf8")).machine_id

/** The machine's outbox in the exchange folder. */
export const outboxOf = (m: Machine): string => path.join(m.folder, machineIdOf(m))

export const indexOf = (m: Machine) => JSON.parse(fs.readFileSync(path.join(outboxOf(m), "outbox.json"), "utf8"))

/** A package's stem, as receipts list it: its file name without `.tgz` (or `.tgz.age`). */
export const stemOf = (entry: { readonly file: string }): string => path.basename(entry.file).replace(/\.tgz(\.age)?$/, "")

/** a turn more in a plain rollout: its last line again */
export const continueRollout = (file: string) => {
  const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "")
  fs.appendFileSync(file, `${lines.at(-1)}\n`)
}

/** a turn more in a fixture session of a home */
export const continueSession = (home: string, role: string) => continueRollout(path.join(home, fixtureByRole(role).rollout))

/**
 * Every file under a folder, byte for byte and with its mtime; left out: what SQLite makes when a
 * reader opens a WAL database (its shared-memory index, an empty write-ahead log), which holds no data.
 */
export const files = (dir: string) =>
  Object.fromEntries(Object.entries(fileState(dir)).filter(([name, state]) => !name.endsWith("-shm") && !(name.endsWith("-wal") && state.startsWith("0 "))))

/** The rows of a table of a home's `sessionport/exchange.sqlite` (none when the file is missing). */
export const exchangeRows = (home: string, table: "applied" | "marks"): Array<Record<string, any>> => {
  const file = path.join(home, "sessionport", "exchange.sqlite")
  if (!fs.existsSync(file)) return []
  const db = openDatabase(file, { readonly: true })
  try {
    return db.prepare(`SELECT * FROM ${table}`).all()
  } finally {
    db.close()
  }
}
