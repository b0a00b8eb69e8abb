/**
 * The committed real-Codex fixtures (fixtures/codex) for tests: typed access to fixtures.json,
 * copies of the fixture home, temporary folders, and plain SQLite reads for independent checks.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"

/** The repository. @since 0.2.0 @category constants */
export const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..")

/** The committed Codex 0.169 home; never written to: tests work on copies. */
export const fixtureHome = path.join(repoRoot, "fixtures", "codex", "home")

export interface FixtureSession {
  readonly threadId: string
  readonly rollout: string
  readonly cwd: string
  readonly source: string
  readonly prompts: ReadonlyArray<string>
  readonly archived: boolean
  readonly compressed: boolean
  readonly parentId?: string
  readonly name?: string
}

export interface Fixtures {
  readonly codexVersion: string
  readonly source: { readonly alpha: string; readonly beta: string; readonly root: string }
  readonly sessions: Readonly<Record<string, FixtureSession>>
}

export const fixtures: Fixtures = JSON.parse(
  fs.readFileSync(path.join(repoRoot, "fixtures", "codex", "fixtures.json"), "utf8")
)

/** One entry per thread (`multi_turn_tools`, `resumed` and `forked_parent` are one thread). */
export const fixtureThreads: ReadonlyArray<FixtureSession> = [
  ...new Map(Object.values(fixtures.sessions).map((s) => [s.threadId, s])).values()
]

export const fixtureByRole = (role: string): FixtureSession => {
  const session = fixtures.sessions[role]
  if (session === undefined) throw new Error(`no fixture session ${role}`)
  return session
}

const temps: Array<string> = []

/** A fresh temporary folder, removed by {@link removeTemps}. */
export const tempDir = (label = "home"): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sessionport-${label}-`))
  temps.push(dir)
  return dir
}

export const removeTemps = (): void => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
}

/** A copy of the fixture home in a temporary folder. */
export const copyFixtureHome = (options: { readonly withDatabase?: boolean } = {}): string => {
  const dir = tempDir()
  fs.cpSync(fixtureHome, dir, { recursive: true, preserveTimestamps: true })
  if (options.withDatabase === false) {
    for (const name of fs.readdirSync(dir)) if (name.startsWith("state_5.sqlite")) fs.rmSync(path.join(dir, name))
  }
  return dir
}

export const writeLines = (file: string, lines: ReadonlyArray<unknown>): void => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, lines.map((line) => typeof line === "string" ? line : JSON.stringify(line)).join("\n") + "\n")
}

/** better-sqlite3, the driver under @effect/sql-sqlite-node, for independent reads and lock holding. */
export interface Database {
  prepare(sql: string): {
    all(...params: Array<unknown>): Array<any>
    get(...params: Array<unknown>): any
    run(...params: Array<unknown>): unknown
  }
  exec(sql: string): void
  close(): void
}

const requireHere = createRequire(import.meta.url)
const BetterSqlite3 = createRequire(requireHere.resolve("@effect/sql-sqlite-node/package.json"))(
  "better-sqlite3"
) as new(file: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => Database

export const openDatabase = (
  file: string,
  options: { readonly?: boolean; fileMustExist?: boolean; timeout?: number } = {}
): Database => new BetterSqlite3(file, { fileMustExist: true, ...options })

/** Every `threads` row, read with plain SQL. */
export const sqlThreads = (home: string): Array<Record<string, unknown>> => {
  const db = openDatabase(path.join(home, "state_5.sqlite"), { readonly: true })
  try {
    return db.prepare("SELECT * FROM threads ORDER BY id").all()
  } finally {
    db.close()
  }
}

/**
 * Makes `dir` (and its missing parents) a real folder, for an agent to run in the folder its
 * fixture sessions were made in; answers what removes exactly what was created.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeFolder = (dir: string): (() => void) => {
  let top: string | undefined
  for (let at = dir; !fs.existsSync(at); at = path.dirname(at)) top = at
  fs.mkdirSync(dir, { recursive: true })
  return () => {
    if (top !== undefined) fs.rmSync(top, { recursive: true, force: true })
  }
}
