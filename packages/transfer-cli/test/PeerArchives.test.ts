/**
 * Archives of coding-cli-session-sync (built from its documented format by
 * @sessionport/codex-oracle/PeerArchives, one per agent) read by `inspect`, `list`, `install`
 * and `sync` as the packages made of them: integrity unverified (the peer's checksum covers
 * another file), sessions with new ids and localized folders, the journal naming the archive,
 * a rollback back to before, a second sync writing nothing; the peer's `config.toml` and files
 * named like credentials never land. Then the real Codex CLI resumes a session installed from
 * the Codex archive (its day held a `.jsonl.zst`). Expected values come from the fixtures and
 * the archive's files, not from the code under test.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Harness as ClaudeHarness, MessagesServer } from "@sessionport/claude-oracle"
import { PackageSource } from "@sessionport/cli-kit"
import { fixtureByRole, fixtures as codexFixtures, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { codexOn, machine } from "@sessionport/codex-oracle/Harness"
import { homeState } from "@sessionport/codex-oracle/HomeState"
import { sha256, snapshot } from "@sessionport/codex-oracle/PackageBuilders"
import * as Peer from "@sessionport/codex-oracle/PeerArchives"
import { Fixtures as OpencodeFixtures, Harness as OpencodeHarness } from "@sessionport/opencode-oracle"
import { dataState } from "@sessionport/opencode-oracle/DataState"
import { Credentials, Progress } from "@sessionport/package-format"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { sessionSync } from "../../sync-cli/test/utils/cli.js"
import { type CliResult, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const ok = (run: CliResult) => {
  assert.strictEqual(run.code, 0, run.stderr)
  return JSON.parse(run.stdout)
}

/** A machine that never ran these sessions: an empty Codex home with its own config, an empty Claude home, OpenCode's fixture data. */
const target = () => {
  const root = tempDir("peer-target")
  const home = path.join(root, "user")
  const codex = path.join(home, ".codex")
  const claude = path.join(home, ".claude")
  const opencode = path.join(home, ".local", "share", "opencode")
  fs.mkdirSync(codex, { recursive: true })
  fs.mkdirSync(claude, { recursive: true })
  fs.writeFileSync(path.join(codex, "config.toml"), "model = \"this-machine\"\n")
  fs.cpSync(OpencodeFixtures.fixtureData, opencode, { recursive: true })
  const work = (name: string) => {
    const dir = path.join(home, "work", name)
    fs.mkdirSync(dir, { recursive: true })
    return dir
  }
  return {
    home,
    codex,
    claude,
    opencode,
    work,
    options: ["--codex-home", codex, "--claude-home", claude, "--opencode-data", opencode],
    env: { HOME: home },
    state: () => ({ codex: homeState(codex), claude: homeState(claude), opencode: dataState(opencode) })
  }
}

type Target = ReturnType<typeof target>

/** One agent's archive, its sessions, and where each must land on the target. */
interface Case {
  readonly tool: Peer.PeerTool
  readonly build: (dir: string) => Promise<string>
  /** source id → its folder on the source machine */
  readonly sessions: ReadonlyMap<string, string>
  /** the `--map`s the target needs, and the folder each source folder becomes */
  readonly localize: (t: Target) => { readonly maps: ReadonlyArray<string>; readonly cwd: (source: string) => string }
}

const mapped = (pairs: ReadonlyArray<readonly [string, string]>) => (t: Target) => {
  const to = new Map(pairs.map(([from, name]) => [from, t.work(name)]))
  return { maps: [...to].flatMap(([from, dir]) => ["--map", `${from}=${dir}`]), cwd: (source: string) => to.get(source)! }
}

const claudeSessions = Peer.claudeSelected.map(Peer.claudeSession)

const cases: ReadonlyArray<Case> = [
  {
    tool: "codex",
    build: (dir) => Peer.codexArchive(dir),
    sessions: new Map(Peer.codexRoles.map((role) => [fixtureByRole(role).threadId, fixtureByRole(role).cwd])),
    localize: mapped([[codexFixtures.source.alpha, "alpha"], [codexFixtures.source.beta, "beta"]])
  },
  {
    tool: "claude",
    build: (dir) => Peer.claudeArchive(dir),
    sessions: new Map(claudeSessions.map((s) => [s.sessionId, s.cwd])),
    localize: mapped([...new Set(claudeSessions.map((s) => s.cwd))].map((cwd) => [cwd, path.basename(cwd)] as const))
  },
  {
    tool: "opencode",
    build: (dir) => Peer.opencodeArchive(dir),
    sessions: new Map([[Peer.OPENCODE_SESSION, Peer.OPENCODE_CWD]]),
    // its folder is under /home/alice, the home the archive's sessions share: mapped to this HOME without --map
    localize: (t) => {
      const dir = path.join(t.home, "proj-oc")
      fs.mkdirSync(dir, { recursive: true })
      return { maps: [], cwd: () => dir }
    }
  }
]

