/**
 * Regenerates `fixtures/codex/` with the real Codex CLI: `pnpm fixtures:codex`.
 *
 * Builds a Codex home and two projects under a fixed root (so tests can map the source
 * paths), drives Codex through every kind of session the importer must handle, then copies
 * the home (minus caches and anything secret) into the repository.
 */
import { Command, FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { AppServer, CodexCli, CodexHome, FixtureProjects, OutputItem, ResponsesServer } from "@sessionport/codex-oracle"
import { Console, Data, Duration, Effect, Option, Schedule } from "effect"

const SOURCE_ROOT = "/tmp/sessionport-fixture-src"
const repoRoot = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "")
const OUT = `${repoRoot}/fixtures/codex`

// Dropped from the copied home: Codex-bundled content, locks and caches, anything that could
// hold credentials or the machine's environment.
const DROP = new Set(["skills", ".tmp", "tmp", "thread-writer-locks", "shell_snapshots", "auth.json", "cache", "log"])
const MAX_LOGS_BYTES = 1_000_000

class FixtureError extends Data.TaggedError("FixtureError")<{ readonly detail: string }> {
  override get message() {
    return this.detail
  }
}

interface SessionEntry {
  readonly threadId: string
  readonly rollout: string
  readonly cwd: string
  readonly source: unknown
  readonly prompts: ReadonlyArray<string>
  readonly archived: boolean
  readonly compressed: boolean
  readonly parentId?: string
  readonly name?: string
  readonly note?: string
}

