import { NodeContext } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { CodexHome, CodexHomeError } from "@sessionport/codex-home"
import { Chunk, Effect, Layer, Logger, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  copyFixtureHome,
  fixtureByRole,
  fixtures,
  fixtureThreads,
  removeTemps,
  sqlThreads,
  tempDir,
  writeLines
} from "@sessionport/codex-oracle/Fixtures"
import { assistant, sessionMeta, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"

afterAll(removeTemps)

const withHome = <A, E>(root: string, effect: Effect.Effect<A, E, CodexHome.CodexHome>) =>
  effect.pipe(Effect.provide(CodexHome.layer({ root }).pipe(Layer.provide(NodeContext.layer))))

const files = (root: string) =>
  withHome(root, Effect.flatMap(CodexHome.CodexHome, (home) => Stream.runCollect(home.sessionFiles))).pipe(
    Effect.map(Chunk.toReadonlyArray)
  )

const head = (root: string, file: string) =>
  withHome(root, Effect.flatMap(CodexHome.CodexHome, (home) => home.readHead({ path: file })))

/** Log lines at warning level and above, for the assertions on skipped input. */
const captureWarnings = () => {
  const lines: Array<string> = []
  const logger = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning" || logLevel._tag === "Error") lines.push(String(message))
    })
  )
  return { lines, logger }
}

