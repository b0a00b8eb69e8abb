/**
 * Builders for `session-sync` scenarios, all from the real-Codex fixture sessions
 * (fixtures/codex/home): source homes edited to hold older (truncated) or newer (continued)
 * versions of a conversation, packages exported from them with `session-transfer export`, target
 * homes where Codex has run, installs with `session-transfer install`, and plain reads of what a
 * home holds (rollout records, `threads` rows, names). Expected values are read from the fixture
 * files themselves, never from the code under test.
 */
import { assert } from "@effect/vitest"
import { copyFixtureHome, fixtureByRole, fixtureHome, fixtures, openDatabase, sqlThreads, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { createHash, randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { type CliResult, sessionSync, sessionTransfer } from "./cli.js"

// ---------------------------------------------------------------------------------------------
// The fixture sessions

export type Role = "multi_turn_tools" | "beta_cwd" | "named" | "archived" | "forked" | "zst"

/** Every fixture thread once (`resumed` and `forked_parent` are `multi_turn_tools`). */
export const ROLES: ReadonlyArray<Role> = ["multi_turn_tools", "beta_cwd", "named", "archived", "forked", "zst"]

export const idOf = (role: Role): string => fixtureByRole(role).threadId

export const roleOf = (sourceId: string): Role => {
  const role = ROLES.find((r) => idOf(r) === sourceId)
  if (role === undefined) throw new Error(`${sourceId} is no fixture thread`)
  return role
}

/** Every fixture thread id. */
export const FIXTURE_IDS: ReadonlyArray<string> = ROLES.map(idOf)

/** The fixture's own rollout of a role. */
export const fixtureRollout = (role: Role): string => path.join(fixtureHome, fixtureByRole(role).rollout)

/** The text of a rollout, decompressed when it is `.zst` (with the `zstd` tool, independently of the code under test). */
export const rolloutText = (file: string): string =>
  (file.endsWith(".zst") ? execFileSync("zstd", ["-dc", "--", file]) : fs.readFileSync(file)).toString("utf8")

/** A rollout's records: its non-blank lines that end with `\n` (without the `\n`). */
export const recordLines = (file: string): Array<string> => {
  const text = rolloutText(file)
  return text.slice(0, text.lastIndexOf("\n") + 1).split("\n").filter((line) => line.trim() !== "")
}

/** How many records the fixture's rollout of a role has (counted here, from the file). */
export const fixtureRecords = (role: Role): number => recordLines(fixtureRollout(role)).length

/** The `session_meta` payload of a rollout (its first line). */
export const sessionMeta = (file: string): Record<string, any> => JSON.parse(recordLines(file)[0]!).payload

// ---------------------------------------------------------------------------------------------
// Editing rollouts

/** Keeps the first `k` records of a rollout (as an older copy of the conversation was). */
export const truncateRollout = (file: string, k: number): void => {
  const lines = recordLines(file)
  if (k >= lines.length) throw new Error(`${file} has ${lines.length} records, cannot keep ${k}`)
  fs.writeFileSync(file, lines.slice(0, k).join("\n") + "\n")
}

/** Appends complete lines to a rollout, as Codex does. */
export const appendLines = (file: string, lines: ReadonlyArray<string>): void => {
  fs.appendFileSync(file, lines.map((line) => line + "\n").join(""))
}

/**
 * A new turn continuing a rollout, made from its own last turn (from the last `task_started` to the
 * end): a fresh turn id, the user prompt replaced by `prompt`, the ordinals going on after the last
 * one. The lines keep Codex's shapes and fields (thread ids, the cwd in turn_context, ...), so they
 * carry the rewrite surface like real lines.
 */
export const continuationLines = (file: string, prompt: string): Array<string> => {
  const lines = recordLines(file)
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, any>)
  let start = -1
  for (let i = 0; i < parsed.length; i++) if (parsed[i]!.type === "event_msg" && parsed[i]!.payload?.type === "task_started") start = i
  if (start < 0) throw new Error(`${file}: no task_started`)
  const turnId: string = parsed[start]!.payload.turn_id
  const oldPrompt: string | undefined = parsed.slice(start).find((o) =>
    o.payload?.type === "item_completed" && o.payload.item?.type === "UserMessage"
  )?.payload.item.content[0].text
  const ordinals = parsed.map((o) => typeof o.ordinal === "number" ? o.ordinal as number : -1)
  const delta = Math.max(...ordinals) + 1 - (parsed[start]!.ordinal as number)
  const newTurn = randomUUID()
  const escaped = (s: string) => JSON.stringify(s).slice(1, -1)
  return lines.slice(start).map((line) => {
    let out = line.split(turnId).join(newTurn)
    if (oldPrompt !== undefined) out = out.split(escaped(oldPrompt)).join(escaped(prompt))
    return out.replace(/"ordinal":(\d+)/, (_, n: string) => `"ordinal":${Number(n) + delta}`)
  })
}

// ---------------------------------------------------------------------------------------------
// Source homes and packages

export interface SourceEdits {
  /** keep the first k records of these rollouts */
  readonly truncate?: Partial<Record<Role, number>>
  /** append a new turn with this prompt to these rollouts */
  readonly continueWith?: Partial<Record<Role, string>>
  /** advance these `threads` rows (tokens_used + 1000, updated_at + 1 h), as a newer export carries */
  readonly bumpRows?: ReadonlyArray<Role>
}

/** A copy of the fixture home with its rollouts and rows edited. */
export const sourceHome = (edits: SourceEdits = {}): string => {
  const home = copyFixtureHome()
  for (const [role, k] of Object.entries(edits.truncate ?? {})) truncateRollout(path.join(home, fixtureByRole(role).rollout), k!)
  for (const [role, prompt] of Object.entries(edits.continueWith ?? {})) {
    const file = path.join(home, fixtureByRole(role).rollout)
    appendLines(file, continuationLines(file, prompt!))
  }
  if (edits.bumpRows !== undefined && edits.bumpRows.length > 0) {
    const db = openDatabase(path.join(home, "state_5.sqlite"))
    try {
      const update = db.prepare(
        "UPDATE threads SET tokens_used = tokens_used + 1000, updated_at = updated_at + 3600, updated_at_ms = updated_at_ms + 3600000 WHERE id = ?"
      )
      for (const role of edits.bumpRows) update.run(idOf(role))
    } finally {
      db.close()
    }
  }
  return home
}

/** Exports sessions of a home with `session-transfer export`: a `.tgz`, or a folder (to hand-edit). */
export const exportPackage = (home: string, roles: ReadonlyArray<Role> | "all", format: "tgz" | "dir" = "tgz") =>
  Effect.gen(function*() {
    const out = path.join(tempDir("pkg"), format === "tgz" ? "sessions.tgz" : "sessions")
    const select = roles === "all" ? ["--all", "--include-archived"] : roles.flatMap((role) => ["--thread", idOf(role)])
    const result = yield* sessionTransfer(["export", ...select, "--codex-home", home, "--out", out, "--json"])
    assert.strictEqual(result.code, 0, result.stderr)
    const exported = (JSON.parse(result.stdout).sessions as Array<{ thread_id: string }>).map((s) => s.thread_id).sort()
    assert.deepStrictEqual(exported, (roles === "all" ? ROLES : roles).map(idOf).sort(), "the export holds exactly the sessions asked")
    return out
  })

const sha256 = (bytes: Uint8Array | string): string => createHash("sha256").update(bytes).digest("hex")

/**
 * Gives a session of a folder package another id, by hand: the id replaced in every file name and
 * in every text file (rollout, metadata, README), then the manifest's `thread_ids` and `files`
 * (path, size, SHA-256) made to match. Not for a `.zst` rollout.
 */
export const reidentify = (pkgDir: string, fromId: string, toId: string): void => {
  const walk = (dir: string): Array<string> =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]
    )
  for (const file of walk(pkgDir)) {
    if (path.basename(file) === "package_manifest.json") continue
    if (file.endsWith(".zst") && path.basename(file).includes(fromId)) throw new Error("reidentify: not for .zst rollouts")
    const text = fs.readFileSync(file, "utf8")
    if (text.includes(fromId)) fs.writeFileSync(file, text.split(fromId).join(toId))
    if (path.basename(file).includes(fromId)) fs.renameSync(file, path.join(path.dirname(file), path.basename(file).split(fromId).join(toId)))
  }
  const manifestFile = path.join(pkgDir, "package_manifest.json")
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"))
  manifest.thread_ids = (manifest.thread_ids as Array<string>).map((id) => id === fromId ? toId : id).sort()
  manifest.files = (manifest.files as Array<{ path: string }>).map(({ path: rel }) => {
    const renamed = rel.split(fromId).join(toId)
    const bytes = fs.readFileSync(path.join(pkgDir, ...renamed.split("/")))
    return { path: renamed, size: bytes.length, sha256: sha256(bytes) }
  })
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n")
}