const alphaReadme = "# alpha\n\nA tiny project used to make Codex fixtures.\n"

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path

  const home = path.join(SOURCE_ROOT, "home")
  const alpha = path.join(SOURCE_ROOT, "projects", "alpha")
  const beta = path.join(SOURCE_ROOT, "projects", "beta")
  const userHome = path.join(SOURCE_ROOT, "user")

  yield* Console.log(`source root ${SOURCE_ROOT} (wiped)`)
  yield* fs.remove(SOURCE_ROOT, { recursive: true }).pipe(Effect.catchTag("SystemError", () => Effect.void))
  for (const dir of [home, alpha, beta, userHome]) yield* fs.makeDirectory(dir, { recursive: true })

  // alpha is a git repository (so session_meta carries git info), beta a plain folder.
  yield* FixtureProjects.make({ alpha, beta, home: userHome, readme: alphaReadme })
  yield* fs.writeFileString(path.join(beta, "data.csv"), "id,value\n1,alpha\n2,beta\n")

  const server = yield* ResponsesServer.make({ fallback: [OutputItem.message("OK.")] })
  const cli = yield* CodexCli.make({ codexHome: home, home: userHome, env: { TZ: "UTC", LANG: "C.UTF-8" } })
  const codexVersion = yield* cli.version
  yield* cli.writeConfig({ baseUrl: server.baseUrl })
  yield* Console.log(`codex ${codexVersion} (${cli.launcher.command}), server ${server.baseUrl}`)

  // Every scripted reply must have been asked for, and nothing more: otherwise a tool call
  // did not run as planned and the fixture would silently lack it.
  const run = <A, E, R>(label: string, replies: ReadonlyArray<ResponsesServer.Reply>, effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function*() {
      const before = (yield* server.requests).length
      yield* server.enqueue(...replies)
      const result = yield* effect
      const used = (yield* server.requests).length - before
      const left = yield* server.pending
      if (left !== 0 || used !== replies.length) {
        return yield* new FixtureError({
          detail: `${label}: Codex asked the model ${used} time(s), ${replies.length} replies were scripted`
        })
      }
      yield* Console.log(`  ${label}: ${used} model request(s)`)
      return result
    })

  const prompts: Record<string, Array<string>> = {}
  const exec = (label: string, cwd: string, prompt: string, replies: ReadonlyArray<ResponsesServer.Reply>) =>
    run(label, replies, cli.exec({ cwd, prompt })).pipe(
      Effect.tap((r) => Effect.sync(() => void (prompts[r.threadId] = [prompt])))
    )
  const resume = (
    label: string,
    cwd: string,
    threadId: string,
    prompt: string,
    replies: ReadonlyArray<ResponsesServer.Reply>
  ) =>
    run(label, replies, cli.resume({ cwd, threadId, prompt })).pipe(
      Effect.tap(() => Effect.sync(() => void (prompts[threadId] = [...(prompts[threadId] ?? []), prompt])))
    )

  // (a) one turn with reasoning, a successful and a failing command, a patch, a web search.
  const multi = yield* exec(
    "multi_turn_tools turn 1",
    alpha,
    "Look around this project, then add a notes file and link it from the README.",
    [
      [OutputItem.reasoning("The user wants notes. Let me read the README first."), OutputItem.execCommand("cat README.md")],
      [OutputItem.execCommand("cat docs/missing.md")],
      [
        OutputItem.reasoning("There are no docs yet, so I will add docs/notes.md and link it."),
        OutputItem.applyPatch(OutputItem.patch(
          OutputItem.addFileHunk("docs/notes.md", "# Notes\n\n- alpha prints a greeting (app.py)\n"),
          OutputItem.updateFileHunk(
            "README.md",
            "@@\n A tiny project used to make Codex fixtures.\n+\n+See docs/notes.md.\n"
          )
        ))
      ],
      [
        OutputItem.webSearch("codex apply_patch format"),
        OutputItem.message("Added `docs/notes.md` and linked it from `README.md`. (`docs/missing.md` did not exist.)")
      ]
    ]
  )
  const A = multi.threadId
  const notes = yield* fs.readFileString(path.join(alpha, "docs", "notes.md")).pipe(
    Effect.mapError(() => new FixtureError({ detail: "apply_patch did not create docs/notes.md" }))
  )
  if (!notes.startsWith("# Notes")) return yield* new FixtureError({ detail: "docs/notes.md has unexpected content" })

  // (b) two more turns via `codex exec resume`.
  yield* resume("resumed turn 2", alpha, A, "What changed in the working tree?", [
    [OutputItem.execCommand("git status --short")],
    [OutputItem.message("`README.md` is modified and `docs/` is new.")]
  ])
  yield* resume("resumed turn 3", alpha, A, "Thanks, that is all.", [[OutputItem.message("You're welcome.")]])

  // (c) a second working directory.
  const B = (yield* exec("beta_cwd", beta, "Which files are in this folder?", [
    [OutputItem.execCommand("ls -1")],
    [OutputItem.message("`data.csv` and `notes.txt`.")]
  ])).threadId

  // (f) to be named, (e) to be archived.
  const N = (yield* exec("named", beta, "Start a release checklist for beta.", [
    [OutputItem.message("1. Update data.csv\n2. Tag the release")]
  ])).threadId
  const R = (yield* exec("archived", alpha, "Throwaway question: what is 2 + 2?", [[OutputItem.message("4.")]])).threadId

  // (d) fork A and give the fork its own turn; archive R; name N.
  const forkPrompt = "In this fork, count the lines of the notes."
  const F = yield* Effect.scoped(Effect.gen(function*() {
    const app = yield* AppServer.make({ cwd: alpha }).pipe(Effect.provideService(CodexCli.CodexCli, cli))
    const fork = yield* app.threadFork({ threadId: A, cwd: alpha })
    const F = fork.thread.id
    yield* run("forked turn", [
      [OutputItem.execCommand("wc -l docs/notes.md")],
      [OutputItem.message("`docs/notes.md` has 3 lines.")]
    ], app.turnRun({ threadId: F, input: [{ type: "text", text: forkPrompt }] }))
    yield* app.threadArchive({ threadId: R })
    yield* app.threadNameSet({ threadId: N, name: "Release checklist" })
    return F
  }))
  prompts[F] = [...(prompts[A] ?? []), forkPrompt]

  // (g) a cold rollout, compressed by Codex's own worker (feature flag, mtime >= 7 days).
  const Z = (yield* exec("zst", beta, "An old question nobody will reopen: what is in data.csv?", [
    [OutputItem.message("Two rows: alpha and beta.")]
  ])).threadId
  const zPlain = Option.getOrThrow(yield* CodexHome.findRollout(home, Z))
  const tenDaysAgo = new Date(Date.now() - 10 * 24 * 3600 * 1000)
  yield* fs.utimes(zPlain.path, tenDaysAgo, tenDaysAgo)
  yield* cli.writeConfig({ baseUrl: server.baseUrl, features: { local_thread_store_compression: true } })
  const compressedByCodex = yield* Effect.scoped(Effect.gen(function*() {
    yield* AppServer.make({ cwd: beta }).pipe(Effect.provideService(CodexCli.CodexCli, cli))
    // The worker runs in the background once the thread store starts; poll up to 30 s.
    return yield* CodexHome.findRollout(home, Z).pipe(
      Effect.map(Option.exists((r) => r.compressed)),
      Effect.filterOrFail((done) => done, () => new FixtureError({ detail: "not compressed yet" })),
      Effect.retry({ schedule: Schedule.spaced(Duration.millis(500)), times: 60 }),
      Effect.orElseSucceed(() => false)
    )
  }))
  yield* cli.writeConfig({ baseUrl: server.baseUrl })
  yield* Console.log(`  zst: ${compressedByCodex ? "compressed by Codex" : "NOT compressed by Codex"}`)

  // Final view through the app-server, as a reader of this fixture would get it.
  const threads = yield* Effect.scoped(Effect.gen(function*() {
    const app = yield* AppServer.make({ cwd: SOURCE_ROOT }).pipe(Effect.provideService(CodexCli.CodexCli, cli))
    const live = yield* app.threadList({ sourceKinds: AppServer.allSourceKinds, limit: 100 })
    const archived = yield* app.threadList({ sourceKinds: AppServer.allSourceKinds, limit: 100, archived: true })
    return [...live.data, ...archived.data]
  }))
  for (const id of [A, B, N, R, F, Z]) {
    if (!threads.some((t) => t.id === id)) return yield* new FixtureError({ detail: `thread/list misses ${id}` })
  }

  // SQLite: Codex leaves WAL files beside the databases; fold them in so the copy is whole.
  const sqlite3 = yield* Command.make("sqlite3", "-version").pipe(Command.exitCode, Effect.option)
  const checkpointed = Option.exists(sqlite3, (code) => code === 0)
  const databases = (yield* fs.readDirectory(home)).filter((name) => name.endsWith(".sqlite"))
  if (checkpointed) {
    for (const db of databases) {
      yield* Command.make("sqlite3", path.join(home, db), "PRAGMA wal_checkpoint(TRUNCATE);").pipe(
        Command.exitCode,
        Effect.filterOrFail((code) => code === 0, () => new FixtureError({ detail: `checkpoint of ${db} failed` }))
      )
    }
  }

  // Copy the home.
  yield* fs.remove(OUT, { recursive: true }).pipe(Effect.catchTag("SystemError", () => Effect.void))
  yield* fs.makeDirectory(OUT, { recursive: true })
  const outHome = path.join(OUT, "home")
  yield* fs.copy(home, outHome, { preserveTimestamps: true })
  const dropped: Array<string> = []
  for (const name of yield* fs.readDirectory(outHome)) {
    const full = path.join(outHome, name)
    const size = Number((yield* fs.stat(full)).size)
    const isLock = name.endsWith(".lock")
    const isShm = name.endsWith("-shm") && checkpointed
    const bigLogs = name.startsWith("logs_") && name.endsWith(".sqlite") && size > MAX_LOGS_BYTES
    if (DROP.has(name) || isLock || isShm || bigLogs) {
      yield* fs.remove(full, { recursive: true })
      dropped.push(bigLogs ? `${name} (${size} bytes > 1 MB)` : name)
    }
  }
  const leftoverWal = (yield* fs.readDirectory(outHome)).filter((name) => name.endsWith("-wal"))

  // A zstd copy by the CLI only when Codex itself did not compress.
  let zstRelative: string | undefined
  if (!compressedByCodex) {
    const plain = Option.getOrThrow(yield* CodexHome.findRollout(outHome, Z))
    zstRelative = `zst/${plain.relativePath}.zst`
    yield* fs.makeDirectory(path.dirname(path.join(OUT, zstRelative)), { recursive: true })
    yield* Command.make("zstd", "-3", "-q", "-f", plain.path, "-o", path.join(OUT, zstRelative)).pipe(Command.exitCode)
  }

  // Inventory.
  const rollouts = yield* CodexHome.listRollouts(outHome)
  const forkRollout = rollouts.find((r) => r.threadId === F)
  const forkMeta = forkRollout === undefined
    ? undefined
    : JSON.parse((yield* fs.readFileString(forkRollout.path)).split("\n")[0]!) as {
      readonly ordinal?: number
      readonly payload: { readonly forked_from_ordinal_exclusive?: number; readonly history_base?: unknown }
    }
  const zThread = threads.find((t) => t.id === Z)
  const entry = (id: string, extra: Partial<SessionEntry> = {}): SessionEntry => {
    const rollout = rollouts.find((r) => r.threadId === id)
    const thread = threads.find((t) => t.id === id)
    if (rollout === undefined || thread === undefined) throw new Error(`no rollout/thread for ${id}`)
    return {
      threadId: id,
      rollout: rollout.relativePath,
      cwd: thread.cwd,
      source: thread.source,
      prompts: prompts[id] ?? [],
      archived: rollout.archived,
      compressed: rollout.compressed,
      ...(thread.name === null || thread.name === undefined ? {} : { name: thread.name }),
      ...extra
    }
  }
  const sessions: Record<string, SessionEntry> = {
    multi_turn_tools: entry(A, {
      note: "turn 1: reasoning, exec_command ok, exec_command exit 1, apply_patch (add + update), web_search_call"
    }),
    resumed: entry(A, { note: "turns 2 and 3 appended by `codex exec resume`" }),
    forked_parent: entry(A),
    forked: entry(F, {
      parentId: A,
      note: "app-server thread/fork of forked_parent, then one turn/start; its rollout holds only its own " +
        `lines (first ordinal ${forkMeta?.ordinal}) and reads the parent's first ` +
        `${forkMeta?.payload.forked_from_ordinal_exclusive} lines through session_meta.history_base`
    }),
    beta_cwd: entry(B),
    named: entry(N, { note: "thread/name/set" }),
    archived: entry(R, { note: "thread/archive" }),
    zst: entry(
      Z,
      compressedByCodex
        ? { note: "compressed by Codex's own worker (local_thread_store_compression, mtime backdated 10 days)" }
        : { note: `Codex did not compress it; a zstd -3 copy is at ${zstRelative}` }
    )
  }
  const inventory = {
    codexVersion,
    generatedAt: new Date().toISOString(),
    regenerate: "pnpm fixtures:codex",
    source: { root: SOURCE_ROOT, home, alpha, beta, userHome },
    sessions,
    ...(zstRelative === undefined ? {} : { zstCopy: zstRelative }),
    forkHistoryBase: forkMeta?.payload.history_base ?? null,
    zstPathReportedByCodex: zThread?.path ?? null,
    droppedFromHome: dropped,
    walCheckpointed: checkpointed,
    ...(leftoverWal.length === 0 ? {} : { walFilesKept: leftoverWal })
  }
  yield* fs.writeFileString(path.join(OUT, "fixtures.json"), `${JSON.stringify(inventory, null, 2)}\n`)
  yield* fs.writeFileString(path.join(OUT, "README.md"), readme(inventory, compressedByCodex))

  yield* Console.log(`\nwrote ${OUT}`)
  for (const [role, s] of Object.entries(sessions)) yield* Console.log(`  ${role.padEnd(17)} ${s.threadId}  ${s.rollout}`)
  if (dropped.length > 0) yield* Console.log(`  dropped from home: ${dropped.join(", ")}`)
  if (leftoverWal.length > 0) yield* Console.log(`  WAL files kept: ${leftoverWal.join(", ")}`)
})

