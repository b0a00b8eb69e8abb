/**
 * The committed real-Claude fixtures (fixtures/claude) for tests: typed access to
 * fixtures.json and scoped copies of the fixture config dir.
 *
 * @since 0.1.0
 */
import * as FixtureInventory from "@sessionport/codex-oracle/FixtureInventory"
import { FileSystem, Path } from "@effect/platform"
import { Effect } from "effect"
import * as path from "node:path"

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..")

/** `fixtures/claude`. @since 0.1.0 @category constants */
export const fixturesDir = path.join(repoRoot, "fixtures", "claude")

/**
 * The committed Claude config dir (what `CLAUDE_CONFIG_DIR` pointed at); never written to:
 * tests work on copies.
 *
 * @since 0.1.0
 * @category constants
 */
export const fixtureHome = path.join(fixturesDir, "home")

/** @since 0.1.0 @category models */
export interface FixtureSession {
  readonly sessionId: string
  /** Relative to the config dir: `projects/<dir>/<id>.jsonl`. */
  readonly transcript: string
  readonly cwd: string
  /** The user's prompts, in order. */
  readonly prompts: ReadonlyArray<string>
  /** `sdk-cli` for `claude -p`, `cli` for the interactive TUI. */
  readonly entrypoint: string
  readonly customTitle?: string
  /** Line kinds (`ClaudeHome.lineType`) and their counts. */
  readonly lineTypes: Readonly<Record<string, number>>
  readonly note?: string
}

/** @since 0.1.0 @category models */
export interface Fixtures {
  readonly claudeCodeVersion: string
  readonly agentSdkVersion: string
  readonly source: {
    readonly root: string
    /** HOME of Claude. */
    readonly home: string
    /** CLAUDE_CONFIG_DIR, the folder copied to `home/`. */
    readonly configDir: string
    readonly alpha: string
    readonly beta: string
  }
  readonly sessions: Readonly<Record<string, FixtureSession>>
}

const inventory = FixtureInventory.make<Fixtures, FixtureSession>(fixturesDir)

/** Whether the fixtures were generated (`pnpm fixtures:claude`). @since 0.1.0 @category constants */
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
export interface HomeCopy {
  /** The temp folder holding everything. */
  readonly root: string
  /** HOME for Claude: `<root>/user`. */
  readonly home: string
  /** CLAUDE_CONFIG_DIR: `<root>/user/.claude`, a copy of {@link fixtureHome}. */
  readonly configDir: string
}

/**
 * A copy of the fixture config dir in a temp folder that is removed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const copyHome = Effect.fn("Fixtures.copyHome")(function*(options: { readonly prefix?: string } = {}) {
  const fileSystem = yield* FileSystem.FileSystem
  const paths = yield* Path.Path
  const root = yield* fileSystem.makeTempDirectoryScoped({ prefix: options.prefix ?? "claude-fixture-" })
  const home = paths.join(root, "user")
  const configDir = paths.join(home, ".claude")
  yield* fileSystem.makeDirectory(home, { recursive: true })
  yield* fileSystem.copy(fixtureHome, configDir, { preserveTimestamps: true })
  return { root, home, configDir } satisfies HomeCopy
})