// ---------------------------------------------------------------------------------------------
// Target machines

/** A machine B: its Codex home and the project folders the source folders are mapped to. */
export interface Machine {
  readonly root: string
  readonly home: string
  readonly alpha: string
  readonly beta: string
  /** `--map` arguments: the fixture's project folders to this machine's */
  readonly maps: ReadonlyArray<string>
}

const machineAt = (root: string): Machine => {
  const alpha = path.join(root, "work", "alpha-on-b")
  const beta = path.join(root, "work", "beta-on-b")
  fs.mkdirSync(alpha, { recursive: true })
  fs.mkdirSync(beta, { recursive: true })
  return {
    root,
    home: path.join(root, "home"),
    alpha,
    beta,
    maps: ["--map", `${fixtures.source.alpha}=${alpha}`, "--map", `${fixtures.source.beta}=${beta}`]
  }
}

/** The folder a fixture session's working directory maps to on a machine. */
export const mappedCwd = (m: Machine, role: Role): string =>
  fixtureByRole(role).cwd === fixtures.source.alpha ? m.alpha : fixtureByRole(role).cwd === fixtures.source.beta ? m.beta : fixtureByRole(role).cwd

/** Removes every session from a Codex home: rollouts, names, rows and history projections. */
const stripSessions = (home: string): void => {
  for (const dir of ["sessions", "archived_sessions"]) {
    fs.rmSync(path.join(home, dir), { recursive: true, force: true })
    fs.mkdirSync(path.join(home, dir))
  }
  fs.writeFileSync(path.join(home, "session_index.jsonl"), "")
  const state = openDatabase(path.join(home, "state_5.sqlite"))
  try {
    state.exec(
      "DELETE FROM thread_read_receipts; DELETE FROM thread_dynamic_tools; DELETE FROM thread_spawn_edges; DELETE FROM threads;"
    )
  } finally {
    state.close()
  }
  const history = openDatabase(path.join(home, "thread_history_1.sqlite"))
  try {
    history.exec("DELETE FROM thread_items; DELETE FROM thread_turns; DELETE FROM thread_history_projection_state;")
  } finally {
    history.close()
  }
}