/** Files under `dir` (relative), folders left out. */
const filesUnder = (dir: string) => fs.existsSync(dir) ? snapshot(dir).filter((p) => !p.endsWith("/")) : []

const holds = (dir: string, needle: string) => filesUnder(dir).some((p) => fs.readFileSync(path.join(dir, p)).includes(needle))

describe("a coding-cli-session-sync archive as input", () => {
  for (const c of cases) {
    it.effect(`${c.tool}: inspect, list, install, rollback, sync twice`, () =>
      Effect.gen(function*() {
        const archive = yield* Effect.promise(() => c.build(tempDir("peer-archive")))
        const t = target()
        const { cwd, maps } = c.localize(t)
        const before = t.state()
        const codexConfig = fs.readFileSync(path.join(t.codex, "config.toml"))
        const expectedIds = [...c.sessions.keys()].sort()

        // inspect: the archive's sessions, integrity unverified, where it came from
        const inspected = ok(yield* sessionTransfer(["inspect", archive, "--json"], { env: t.env }))
        assert.strictEqual(inspected.path, archive)
        assert.strictEqual(inspected.integrity, "unverified")
        assert.strictEqual(inspected.producer, `coding-cli-session-sync 1.0 (${c.tool})`)
        assert.deepStrictEqual(inspected.sessions.map((s: any) => s.thread_id).sort(), expectedIds)
        for (const s of inspected.sessions) assert.strictEqual(s.cwd, c.sessions.get(s.thread_id), s.thread_id)
        const origin = inspected.origin
        assert.strictEqual(origin.format, "coding-cli-session-sync")
        assert.strictEqual(origin.tool, c.tool)
        assert.strictEqual(origin.archive, archive)
        assert.strictEqual(origin.archive_sha256, sha256(fs.readFileSync(archive)))
        assert.isString(origin.stated_checksum)
        assert.notStrictEqual(origin.stated_checksum, origin.archive_sha256)
        assert.strictEqual(origin.source_hostname, Peer.SOURCE_HOSTNAME)
        assert.strictEqual(origin.export_timestamp, Peer.EXPORT_TIMESTAMP)
        assert.notInclude(JSON.stringify(inspected), "failed")
        assert.notInclude(JSON.stringify(inspected), "mismatch")
        const human = yield* sessionTransfer(["inspect", archive], { env: t.env })
        assert.include(human.stdout, "integrity   unverified: a coding-cli-session-sync archive")
        assert.notMatch(human.stdout + human.stderr, /failed|mismatch/)

        // list: every session new here
        const listedNew = ok(yield* sessionTransfer(["list", archive, ...t.options, "--json"], { env: t.env }))
        assert.strictEqual(listedNew.package, archive)
        assert.strictEqual(listedNew.origin.tool, c.tool)
        assert.deepStrictEqual(listedNew.sessions.map((s: any) => [s.id, s.status]).sort(), expectedIds.map((id) => [id, "new"]))

        // install: new ids, localized folders, the archive in the journal
        const installRun = yield* sessionTransfer(["install", archive, ...t.options, ...maps, "--yes", "--json"], { env: t.env })
        const installed = ok(installRun)
        assert.strictEqual(installed.package, archive)
        assert.strictEqual(installed.origin.tool, c.tool)
        assert.deepStrictEqual(installed.sessions.map((s: any) => s.source_id).sort(), expectedIds)
        for (const s of installed.sessions) {
          assert.notStrictEqual(s.local_id, s.source_id)
          assert.strictEqual(s.cwd, cwd(c.sessions.get(s.source_id)!), s.source_id)
        }
        assert.notMatch(installRun.stderr, /failed|mismatch/)
        const human2 = yield* sessionTransfer(["install", archive, ...t.options, ...maps, "--yes", "--dry-run"], { env: t.env })
        assert.include(human2.stdout, `from a coding-cli-session-sync archive (${c.tool}), integrity unverified`)
        const transactions = ok(yield* sessionTransfer(["list-transactions", ...t.options, "--json"], { env: t.env }))
        const tx = transactions.find((x: any) => x.id === installed.transaction_id)
        assert.strictEqual(tx.summary.package, archive)
        assert.strictEqual(tx.summary.package_id, inspected.manifest.package_id)

        // the peer's config and credentials never land
        assert.isTrue(fs.readFileSync(path.join(t.codex, "config.toml")).equals(codexConfig), "this machine's config.toml is untouched")
        for (const dir of [t.codex, t.claude, t.opencode]) {
          assert.isFalse(holds(dir, Peer.CONFIG_CANARY), `no config secret in ${dir}`)
          assert.isFalse(holds(dir, "ghp_canary"), `no credential in ${dir}`)
          for (const file of filesUnder(dir)) assert.isFalse(file.endsWith("my_token.txt") || file.includes("session-env"), file)
        }

        const listedHere = ok(yield* sessionTransfer(["list", archive, ...t.options, "--json"], { env: t.env }))
        assert.deepStrictEqual(listedHere.sessions.map((s: any) => [s.id, s.status]).sort(), expectedIds.map((id) => [id, "already_here"]))

        // rollback: exactly as before
        ok(yield* sessionTransfer(["rollback", installed.transaction_id, ...t.options, "--json"], { env: t.env }))
        assert.deepStrictEqual(t.state(), before)

        // sync twice: the same archive is the same package; the second writes nothing
        const first = ok(yield* sessionSync(["sync", archive, ...t.options, ...maps, "--yes", "--json"], { env: t.env }))
        assert.strictEqual(first.package, archive)
        assert.strictEqual(first.origin.tool, c.tool)
        assert.isString(first.transaction_id)
        assert.deepStrictEqual(first.sessions.map((s: any) => s.class), expectedIds.map(() => "new_lineage"))
        const afterFirst = t.state()
        const second = ok(yield* sessionSync(["sync", archive, ...t.options, ...maps, "--yes", "--json"], { env: t.env }))
        assert.isUndefined(second.transaction_id)
        assert.deepStrictEqual(second.sessions.map((s: any) => s.class), expectedIds.map(() => "unchanged"))
        assert.deepStrictEqual(t.state(), afterFirst)
        const syncs = ok(yield* sessionTransfer(["list-transactions", ...t.options, "--json"], { env: t.env }))
        assert.strictEqual(syncs.find((x: any) => x.id === first.transaction_id).summary.package_id, inspected.manifest.package_id)
      }), 240_000)
  }

  it.scoped("the package made of an archive holds neither its config.toml nor a file named like a credential", () =>
    Effect.gen(function*() {
      const dir = tempDir("peer-archive")
      for (const build of [Peer.codexArchive, Peer.claudeArchive, Peer.opencodeArchive]) {
        const archive = yield* Effect.promise(() => build(dir))
        const source = yield* PackageSource.open(archive)
        assert.notStrictEqual(source.path, archive)
        assert.strictEqual(source.label, archive)
        const files = filesUnder(source.path)
        assert.isAbove(files.length, 0)
        for (const file of files) {
          assert.isFalse(file.endsWith("config.toml"), file)
          assert.isFalse(Credentials.isCredentialPath(file), file)
        }
        assert.isFalse(holds(source.path, Peer.CONFIG_CANARY))
        assert.isFalse(holds(source.path, "ghp_canary"))
        // the source machine is the archive's, never this one nor the temp home it was read from
        const manifest = JSON.parse(fs.readFileSync(path.join(source.path, "package_manifest.json"), "utf8"))
        assert.strictEqual(manifest.source.hostname, Peer.SOURCE_HOSTNAME)
        assert.notInclude(JSON.stringify(manifest.source) + fs.readFileSync(path.join(source.path, "metadata/path_localization.json"), "utf8"), "sessionport-peer-")
      }
    }).pipe(Effect.provide(NodeContext.layer), Effect.provide(Progress.none)), 60_000)

  it.effect("a broken archive is refused with one line, nothing written", () =>
    Effect.gen(function*() {
      const dir = tempDir("peer-archive")
      const archive = yield* Effect.promise(() =>
        Peer.peerArchive(dir, "codex", [Peer.CODEX_DAY], [...Peer.codexEntries(), { name: ".codex/../../escape.txt", content: "x" }])
      )
      const t = target()
      const before = t.state()
      for (const run of [
        yield* sessionTransfer(["install", archive, ...t.options, "--yes"], { env: t.env }),
        yield* sessionSync(["sync", archive, ...t.options, "--yes"], { env: t.env })
      ]) {
        assert.strictEqual(run.code, 1, run.stdout)
        assert.match(run.stderr.trim(), /^[^\n]*\(\.codex\/\.\.\/\.\.\/escape\.txt\): path contains a '\.\.' segment$/)
      }
      assert.deepStrictEqual(t.state(), before)
    }), 60_000)
})

