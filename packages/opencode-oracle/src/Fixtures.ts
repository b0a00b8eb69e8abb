/**
 * The committed real-OpenCode fixtures (fixtures/opencode) for tests: typed access to
 * fixtures.json and scoped copies of the fixture data dir.
 *
 * @since 0.1.0
 */
import * as FixtureInventory from "@sessionport/codex-oracle/FixtureInventory"
import { openDatabase } from "@sessionport/codex-oracle/Fixtures"
import { FileSystem, Path } from "@effect/platform"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..")

/** `fixtures/opencode`. @since 0.1.0 @category constants */
export const fixturesDir = path.join(repoRoot, "fixtures", "opencode")

/**
 * The committed OpenCode data dir (`$XDG_DATA_HOME/opencode`, holding `opencode.db`); never
 * written to: tests work on copies (OpenCode opens its database read-write).
 *
 * @since 0.1.0
 * @category constants
 */
export const fixtureData = path.join(fixturesDir, "data")

/** @since 0.1.0 @category models */
export interface FixtureSession {
  readonly sessionId: string
  /** `session.directory`: the cwd of its runs. */
  readonly directory: string
  /** The root commit of a git project, `global` outside git. */
  readonly projectId: string
  readonly title: string
  /** The user's prompts, in order. */
  readonly prompts: ReadonlyArray<string>
  /** The tools that ran, in order. */
  readonly tools: ReadonlyArray<string>
  readonly messages: number
  readonly parts: number
  readonly note?: string
}

/** @since 0.1.0 @category models */
export interface Fixtures {
  readonly opencodeVersion: string
  readonly source: {
    readonly root: string
    /** HOME of OpenCode. */
    readonly home: string
    /** XDG_DATA_HOME; its `opencode/` is copied to `data/`. */
    readonly dataHome: string
    readonly alpha: string
    readonly beta: string
  }
  readonly sessions: Readonly<Record<string, FixtureSession>>
  /** Rows per table of `data/opencode.db`. */
  readonly tableRows: Readonly<Record<string, number>>
}

const inventory = FixtureInventory.make<Fixtures, FixtureSession>(fixturesDir)

/** Whether the fixtures were generated (`pnpm fixtures:opencode`). @since 0.1.0 @category constants */
export const available: boolean = inventory.available

/**
 * fixtures.json, read once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load: () => Fixtures = inventory.load

/** @since 0.1.0 @category getters */
export const byRole: (role: string) => FixtureSession = inventory.byRole

/** @since 0.1.0 @category models */
export interface DataCopy {
  /** The temp folder holding everything. */
  readonly root: string
  /** HOME for OpenCode: `<root>/user`. */
  readonly home: string
  /** XDG_DATA_HOME: `<root>/user/.local/share`. */
  readonly dataHome: string
  /** `<dataHome>/opencode`, a copy of {@link fixtureData}. */
  readonly dataDir: string
}

/**
 * A copy of the fixture data dir in a temp folder that is removed when the scope closes. Pass
 * `home` and `dataHome` to `OpencodeCli.make` (the XDG defaults under `home` match).
 *
 * @since 0.1.0
 * @category constructors
 */
export const copyData = Effect.fn("Fixtures.copyData")(function*(options: { readonly prefix?: string } = {}) {
  const fileSystem = yield* FileSystem.FileSystem
  const paths = yield* Path.Path
  const root = yield* fileSystem.makeTempDirectoryScoped({ prefix: options.prefix ?? "opencode-fixture-" })
  const home = paths.join(root, "user")
  const dataHome = paths.join(home, ".local", "share")
  const dataDir = paths.join(dataHome, "opencode")
  yield* fileSystem.makeDirectory(dataHome, { recursive: true })
  yield* fileSystem.copy(fixtureData, dataDir, { preserveTimestamps: true })
  return { root, home, dataHome, dataDir } satisfies DataCopy
})

/** The tables of a data folder's database that hold what OpenCode made (every one but `migration`). */
const CONTENT_TABLES = [
  "part",
  "message",
  "todo",
  "session_share",
  "session_message",
  "session_input",
  "session_context_epoch",
  "session",
  "project_directory",
  "permission",
  "workspace",
  "event",
  "event_sequence",
  "project",
  "account_state",
  "account",
  "control_account",
  "credential",
  "data_migration"
]

/**
 * An OpenCode 1.18.33 data folder with no sessions, at `dataDir` (created): the fixture database
 * with every row but its migrations deleted, as OpenCode leaves a database it made and never
 * used. Synchronous, for tests that need a target quickly (a real first run takes seconds).
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyData = (dataDir: string): string => {
  fs.mkdirSync(dataDir, { recursive: true })
  const file = path.join(dataDir, "opencode.db")
  fs.copyFileSync(path.join(fixtureData, "opencode.db"), file)
  const db = openDatabase(file)
  try {
    db.exec(`PRAGMA foreign_keys = OFF; ${CONTENT_TABLES.map((t) => `DELETE FROM "${t}";`).join(" ")} VACUUM;`)
  } finally {
    db.close()
  }
  return file
}