/**
 * A machine whose Codex home Codex has run in (its databases, config, installation id): with no
 * session (`"empty"`), or with the fixture sessions as Codex made them (`"fixture"`, same ids).
 */
export const codexMachine = (sessions: "empty" | "fixture" = "empty"): Machine => {
  const m = machineAt(tempDir("codex-b"))
  fs.cpSync(fixtureHome, m.home, { recursive: true, preserveTimestamps: true })
  if (sessions === "empty") stripSessions(m.home)
  return m
}

/** A copy of a machine elsewhere (its rows' absolute paths follow), for one run of a repeated scenario. */
export const cloneMachine = (m: Machine): Machine => {
  const root = tempDir("codex-b")
  fs.cpSync(m.root, root, { recursive: true, preserveTimestamps: true })
  const db = openDatabase(path.join(root, "home", "state_5.sqlite"))
  try {
    db.prepare(
      "UPDATE threads SET rollout_path = replace(rollout_path, @from, @to), cwd = replace(cwd, @from, @to), sandbox_policy = replace(sandbox_policy, @from, @to)"
    ).run({ from: m.root, to: root })
  } finally {
    db.close()
  }
  return machineAt(root)
}

// ---------------------------------------------------------------------------------------------
// Running the CLIs

export interface Installed {
  readonly localId: string
  readonly rollout: string
}

/** `session-transfer install --json`: source id → the local session it became. */
export const install = (pkg: string, m: Machine, maps: ReadonlyArray<string> = m.maps) =>
  Effect.gen(function*() {
    const result = yield* sessionTransfer(["install", pkg, "--codex-home", m.home, ...maps, "--json"])
    assert.strictEqual(result.code, 0, result.stderr)
    const out = new Map<string, Installed>()
    for (const s of JSON.parse(result.stdout).sessions as Array<{ source_id: string; local_id: string; rollout: string }>) {
      out.set(s.source_id, { localId: s.local_id, rollout: s.rollout })
    }
    return out
  })

/** A session's decision as `session-sync sync --json` / `inspect-package --json` print it. */
export interface Decision {
  readonly source_id: string
  readonly entry: string
  readonly class: SyncClass
  readonly relation?: string
  readonly detail: string
  readonly via?: string
  readonly local_id?: string
  readonly new_local_id?: string
  readonly action: string
  readonly records?: number
  readonly common?: number
  readonly appended?: number
}

export type SyncClass = "new_lineage" | "unchanged" | "fast_forward_import" | "diverged_lineage" | "id_collision_unrelated"

export const CLASSES: ReadonlyArray<SyncClass> = ["new_lineage", "unchanged", "fast_forward_import", "diverged_lineage", "id_collision_unrelated"]

