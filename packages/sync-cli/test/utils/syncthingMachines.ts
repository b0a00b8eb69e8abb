/**
 * Machines of the exchange tests over a real sync engine (ExchangeSyncthing.test.ts): each one a
 * user home with its own Codex home, its own sessionport config dir (`SESSIONPORT_CONFIG_DIR`) and
 * its own path of the exchange folder; `session-sync push` / `pull` run on it as that user would.
 * What a home holds is read here with plain file reads, never through the code under test.
 */
import { assert } from "@effect/vitest"
import { fixtures } from "@sessionport/codex-oracle/Fixtures"
import * as Harness from "@sessionport/codex-oracle/Harness"
import { fileState, homeState } from "@sessionport/codex-oracle/HomeState"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { type CliResult, sessionSync } from "./cli.js"
import { decisions, type PulledSessionJson, type PullJson, type PushJson } from "./exchange.js"
import { recordLines, rolloutFiles } from "./scenarios.js"

export interface Machine {
  readonly name: string
  /** the user's HOME */
  readonly root: string
  /** its Codex home */
  readonly home: string
  /** its sessionport config dir (machine id, remembered folder) */
  readonly config: string
  /** its path of the exchange folder */
  readonly folder: string
  /** its two project folders (where the fixture's alpha and beta sessions go) */
  readonly alpha: string
  readonly beta: string
}

/** A machine whose exchange folder is `folder`; with `fixtureRollouts`, its Codex home holds the fixture sessions as Codex made them. */
export const machine = (name: string, folder: string, options: { readonly fixtureRollouts?: boolean } = {}): Machine => {
  const m = Harness.machine(`exchange-${name}`, { projects: [`alpha-on-${name}`, `beta-on-${name}`], fixtureRollouts: options.fixtureRollouts ?? false })
  const config = path.join(m.root, "sessionport-config")
  return { name, root: m.root, home: m.home, config, folder, alpha: m.projects[0]!, beta: m.projects[1]! }
}

/** `--map` arguments onto `m`'s project folders: from the fixture's own and from each of `others`'. */
export const mapsOnto = (m: Machine, others: ReadonlyArray<Machine>): Array<string> =>
  [
    [fixtures.source.alpha, m.alpha],
    [fixtures.source.beta, m.beta],
    ...others.flatMap((o) => [[o.alpha, m.alpha], [o.beta, m.beta]])
  ].flatMap(([from, to]) => ["--map", `${from}=${to}`])

/** `session-sync ARGS` as `m`'s user runs it. */
export const onMachine = (m: Machine, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  sessionSync(args, { env: { HOME: m.root, SESSIONPORT_CONFIG_DIR: m.config, ...env } })

const parsed = <A>(what: string, result: CliResult): A => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return JSON.parse(result.stdout) as A
}

// the JSON of push and pull, as the plain-folder tests read it
export { decisions, type PullJson, type PushJson }
type Decision = PulledSessionJson

/** `push --to <its folder> --codex-home … --json`, expecting exit 0. */
export const push = (m: Machine) =>
  Effect.map(onMachine(m, ["push", "--to", m.folder, "--codex-home", m.home, "--json"]), (r) => parsed<PushJson>(`push on ${m.name}`, r))

/** `pull --from <its folder> --codex-home … --map … --json`, expecting exit 0. */
export const pull = (m: Machine, maps: ReadonlyArray<string>) =>
  Effect.map(
    onMachine(m, ["pull", "--from", m.folder, "--codex-home", m.home, ...maps, "--json"]),
    (r) => parsed<PullJson>(`pull on ${m.name}`, r)
  )

/** The one decision of a pull for a source session. */
export const decisionFor = (result: PullJson, sourceId: string): Decision => {
  const found = decisions(result).filter((d) => d.source_id === sourceId)
  assert.lengthOf(found, 1, `one decision for ${sourceId}: ${JSON.stringify(result.packages)}`)
  return found[0]!
}

/** The session id at the end of a rollout's file name. */
export const idOfRollout = (file: string): string => /-([0-9a-f-]{36})\.jsonl(\.zst)?$/.exec(path.basename(file))![1]!

/** A home's sessions: id → rollout path. */
export const sessionsIn = (home: string): Map<string, string> => new Map(rolloutFiles(home).map((f) => [idOfRollout(f), f]))

/** How many records each rollout of a home has, sorted: the shape of its conversations, whatever their ids. */
export const recordCounts = (home: string): Array<number> => rolloutFiles(home).map((f) => recordLines(f).length).sort((a, b) => a - b)

/** The rollouts of a home whose text holds `text` (as it appears inside a JSON string). */
export const rolloutsWith = (home: string, text: string): Array<string> => {
  const needle = JSON.stringify(text).slice(1, -1)
  return rolloutFiles(home).filter((f) => recordLines(f).some((line) => line.includes(needle)))
}

/** Every rollout of a home and its bytes: what must never shrink or vanish. */
export const rolloutBytes = (home: string): Map<string, Buffer> => new Map(rolloutFiles(home).map((f) => [f, fs.readFileSync(f)]))

/** Nothing local lost since `before` ({@link rolloutBytes}): every rollout is still there, its old bytes a prefix of what it holds now. */
export const keptEverything = (before: ReadonlyMap<string, Buffer>): void => {
  for (const [file, bytes] of before) {
    assert.isTrue(fs.existsSync(file), `${file} is still there`)
    const now = fs.readFileSync(file)
    assert.isTrue(now.subarray(0, bytes.length).equals(bytes), `${path.basename(file)} kept its ${bytes.length} bytes`)
  }
}

/** The exchange folder as a machine sees it, byte for byte (the engine's marker left out). */
export const folderState = (dir: string) => fileState(dir, { skip: [".stfolder"] })

/** A repeat pull: exit 0, nothing pending, no transaction; the home (sessionport's folder too) and the exchange folder untouched. */
export const repeatPullChangesNothing = (m: Machine, maps: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const home = homeState(m.home)
    const own = homeState(path.join(m.home, "sessionport"))
    const folder = folderState(m.folder)
    const again = yield* pull(m, maps)
    assert.isUndefined(again.transaction_id, `a repeat pull on ${m.name} writes nothing: ${JSON.stringify(again)}`)
    assert.deepStrictEqual(again.packages, [], `nothing pending on ${m.name}`)
    assert.deepStrictEqual(homeState(m.home), home, `${m.name}'s home is unchanged`)
    assert.deepStrictEqual(homeState(path.join(m.home, "sessionport")), own, `${m.name}'s journal, sidecar and receipts are unchanged`)
    assert.deepStrictEqual(folderState(m.folder), folder, `${m.name} wrote nothing into the exchange folder`)
    return again
  })