describe("CodexHome", () => {
  describe("resolution", () => {
    it.effect("--codex-home wins over CODEX_HOME, which wins over ~/.codex", () =>
      Effect.gen(function*() {
        const base = tempDir("resolve")
        const flag = path.join(base, "flag-home")
        const env = path.join(base, "env-home")
        const user = path.join(base, "user")
        for (const dir of [flag, env, path.join(user, ".codex")]) fs.mkdirSync(dir, { recursive: true })
        const saved = { HOME: process.env.HOME, CODEX_HOME: process.env.CODEX_HOME }
        const rootOf = (config: CodexHome.CodexHomeConfig) =>
          Effect.map(CodexHome.CodexHome, (home) => home.root).pipe(
            Effect.provide(CodexHome.layer(config).pipe(Layer.provide(NodeContext.layer)))
          )
        try {
          process.env.HOME = user
          process.env.CODEX_HOME = env
          assert.strictEqual(yield* rootOf({ root: flag }), flag)
          assert.strictEqual(yield* rootOf({}), env)
          process.env.CODEX_HOME = ""
          assert.strictEqual(yield* rootOf({}), path.join(user, ".codex"))
          delete process.env.CODEX_HOME
          assert.strictEqual(yield* rootOf({}), path.join(user, ".codex"))
          // relative roots are made absolute
          assert.strictEqual(yield* rootOf({ root: path.relative(process.cwd(), flag) }), flag)
        } finally {
          for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key]
            else process.env[key] = value
          }
        }
      }))

    it.effect("fails not_found on a missing home, with a one-line hint", () =>
      Effect.gen(function*() {
        const missing = path.join(tempDir("missing"), "nope")
        const error = yield* Effect.flip(withHome(missing, CodexHome.CodexHome))
        assert.strictEqual(error.reason, "not_found")
        assert.strictEqual(error.message, `Codex home ${missing} does not exist (set --codex-home or CODEX_HOME)`)
        const file = path.join(tempDir("file"), "home")
        fs.writeFileSync(file, "")
        assert.strictEqual((yield* Effect.flip(withHome(file, CodexHome.CodexHome))).reason, "not_a_directory")
      }))

    it.effect("paths under the root", () =>
      withHome(
        copyFixtureHome(),
        Effect.map(CodexHome.CodexHome, (home) => {
          assert.strictEqual(home.sessionsDir, path.join(home.root, "sessions"))
          assert.strictEqual(home.archivedDir, path.join(home.root, "archived_sessions"))
          assert.strictEqual(home.stateDbPath, path.join(home.root, "state_5.sqlite"))
          assert.strictEqual(home.sessionIndexPath, path.join(home.root, "session_index.jsonl"))
          assert.strictEqual(home.relativePath(path.join(home.root, "a", "b")), "a/b")
        })
      ))
  })

  describe("sessionFiles", () => {
    it.effect("lists every fixture rollout, archived and .zst included", () =>
      Effect.gen(function*() {
        const root = copyFixtureHome()
        const listed = yield* files(root)
        assert.strictEqual(listed.length, 6)
        assert.deepStrictEqual(
          listed.map((f) => f.threadId).sort(),
          fixtureThreads.map((s) => s.threadId).sort()
        )
        for (const expected of fixtureThreads) {
          const file = listed.find((f) => f.threadId === expected.threadId)!
          assert.strictEqual(file.relativePath, expected.rollout)
          assert.strictEqual(file.path, path.join(root, ...expected.rollout.split("/")))
          assert.strictEqual(file.archived, expected.archived)
          assert.strictEqual(file.compressed, expected.compressed)
          const stat = fs.statSync(file.path)
          assert.strictEqual(file.size, stat.size)
          assert.strictEqual(file.mtimeMs, stat.mtime.getTime())
          assert.strictEqual(file.ignoredCopy, undefined)
          // the name's time, read as UTC: rollout-2026-11-21T09-17-11-… → 2026-11-21T09:17:11Z
          const m = /rollout-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-/.exec(expected.rollout)!
          assert.strictEqual(file.fileTime.toISOString(), `${m[1]}T${m[2]}:${m[3]}:${m[4]}.000Z`)
        }
        // date folders first, archived last
        assert.isTrue(listed.at(-1)!.archived)
      }))

    it.effect("skips names Codex would not parse and folders that are not dates", () =>
      Effect.gen(function*() {
        const root = tempDir()
        const id = uuid(1)
        const day = path.join(root, "sessions", "2026", "01", "02")
        fs.mkdirSync(day, { recursive: true })
        for (
          const name of [
            `rollout-2026-01-02T10-00-00-${id}.jsonl`, // kept
            `rollout-2026-01-02T10-00-00.123Z-${uuid(2)}.jsonl`, // milliseconds: invalid
            `rollout-2026-01-02-${uuid(3)}.jsonl`, // no time
            `rollout-2026-02-31T10-00-00-${uuid(4)}.jsonl`, // no such day
            `rollout-2026-01-02T10-00-00-not-a-uuid.jsonl`,
            `rollout-2026-01-02T10-00-00-${uuid(5)}.json`,
            `notes-${uuid(6)}.jsonl`
          ]
        ) fs.writeFileSync(path.join(day, name), "{}\n")
        fs.mkdirSync(path.join(day, `rollout-2026-01-02T10-00-00-${uuid(7)}.jsonl`))
        fs.mkdirSync(path.join(root, "sessions", "misc", "01", "01"), { recursive: true })
        fs.writeFileSync(
          path.join(root, "sessions", "misc", "01", "01", `rollout-2026-01-01T10-00-00-${uuid(8)}.jsonl`),
          "{}\n"
        )
        // the 2025 flat layout under sessions/ is not listed by Codex either
        fs.writeFileSync(path.join(root, "sessions", `rollout-2025-07-01T10-00-00-${uuid(9)}.jsonl`), "{}\n")
        // upper-case and 32-digit UUIDs parse, as Uuid::parse_str does
        fs.writeFileSync(path.join(day, `rollout-2026-01-02T11-00-00-${uuid(10).toUpperCase()}.jsonl`), "{}\n")
        fs.writeFileSync(path.join(day, `rollout-2026-01-02T12-00-00-${uuid(11).replaceAll("-", "")}.jsonl`), "{}\n")
        const listed = yield* files(root)
        assert.deepStrictEqual(listed.map((f) => f.threadId), [id, uuid(10), uuid(11)])
      }))

    it.effect("prefers x.jsonl over x.jsonl.zst and notes the copy", () =>
      Effect.gen(function*() {
        const root = copyFixtureHome()
        const zst = fixtureByRole("zst")
        const plainRel = zst.rollout.replace(/\.zst$/, "")
        writeLines(path.join(root, plainRel), [
          sessionMeta({ id: zst.threadId, cwd: zst.cwd }),
          userMessage("materialized for append")
        ])
        const listed = (yield* files(root)).filter((f) => f.threadId === zst.threadId)
        assert.strictEqual(listed.length, 1)
        assert.strictEqual(listed[0]!.relativePath, plainRel)
        assert.isFalse(listed[0]!.compressed)
        assert.strictEqual(listed[0]!.ignoredCopy, zst.rollout)
      }))

    it.effect("a home without sessions folders lists nothing", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* files(tempDir()), [])
      }))
  })

  describe("readHead", () => {
    it.effect("reads session_meta and the first prompt of every fixture rollout", () =>
      Effect.gen(function*() {
        const root = copyFixtureHome()
        // Codex's own extraction, read with plain SQL
        const firstBySql = new Map(sqlThreads(root).map((row) => [row.id, row.first_user_message]))
        for (const expected of fixtureThreads) {
          const h = yield* head(root, path.join(root, expected.rollout))
          assert.strictEqual(h.threadId, expected.threadId)
          assert.strictEqual(h.cwd, expected.cwd)
          assert.strictEqual(h.source, expected.source)
          assert.strictEqual(h.cliVersion, fixtures.codexVersion)
          assert.strictEqual(h.modelProvider, "mock")
          assert.strictEqual(h.historyMode, "paginated")
          // a paginated fork's own file starts at its own turn; the parent's prompts live in the parent
          const own = expected.parentId === undefined ? expected.prompts[0] : expected.prompts.at(-1)
          assert.strictEqual(h.firstUserMessage, own)
          assert.strictEqual(h.firstUserMessage, firstBySql.get(expected.threadId))
        }
      }))

    it.effect("a fork names its parent and history base; git info is read", () =>
      Effect.gen(function*() {
        const root = copyFixtureHome()
        const fork = fixtureByRole("forked")
        const h = yield* head(root, path.join(root, fork.rollout))
        assert.strictEqual(h.forkedFromId, fork.parentId)
        assert.deepStrictEqual(h.historyBase, {
          threadId: fork.parentId!,
          endOrdinalExclusive: 60,
          endByteOffset: fs.statSync(path.join(root, fixtureByRole("forked_parent").rollout)).size
        })
        assert.strictEqual(h.git?.repositoryUrl, "https://example.com/sessionport/alpha.git")
        assert.strictEqual(h.git?.branch, "main")
        const beta = yield* head(root, path.join(root, fixtureByRole("beta_cwd").rollout))
        assert.strictEqual(beta.forkedFromId, undefined)
        assert.strictEqual(beta.historyBase, undefined)
        assert.strictEqual(beta.git, undefined)
        assert.strictEqual(beta.sessionId, beta.threadId)
      }))

    it.effect("hides a first prompt beyond Codex's 10 + 200 line scan, finds one on line 210", () =>
      Effect.gen(function*() {
        const root = tempDir()
        const make = (n: number, userLine: number) => {
          const id = uuid(n)
          const lines: Array<unknown> = [sessionMeta({ id, cwd: "/p" })]
          // blank lines are not counted
          for (let i = 2; i < userLine; i++) lines.push(assistant(`filler ${i}`), "")
          lines.push(userMessage("late prompt"))
          return writeRollout(root, id, new Date(Date.UTC(2026, 0, 1, 10, 0, n)), lines)
        }
        assert.strictEqual((yield* head(root, make(1, 210))).firstUserMessage, "late prompt")
        const hidden = yield* head(root, make(2, 211))
        assert.strictEqual(hidden.firstUserMessage, undefined)
        assert.strictEqual(hidden.threadId, uuid(2))
        // lines that are not JSON count too
        const id = uuid(3)
        const file = writeRollout(root, id, new Date(Date.UTC(2026, 0, 1, 10, 0, 3)), [
          sessionMeta({ id, cwd: "/p" }),
          ...Array.from({ length: 209 }, () => "{not json"),
          userMessage("after garbage")
        ])
        assert.strictEqual((yield* head(root, file)).firstUserMessage, undefined)
      }))

    it.effect("session_meta must be within the first 10 non-empty lines", () =>
      Effect.gen(function*() {
        const root = tempDir()
        const late = writeRollout(root, uuid(1), new Date(Date.UTC(2026, 0, 1)), [
          ...Array.from({ length: 10 }, (_, i) => assistant(`x${i}`)),
          sessionMeta({ id: uuid(1), cwd: "/p" }),
          userMessage("hi")
        ])
        const error = yield* Effect.flip(head(root, late))
        assert.strictEqual(error.reason, "bad_rollout")
        assert.include(error.message, late)
        const early = writeRollout(root, uuid(2), new Date(Date.UTC(2026, 0, 1)), [
          ...Array.from({ length: 9 }, (_, i) => assistant(`x${i}`)),
          sessionMeta({ id: uuid(2), cwd: "/p" }),
          userMessage("hi")
        ])
        assert.strictEqual((yield* head(root, early)).firstUserMessage, "hi")
      }))

    it.effect("a file with no session_meta says why: empty, only blank lines, first line not JSON", () =>
      Effect.gen(function*() {
        const root = tempDir()
        const cases: ReadonlyArray<readonly [string, string]> = [
          ["", "the file is empty"],
          ["\n  \n\n", "the file has only blank lines"],
          ["{\"type\":\"session_me\n" + JSON.stringify(userMessage("hi")) + "\n", "its first line is not JSON, and no session_meta is in its first 10 lines"],
          [JSON.stringify(assistant("no meta")) + "\n", "no session_meta in its first 10 lines"]
        ]
        for (const [i, [content, why]] of cases.entries()) {
          const file = path.join(root, `case-${i}.jsonl`)
          fs.writeFileSync(file, content)
          const error = yield* Effect.flip(head(root, file))
          assert.strictEqual(error.reason, "bad_rollout")
          assert.strictEqual(error.detail, why)
        }
      }))

    it.effect("a head line over headLineLimit is refused as it is read", () =>
      Effect.gen(function*() {
        const root = tempDir()
        const headOf = (file: string, headLineLimit: number) =>
          Effect.flatMap(CodexHome.CodexHome, (home) => home.readHead({ path: file })).pipe(
            Effect.provide(CodexHome.layer({ root, headLineLimit }).pipe(Layer.provide(NodeContext.layer)))
          )
        const id = uuid(1)
        const prompt = userMessage("y".repeat(3000))
        const file = writeRollout(root, id, new Date(Date.UTC(2026, 0, 1)), [sessionMeta({ id, cwd: "/p" }), prompt])
        const bytes = Buffer.byteLength(JSON.stringify(prompt))
        const error = yield* Effect.flip(headOf(file, 2048))
        assert.strictEqual(error.reason, "unreadable")
        assert.strictEqual(error.detail, `line 2 is ${bytes} bytes, over the 2048 bytes limit on a line sessionport decodes`)
        assert.strictEqual((yield* headOf(file, 4096)).firstUserMessage, "y".repeat(3000))
        if (process.platform !== "win32") {
          // a line that never ends: the read stops past the limit instead of going on forever
          const endless = yield* Effect.flip(headOf("/dev/zero", 200_000))
          assert.match(endless.detail!, /^line 1 is \d+ bytes, over the 200000 bytes limit on a line sessionport decodes$/)
        }
      }))

    it.effect("2025 user_message events: skips kind != plain and injected context, strips the request marker", () =>
      Effect.gen(function*() {
        const root = tempDir()
        const id = uuid(1)
        const file = writeRollout(root, id, new Date(Date.UTC(2025, 9, 1, 10)), [
          sessionMeta({ id, cwd: "/p", cli_version: "0.46.0" }),
          userMessage("<user_instructions>\nbe brief\n</user_instructions>", { kind: "user_instructions" }),
          userMessage("<environment_context>\n  <cwd>/p</cwd>\n</environment_context>", { kind: "environment_context" }),
          userMessage("<environment_context><cwd>/p</cwd></environment_context>"),
          userMessage("   ", { kind: "plain" }),
          userMessage("Context first\n## My request for Codex:\n  Fix the flaky test  ", { kind: "plain" })
        ])
        const h = yield* head(root, file)
        assert.strictEqual(h.firstUserMessage, "Fix the flaky test")
        assert.strictEqual(h.historyMode, undefined)
      }))

    it.effect("the first session_meta is canonical", () =>
      Effect.gen(function*() {
        const root = tempDir()
        const file = writeRollout(root, uuid(1), new Date(Date.UTC(2026, 0, 1)), [
          sessionMeta({ id: uuid(1), cwd: "/mine" }),
          sessionMeta({ id: uuid(2), cwd: "/theirs" }),
          userMessage("go")
        ])
        const h = yield* head(root, file)
        assert.strictEqual(h.threadId, uuid(1))
        assert.strictEqual(h.cwd, "/mine")
      }))

    it.effect("reads only the head of a large rollout", () =>
      Effect.gen(function*() {
        const root = tempDir()
        const id = uuid(1)
        const big = "x".repeat(10_000)
        const file = writeRollout(root, id, new Date(Date.UTC(2026, 0, 1)), [
          sessionMeta({ id, cwd: "/p" }),
          userMessage("first"),
          ...Array.from({ length: 800 }, () => assistant(big))
        ])
        // bytes this process read from files, as the kernel counts them (Linux)
        const readBytes = () => Number(/rchar: (\d+)/.exec(fs.readFileSync("/proc/self/io", "utf8"))![1])
        const before = readBytes()
        const h = yield* head(root, file)
        const bytes = readBytes() - before
        assert.strictEqual(h.firstUserMessage, "first")
        const size = fs.statSync(file).size
        assert.isAbove(size, 8_000_000)
        // one or two 64 kB reads of an 8 MB file (and /proc/self/io itself)
        assert.isAtMost(bytes, 256 * 1024)
      }))

    it.effect("a missing file fails missing_file, a folder unreadable", () =>
      Effect.gen(function*() {
        const root = tempDir()
        const gone = path.join(root, "gone.jsonl")
        const missing = yield* Effect.flip(head(root, gone))
        assert.strictEqual(missing.reason, "missing_file")
        assert.strictEqual(missing.message, `${gone} does not exist`)
        const folder = path.join(root, "folder.jsonl")
        fs.mkdirSync(folder)
        const unreadable = yield* Effect.flip(head(root, folder))
        assert.strictEqual(unreadable.reason, "unreadable")
        assert.notInclude(unreadable.message, "\n")
      }))
  })

  describe("sessionIndex", () => {
    it.effect("names from the fixture's session_index.jsonl", () =>
      Effect.gen(function*() {
        const root = copyFixtureHome()
        const names = yield* withHome(root, Effect.flatMap(CodexHome.CodexHome, (home) => home.sessionIndex))
        const named = fixtureByRole("named")
        const independent = new Map(
          fs.readFileSync(path.join(root, "session_index.jsonl"), "utf8").split("\n").filter((l) => l.trim() !== "")
            .map((l) => JSON.parse(l)).map((j) => [j.id, j.thread_name])
        )
        assert.deepStrictEqual([...names], [...independent])
        assert.strictEqual(names.get(named.threadId), named.name)
      }))

    it.effect("newest line wins, blank names and broken lines are skipped with a warning", () =>
      Effect.gen(function*() {
        const root = tempDir()
        fs.writeFileSync(
          path.join(root, "session_index.jsonl"),
          [
            JSON.stringify({ id: uuid(1), thread_name: "old", updated_at: "2026-01-01T00:00:00Z" }),
            "{\"id\":\"torn",
            JSON.stringify({ id: uuid(2), thread_name: "two", updated_at: "2026-01-01T00:00:01Z" }),
            JSON.stringify({ id: uuid(1), thread_name: "new", updated_at: "2026-01-02T00:00:00Z" }),
            JSON.stringify({ id: uuid(2), thread_name: "  ", updated_at: "2026-01-02T00:00:01Z" }),
            JSON.stringify({ id: uuid(3) }),
            ""
          ].join("\n")
        )
        const { lines, logger } = captureWarnings()
        const names = yield* withHome(root, Effect.flatMap(CodexHome.CodexHome, (home) => home.sessionIndex)).pipe(
          Effect.provide(logger)
        )
        assert.deepStrictEqual([...names].sort(), [[uuid(1), "new"], [uuid(2), "two"]])
        assert.strictEqual(lines.length, 2)
        assert.match(lines[0]!, /line 2/)
        assert.match(lines[1]!, /line 6/)
      }))

    it.effect("a missing file is an empty index", () =>
      Effect.gen(function*() {
        const names = yield* withHome(tempDir(), Effect.flatMap(CodexHome.CodexHome, (home) => home.sessionIndex))
        assert.strictEqual(names.size, 0)
      }))
  })

  it("CodexHomeError messages are one line", () => {
    const error = new CodexHomeError.CodexHomeError({
      reason: "unreadable",
      path: "/x",
      detail: "EACCES:\n  permission denied"
    })
    assert.strictEqual(error.message, "cannot read /x: EACCES: permission denied")
  })
})