const readme = (
  inventory: {
    readonly codexVersion: string
    readonly source: Record<string, string>
    readonly sessions: Record<string, SessionEntry>
    readonly droppedFromHome: ReadonlyArray<string>
    readonly walCheckpointed: boolean
    readonly walFilesKept?: ReadonlyArray<string>
    readonly zstCopy?: string
    readonly zstPathReportedByCodex: string | null
  },
  compressedByCodex: boolean
) =>
  `# Codex fixtures (made by the real Codex CLI ${inventory.codexVersion})

Generated by \`pnpm fixtures:codex\` (\`packages/codex-oracle/scripts/generate-fixtures.ts\`); do not
edit by hand, regenerate. Every file under \`home/\` was written by \`@openai/codex\`
${inventory.codexVersion} itself, running offline against the scripted Responses server of
\`@sessionport/codex-oracle\` (model \`mock-model\`, provider \`mock\`). Ids and timestamps change on
every run; read them from \`fixtures.json\`.

## Layout

- \`home/\`: a whole \`CODEX_HOME\`: \`sessions/YYYY/MM/DD/\`, \`archived_sessions/\`,
  \`session_index.jsonl\`, \`state_5.sqlite\`, \`thread_history_1.sqlite\` and the other databases,
  \`config.toml\`, \`model-catalog.json\`, \`installation_id\`.
- \`fixtures.json\`: role → thread id, rollout path (relative to \`home/\`), cwd, source, the user
  prompts in order, archived/compressed flags, the fork's \`parentId\`, the thread name; plus the
  source paths and the Codex version.${inventory.zstCopy === undefined ? "" : "\n- `zst/`: a zstd copy of one rollout (see Deviations)."}

## Source paths (as recorded inside the files)

| | path |
|---|---|
| Codex home | \`${inventory.source["home"]}\` |
| project alpha (git repo, origin \`https://example.com/sessionport/alpha.git\`) | \`${inventory.source["alpha"]}\` |
| project beta (plain folder) | \`${inventory.source["beta"]}\` |
| HOME of Codex and its shell | \`${inventory.source["userHome"]}\` |

## Sessions

| role | thread id | rollout (under \`home/\`) | cwd | how it was made |
|---|---|---|---|---|
${
    Object.entries(inventory.sessions).map(([role, s]) =>
      `| ${role} | \`${s.threadId}\` | \`${s.rollout}\` | \`${s.cwd}\` | ${s.note ?? "`codex exec`"} |`
    ).join("\n")
  }