export interface SyncJson {
  readonly package: string
  readonly codex_home: string
  readonly dry_run: boolean
  readonly transaction_id?: string
  readonly sessions: ReadonlyArray<Decision>
  readonly counts: Readonly<Record<SyncClass, number>>
  readonly warnings: ReadonlyArray<string>
}

const parsed = (what: string, result: CliResult): SyncJson => {
  assert.strictEqual(result.code, 0, `${what}: ${result.stderr}`)
  return JSON.parse(result.stdout) as SyncJson
}

/** `session-sync sync PKG --codex-home B --yes --json` with the machine's maps. */
export const sync = (pkg: string, m: Machine, extra: ReadonlyArray<string> = []) =>
  Effect.map(
    sessionSync(["sync", pkg, "--codex-home", m.home, "--yes", "--json", ...m.maps, ...extra]),
    (result) => parsed(`sync ${pkg}`, result)
  )

/** `session-sync inspect-package PKG --codex-home B --json` with the machine's maps. */
export const inspect = (pkg: string, m: Machine) =>
  Effect.map(
    sessionSync(["inspect-package", pkg, "--codex-home", m.home, "--json", ...m.maps]),
    (result) => parsed(`inspect-package ${pkg}`, result)
  )

/** Runs a `session-sync` command on the machine's home with `--json`, expecting exit 0; its parsed output. */
export const syncCommand = (m: Machine, command: string, extra: ReadonlyArray<string> = []) =>
  Effect.map(sessionSync([command, "--codex-home", m.home, "--json", ...extra]), (result) => {
    assert.strictEqual(result.code, 0, `${command}: ${result.stderr}`)
    return JSON.parse(result.stdout) as any
  })

/** The decision for a source id. */
export const decisionOf = (result: SyncJson, sourceId: string): Decision => {
  const found = result.sessions.filter((s) => s.source_id === sourceId)
  assert.strictEqual(found.length, 1, `one decision for ${sourceId}`)
  return found[0]!
}

/** Class counts with every class present. */
export const countsOf = (partial: Partial<Record<SyncClass, number>>): Record<SyncClass, number> =>
  Object.fromEntries(CLASSES.map((c) => [c, partial[c] ?? 0])) as Record<SyncClass, number>

/**
 * What a classification says, without what changes from run to run (new ids, details): per source
 * id, the class and the local session it acts on. With `holders: false`, the local session of an
 * `unchanged` session is left out: when several local sessions of a lineage hold every incoming
 * record (a session and its branch both hold an older copy), any of them is a right answer.
 */
export const classesOf = (result: SyncJson, options: { readonly holders?: boolean } = {}) =>
  Object.fromEntries(
    [...result.sessions].sort((a, b) => a.source_id.localeCompare(b.source_id)).map((s) => [
      s.source_id,
      { class: s.class, localId: s.class === "unchanged" && options.holders === false ? undefined : s.local_id }
    ])
  )

// ---------------------------------------------------------------------------------------------
// Reading a home

/** Every rollout file of a home (sessions/ and archived_sessions/). */
export const rolloutFiles = (home: string): Array<string> => {
  const out: Array<string> = []
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name)
      if (e.isDirectory()) walk(full)
      else if (/^rollout-.*\.jsonl(\.zst)?$/.test(e.name)) out.push(full)
    }
  }
  walk(path.join(home, "sessions"))
  walk(path.join(home, "archived_sessions"))
  return out.sort()
}

/** The rollout of a local session, found by the id at the end of its file name. */
export const localRollout = (home: string, id: string): string => {
  const found = rolloutFiles(home).filter((f) => /-([0-9a-f-]{36})\.jsonl(\.zst)?$/.exec(path.basename(f))?.[1] === id)
  assert.strictEqual(found.length, 1, `one rollout for ${id} in ${home}: ${found.join(", ")}`)
  return found[0]!
}

/** The `threads` row of an id (plain SQL). */
export const threadRow = (home: string, id: string): Record<string, unknown> | undefined => sqlThreads(home).find((row) => row.id === id)

/** `session_index.jsonl`: id → name (the last line of an id wins, as Codex reads it). */
export const sessionNames = (home: string): Map<string, string> => {
  const file = path.join(home, "session_index.jsonl")
  const out = new Map<string, string>()
  if (!fs.existsSync(file)) return out
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue
    const entry = JSON.parse(line) as { id: string; thread_name: string }
    out.set(entry.id, entry.thread_name)
  }
  return out
}