describe("a session installed from a coding-cli-session-sync archive, judged by the real Codex CLI", () => {
  it.scoped("codex exec resume sends the earlier turns, from the new folder", () =>
    Effect.gen(function*() {
      const archive = yield* Effect.promise(() => Peer.codexArchive(tempDir("peer-archive")))
      const { home, projects: [alphaB, betaB], root } = machine("peer-codex", { projects: ["alpha-here", "beta-here"] })
      const { cli, server } = yield* codexOn(home, root)
      const config = fs.readFileSync(path.join(home, "config.toml"))
      const installed = ok(
        yield* sessionTransfer([
          "install",
          archive,
          "--codex-home",
          home,
          "--map",
          `${codexFixtures.source.alpha}=${alphaB}`,
          "--map",
          `${codexFixtures.source.beta}=${betaB}`,
          "--yes",
          "--json"
        ], { env: { HOME: root } })
      )
      assert.isTrue(fs.readFileSync(path.join(home, "config.toml")).equals(config), "Codex's own config stays")
      const localId = (role: string) => installed.sessions.find((s: any) => s.source_id === fixtureByRole(role).threadId).local_id as string
      for (const [role, cwd] of [["multi_turn_tools", alphaB], ["zst", betaB]] as const) {
        yield* server.clearRequests
        const marker = `marker-${role}-${Date.now()}`
        yield* cli.resume({ cwd, threadId: localId(role), prompt: marker })
        const sent = (yield* server.requests).map((r) => r.text).find((text) => text.includes(marker))
        assert.isDefined(sent, `Codex sent the resumed ${role} conversation`)
        for (const prompt of fixtureByRole(role).prompts) assert.include(sent!, JSON.stringify(prompt).slice(1, -1), role)
        assert.include(sent!, `<cwd>${cwd}</cwd>`)
        // the project folders are this machine's (the source's Codex home, which the archive does not name, stays as it was)
        assert.notInclude(sent!, codexFixtures.source.alpha)
        assert.notInclude(sent!, codexFixtures.source.beta)
      }
    }).pipe(Effect.provide(NodeContext.layer)), 240_000)
})