\`multi_turn_tools\`, \`resumed\` and \`forked_parent\` are the same thread. The apply_patch call is a
freeform \`custom_tool_call\`: Codex 0.169 offers that tool only for models whose metadata says so,
so \`config.toml\` points \`model_catalog_json\` at \`model-catalog.json\` (the bundled \`gpt-5.5\` entry
renamed \`mock-model\`). The fork was made through \`codex app-server\` (\`thread/fork\`, then
\`turn/start\`), so its \`source\` is what the app-server records, not \`exec\`.

## Observed in Codex ${inventory.codexVersion} (what an importer must respect)

- Every thread is in \`history_mode: "paginated"\`; user turns appear as \`event_msg\`/\`item_completed\`
  \`UserMessage\` (no \`event_msg\`/\`user_message\` lines), every line carries an \`ordinal\`.
- A fork does **not** copy its parent's history: its first line is its own \`session_meta\` with
  \`forked_from_id\`, \`forked_from_ordinal_exclusive\` and \`history_base\` (parent id, end ordinal,
  end byte offset), and its ordinals continue from there. Codex reads the parent's rollout prefix
  (\`thread/turns/list\` of the fork shows the parent's turns plus its own), so a fork is only
  complete together with its parent.
- After compression \`threads.rollout_path\` still names the plain \`.jsonl\`
  (app-server path: \`${inventory.zstPathReportedByCodex}\`); Codex finds the \`.zst\` by file name.
- \`thread/name/set\` wrote \`session_index.jsonl\` and \`threads.name\`; \`threads.title\` kept the
  first prompt. Rebuilt from the rollouts alone (no SQLite), Codex shows no name: the name
  survives only through \`threads.name\`.
- The SQLite rows hold absolute source paths (\`threads.rollout_path\` under the source home). In a
  copy of \`home/\` elsewhere, \`thread/list\` still finds every thread by scanning, but
  \`thread/resume\` and \`codex exec resume\` fail with "no rollout found" while the stale path is
  missing; with the row deleted, Codex finds the file by name and repairs the row.
  (\`packages/codex-oracle/test/Fixtures.test.ts\` therefore resumes from the rollouts alone.)

## Deviations from a user's real home

- Dropped after generation: ${inventory.droppedFromHome.length === 0 ? "nothing" : inventory.droppedFromHome.map((d) => `\`${d}\``).join(", ")}
  (Codex-bundled skills, locks, caches; no \`auth.json\` ever existed: the provider needs no key).
- SQLite: ${
    inventory.walCheckpointed
      ? "Codex exited cleanly, then every database's WAL was checkpointed with the `sqlite3` CLI (`PRAGMA wal_checkpoint(TRUNCATE)`), so no `-wal`/`-shm` files are needed."
      : `the \`sqlite3\` CLI was not available, so the WAL files are kept beside their databases: ${(inventory.walFilesKept ?? []).join(", ")}.`
  }
- ${
    compressedByCodex
      ? "The `.jsonl.zst` rollout was compressed by Codex's own cold-rollout worker: the feature flag `local_thread_store_compression` was switched on, the rollout's mtime set 10 days back, and `codex app-server` started once; the flag was switched off again afterwards. Git does not keep mtimes, so a checkout shows the file as new."
      : `Codex did not compress the cold rollout in time, so \`${inventory.zstCopy}\` is a \`zstd -3\` copy made by the CLI, not by Codex.`
  }
- \`config.toml\` names the server's random port; nothing listens there any more.
`

program.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