/** Rows per thread id of Codex's paginated-history projection tables. */
export const projectionRows = (home: string): Record<string, Record<string, number>> => {
  const db = openDatabase(path.join(home, "thread_history_1.sqlite"), { readonly: true })
  try {
    const out: Record<string, Record<string, number>> = {}
    for (const table of ["thread_turns", "thread_items", "thread_history_projection_state"]) {
      for (const row of db.prepare(`SELECT thread_id, count(*) AS n FROM ${table} GROUP BY thread_id`).all()) {
        ;(out[row.thread_id] ??= {})[table] = row.n
      }
    }
    return out
  } finally {
    db.close()
  }
}

export const sidecarPath = (home: string): string => path.join(home, "sessionport", "sidecar.sqlite")

/** Deletes the sidecar (and SQLite's companions). */
export const deleteSidecar = (home: string): void => {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(sidecarPath(home) + suffix, { force: true })
}

/** SHA-256 of a file, `undefined` when absent. */
export const fileHash = (file: string): string | undefined => fs.existsSync(file) ? sha256(fs.readFileSync(file)) : undefined

/** The journal's transactions (`session-sync list-transactions --json`). */
export const transactions = (m: Machine) =>
  Effect.map(syncCommand(m, "list-transactions"), (list) => list as Array<{ id: string; kind: string; status: string }>)

// ---------------------------------------------------------------------------------------------
// The mixed scenario: one package, every class

/** Truncation points: the end of a turn (multi_turn_tools' first turn ends at record 35), or past the first prompt. */
export const OLDER: Readonly<Partial<Record<Role, number>>> = { multi_turn_tools: 35, beta_cwd: 13, named: 11, archived: 11 }

export interface Mixed {
  /** B: installed (session-transfer) multi_turn_tools cut at 35 records, beta_cwd cut at 13 and then continued locally, named */
  readonly machine: Machine
  /** multi_turn_tools (full), beta_cwd (full), named, zst, and archived carrying the id of B's `named` */
  readonly pkg: string
  readonly installed: ReadonlyMap<string, Installed>
  /** source id → what the sync must do */
  readonly expected: ReadonlyMap<string, { readonly class: SyncClass; readonly localId: string | undefined }>
  /** the package id the collision session carries (B's local id of `named`) */
  readonly collisionId: string
}

/**
 * B holds an older copy of multi_turn_tools (fast_forward_import), an older copy of beta_cwd that
 * B continued with its own turn (diverged_lineage) and named as in the package (unchanged); the
 * package also holds zst, which B never had (new_lineage), and archived (which B never had either)
 * re-identified with B's local id of `named` (id_collision_unrelated: another conversation).
 */
export const mixedScenario = Effect.gen(function*() {
  const machine = codexMachine("empty")
  const older = sourceHome({ truncate: { multi_turn_tools: 35, beta_cwd: 13 } })
  const base = yield* exportPackage(older, ["multi_turn_tools", "beta_cwd", "named"])
  const installed = yield* install(base, machine)
  const local = (role: Role) => installed.get(idOf(role))!
  appendLines(local("beta_cwd").rollout, continuationLines(local("beta_cwd").rollout, "Also list the hidden files, on B."))

  const newer = sourceHome({ bumpRows: ["multi_turn_tools", "beta_cwd"] })
  const pkg = yield* exportPackage(newer, ["multi_turn_tools", "beta_cwd", "named", "archived", "zst"], "dir")
  const collisionId = local("named").localId
  reidentify(pkg, idOf("archived"), collisionId)
  const expected = new Map<string, { class: SyncClass; localId: string | undefined }>([
    [idOf("multi_turn_tools"), { class: "fast_forward_import", localId: local("multi_turn_tools").localId }],
    [idOf("beta_cwd"), { class: "diverged_lineage", localId: local("beta_cwd").localId }],
    [idOf("named"), { class: "unchanged", localId: local("named").localId }],
    [collisionId, { class: "id_collision_unrelated", localId: collisionId }],
    [idOf("zst"), { class: "new_lineage", localId: undefined }]
  ])
  return { machine, pkg, installed, expected, collisionId } satisfies Mixed
})

/** Asserts a plan/result classifies the mixed package as expected. */
export const assertMixedPlan = (result: SyncJson, mixed: Mixed): void => {
  assert.strictEqual(result.sessions.length, 5)
  assert.deepStrictEqual(result.counts, countsOf({
    new_lineage: 1,
    unchanged: 1,
    fast_forward_import: 1,
    diverged_lineage: 1,
    id_collision_unrelated: 1
  }))
  for (const [sourceId, want] of mixed.expected) {
    const d = decisionOf(result, sourceId)
    assert.strictEqual(d.class, want.class, `${sourceId}: ${d.detail}`)
    assert.strictEqual(d.local_id, want.localId, `${sourceId}: ${d.detail}`)
  }
}