describe("sessions installed from coding-cli-session-sync archives, judged by the real Claude Code and OpenCode", () => {
  it.scoped("claude -p --resume sends the earlier turns of a named session; the unnamed transcripts are not installed", () =>
    Effect.gen(function*() {
      const archive = yield* Effect.promise(() => Peer.claudeArchive(tempDir("peer-archive")))
      const b = yield* ClaudeHarness.machine({ projects: ["alpha-here", "beta-here"] })
      const [alphaB, betaB] = b.projects as [string, string]
      const [interactive, named] = claudeSessions as [Peer.ClaudeFixture, Peer.ClaudeFixture]
      const installed = ok(
        yield* sessionTransfer([
          "install",
          archive,
          "--claude-home",
          b.configDir,
          "--map",
          `${interactive.cwd}=${alphaB}`,
          "--map",
          `${named.cwd}=${betaB}`,
          "--yes",
          "--json"
        ], { env: { HOME: b.home } })
      )
      assert.deepStrictEqual(installed.sessions.map((s: any) => s.source_id).sort(), [interactive.sessionId, named.sessionId].sort())
      const localId = installed.sessions.find((s: any) => s.source_id === interactive.sessionId).local_id as string
      yield* b.server.clearRequests
      const resumed = yield* b.cli.print("marker-peer-resume", { resume: localId, cwd: alphaB })
      assert.strictEqual(resumed.sessionId, localId)
      const request = (yield* b.server.requests)[0]!
      const sent = MessagesServer.conversation(request).map((m) => m.text).join("\n")
      for (const prompt of [...interactive.prompts, "marker-peer-resume"]) assert.include(sent, prompt)
      assert.notInclude(request.text, interactive.cwd)
      for (const role of Peer.claudeUnselected) assert.notInclude(request.text, Peer.claudeSession(role).prompts[0]!)
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)

  it.scoped("opencode session list shows the session in its localized folder", () =>
    Effect.gen(function*() {
      const archive = yield* Effect.promise(() => Peer.opencodeArchive(tempDir("peer-archive")))
      const b = yield* OpencodeHarness.machine({ projects: ["alpha"], initDatabase: true })
      // the archive's sessions share /home/alice: this machine's HOME takes its place
      const folder = path.join(b.home, "proj-oc")
      fs.mkdirSync(folder, { recursive: true })
      const installed = ok(yield* sessionTransfer(["install", archive, "--opencode-data", b.dataDir, "--yes", "--json"], { env: { HOME: b.home } }))
      const [session] = installed.sessions
      assert.strictEqual(session.cwd, folder)
      const listed = yield* b.cli.sessionList({ cwd: folder })
      const row = listed.find((s) => s.id === session.local_id)
      assert.isDefined(row, JSON.stringify(listed))
      assert.strictEqual(row!.title, Peer.OPENCODE_TITLE)
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)
})
