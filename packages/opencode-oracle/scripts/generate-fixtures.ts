/**
 * Regenerates `fixtures/opencode/` with the real OpenCode CLI: `pnpm fixtures:opencode`.
 *
 * Builds a user home and two projects under a fixed root (so tests can map the source paths),
 * makes the sessions with `opencode run` against the scripted Chat Completions server, checks
 * them with `opencode session list`, then copies OpenCode's data dir (database checkpointed into
 * one file, logs and anything credential-like dropped) into the repository.
 */
import { Reactivity } from "@effect/experimental"
import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { SqliteClient } from "@effect/sql-sqlite-node"
import * as FixtureProjects from "@sessionport/codex-oracle/FixtureProjects"
import { ChatServer, type Fixtures, OpencodeCli } from "@sessionport/opencode-oracle"
import { Console, Data, Effect } from "effect"

const SOURCE_ROOT = "/tmp/sessionport-opencode-src"
const repoRoot = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "")
const OUT = `${repoRoot}/fixtures/opencode`
const MAX_TOTAL_BYTES = 2_000_000
// Dropped from the copied data dir: logs (machine noise), credentials (never written: the key is
// in the config file), the tool cache.
const DROP = new Set(["log", "auth.json", "mcp-auth.json", "bin", "opencode.db-wal", "opencode.db-shm"])

class FixtureError extends Data.TaggedError("FixtureError")<{ readonly detail: string }> {
  override get message() {
    return this.detail
  }
}

const sqlite = (filename: string) =>
  SqliteClient.make({ filename, disableWAL: true }).pipe(Effect.provide(Reactivity.layer))

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path

  const userHome = path.join(SOURCE_ROOT, "user")
  const alpha = path.join(SOURCE_ROOT, "projects", "alpha")
  const beta = path.join(SOURCE_ROOT, "projects", "beta")

  yield* Console.log(`source root ${SOURCE_ROOT} (wiped)`)
  yield* fs.remove(SOURCE_ROOT, { recursive: true }).pipe(Effect.catchTag("SystemError", () => Effect.void))
  for (const dir of [userHome, alpha, beta]) yield* fs.makeDirectory(dir, { recursive: true })
  yield* FixtureProjects.make({
    alpha,
    beta,
    home: userHome,
    readme: "# alpha\n\nA tiny project used to make OpenCode fixtures.\n"
  })

  const server = yield* ChatServer.make()
  const cli = yield* OpencodeCli.make({ home: userHome, cwd: alpha, baseUrl: server.baseUrl, env: { TZ: "UTC" } })
  const opencodeVersion = yield* cli.version
  yield* Console.log(`opencode ${opencodeVersion} (${cli.binary}), server ${server.baseUrl}`)

  // Each step must ask the model exactly as often as planned (title requests apart).
  const step = <A, E, R>(label: string, chats: number, titles: number, effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function*() {
      const before = yield* server.requests
      const started = Date.now()
      const result = yield* effect
      const added = (yield* server.requests).slice(before.length)
      const usedChats = added.filter((r) => r.kind === "chat").length
      const usedTitles = added.length - usedChats
      if (usedChats !== chats || usedTitles !== titles) {
        return yield* new FixtureError({
          detail: `${label}: ${usedChats} chat and ${usedTitles} title request(s), ${chats} and ${titles} planned`
        })
      }
      yield* Console.log(`  ${label}: ${usedChats} chat + ${usedTitles} title request(s), ${Date.now() - started} ms`)
      return result
    })

  const toolsPrompts = ["turn one: use-tool", "turn two: write-file"]
  const tools1 = yield* step("tools turn 1 (bash)", 2, 1, cli.run(toolsPrompts[0]!, { cwd: alpha }))
  const tools2 = yield* step(
    "tools turn 2 (write, --session)",
    2,
    0,
    cli.run(toolsPrompts[1]!, { session: tools1.sessionId, cwd: alpha })
  )
  if (tools2.sessionId !== tools1.sessionId) {
    return yield* new FixtureError({ detail: `--session made ${tools2.sessionId}, not ${tools1.sessionId}` })
  }
  const betaPrompt = "beta: what is in this folder?"
  const betaPlain = yield* step("beta_plain", 1, 1, cli.run(betaPrompt, { cwd: beta }))

  const listAlpha = yield* cli.sessionList({ cwd: alpha })
  const listBeta = yield* cli.sessionList({ cwd: beta })
  yield* Console.log(`  session list: alpha ${JSON.stringify(listAlpha)}\n                beta ${JSON.stringify(listBeta)}`)
  const inAlpha = listAlpha.find((s) => s.id === tools1.sessionId)
  const inBeta = listBeta.find((s) => s.id === betaPlain.sessionId)
  if (inAlpha === undefined || inBeta === undefined) {
    return yield* new FixtureError({ detail: "session list misses a fixture session" })
  }
  const others = yield* server.otherRequests
  yield* Console.log(`  other requests: ${JSON.stringify(others.map((r) => `${r.method} ${r.path}`))}`)

  // Copy the data dir; the database becomes one file (journal_mode DELETE folds the WAL in).
  const dataDir = cli.dataDir
  yield* Console.log(`  data dir: ${JSON.stringify(yield* fs.readDirectory(dataDir, { recursive: true }))}`)
  yield* fs.remove(OUT, { recursive: true }).pipe(Effect.catchTag("SystemError", () => Effect.void))
  yield* fs.makeDirectory(OUT, { recursive: true })
  const outData = path.join(OUT, "data")
  yield* fs.copy(dataDir, outData, { preserveTimestamps: true })
  const dropped: Array<string> = []
  for (const name of yield* fs.readDirectory(outData)) {
    if (DROP.has(name)) {
      yield* fs.remove(path.join(outData, name), { recursive: true })
      dropped.push(name)
    }
  }
  // The copy was taken with OpenCode's WAL beside it: fold the source's WAL in first.
  const dbFile = path.join(outData, "opencode.db")
  yield* fs.copyFile(path.join(dataDir, "opencode.db"), dbFile)
  for (const suffix of ["-wal", "-shm"]) {
    const src = path.join(dataDir, `opencode.db${suffix}`)
    if (yield* fs.exists(src)) yield* fs.copyFile(src, `${dbFile}${suffix}`)
  }
  const { tableRows, rows } = yield* Effect.scoped(Effect.gen(function*() {
    const sql = yield* sqlite(dbFile)
    yield* sql.unsafe("PRAGMA wal_checkpoint(TRUNCATE)")
    yield* sql.unsafe("PRAGMA journal_mode=DELETE")
    const tables = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
    const tableRows: Record<string, number> = {}
    for (const { name } of tables) {
      const [row] = yield* sql.unsafe<{ n: number }>(`SELECT count(*) AS n FROM "${name}"`)
      tableRows[name] = Number(row!.n)
    }
    const sessions = yield* sql<{ id: string; project_id: string; directory: string; title: string }>`
      SELECT id, project_id, directory, title FROM session`
    const counts = yield* sql<{ session_id: string; messages: number; parts: number }>`
      SELECT s.id AS session_id,
        (SELECT count(*) FROM message m WHERE m.session_id = s.id) AS messages,
        (SELECT count(*) FROM part p WHERE p.session_id = s.id) AS parts
      FROM session s`
    return { tableRows, rows: { sessions, counts } }
  }))
  for (const suffix of ["-wal", "-shm", "-journal"]) {
    if (yield* fs.exists(`${dbFile}${suffix}`)) {
      return yield* new FixtureError({ detail: `opencode.db${suffix} is still there after the checkpoint` })
    }
  }

  // Every file: no path of this machine but the fixed source root, nothing key-like.
  const files = (yield* fs.readDirectory(outData, { recursive: true })).map((f) => path.join(outData, f))
  let total = 0
  const forbidden = [repoRoot, ...new Set([process.env["HOME"], process.cwd(), cli.binary])]
    .filter((p): p is string => p !== undefined && p !== "/" && p.length > 1)
  const tmpPath = /\/tmp\/(?!sessionport-opencode-src\b)[A-Za-z0-9._-]+/
  const fileList: Array<string> = []
  for (const file of files) {
    const info = yield* fs.stat(file)
    if (info.type !== "File") continue
    total += Number(info.size)
    fileList.push(`${path.relative(outData, file)} (${info.size} bytes)`)
    const text = yield* fs.readFile(file).pipe(Effect.map((b) => Buffer.from(b).toString("latin1")))
    const leak = forbidden.find((p) => text.includes(p)) ?? tmpPath.exec(text)?.[0]
    if (leak !== undefined) return yield* new FixtureError({ detail: `${file} contains ${leak}` })
    const key = /(sk-[A-Za-z0-9_-]{16,}|"apiKey"|"access_token"|"refresh_token")/.exec(text)
    if (key !== null) return yield* new FixtureError({ detail: `${file} contains ${key[0]}` })
  }
  if (total > MAX_TOTAL_BYTES) return yield* new FixtureError({ detail: `data/ is ${total} bytes > ${MAX_TOTAL_BYTES}` })

  const entry = (id: string, prompts: ReadonlyArray<string>, toolsRan: ReadonlyArray<string>, note: string) => {
    const s = rows.sessions.find((r) => r.id === id)
    const c = rows.counts.find((r) => r.session_id === id)
    return {
      sessionId: id,
      directory: s?.directory ?? "",
      projectId: s?.project_id ?? "",
      title: s?.title ?? "",
      prompts,
      tools: toolsRan,
      messages: Number(c?.messages ?? 0),
      parts: Number(c?.parts ?? 0),
      note
    } satisfies Fixtures.FixtureSession
  }
  const sessions: Record<string, Fixtures.FixtureSession> = {
    tools: entry(
      tools1.sessionId,
      toolsPrompts,
      [...tools1.tools, ...tools2.tools],
      "`opencode run` with a bash `ls` turn, then `opencode run --session` with a write turn (notes-3.txt)"
    ),
    beta_plain: entry(betaPlain.sessionId, [betaPrompt], betaPlain.tools, "one plain `opencode run` turn")
  }
  const inventory = {
    opencodeVersion,
    generatedAt: new Date().toISOString(),
    regenerate: "pnpm fixtures:opencode",
    source: { root: SOURCE_ROOT, home: userHome, dataHome: cli.dataHome, alpha, beta },
    sessions,
    tableRows,
    files: fileList.sort(),
    droppedFromData: dropped,
    dataBytes: total,
    sessionList: { alpha: listAlpha, beta: listBeta }
  }
  yield* fs.writeFileString(path.join(OUT, "fixtures.json"), `${JSON.stringify(inventory, null, 2)}\n`)
  yield* fs.writeFileString(path.join(OUT, "README.md"), readme(inventory))
  yield* Console.log(`\nwrote ${OUT} (data/: ${total} bytes)`)
  for (const [role, s] of Object.entries(sessions)) {
    yield* Console.log(`  ${role.padEnd(12)} ${s.sessionId}  ${s.directory}  ${s.messages} messages, ${s.parts} parts`)
  }
})

const readme = (inventory: {
  readonly opencodeVersion: string
  readonly source: Record<string, string>
  readonly sessions: Record<string, Fixtures.FixtureSession>
  readonly tableRows: Record<string, number>
  readonly files: ReadonlyArray<string>
  readonly droppedFromData: ReadonlyArray<string>
  readonly dataBytes: number
}) =>
  `# OpenCode fixtures (made by the real OpenCode CLI ${inventory.opencodeVersion})

Generated by \`pnpm fixtures:opencode\` (\`packages/opencode-oracle/scripts/generate-fixtures.ts\`); do not
edit by hand, regenerate. Everything under \`data/\` was written by \`opencode-ai\` ${inventory.opencodeVersion}
itself, running offline against the scripted Chat Completions server of \`@sessionport/opencode-oracle\`
(provider \`mock\`, \`@ai-sdk/openai-compatible\`, \`baseURL\` on 127.0.0.1, model \`mock/mock-model\`, also the
title model). Ids and timestamps change on every run; read them from \`fixtures.json\`.

## Layout

- \`data/\`: OpenCode's data dir (\`$XDG_DATA_HOME/opencode\`). \`opencode.db\` was checkpointed into one
  file (journal mode DELETE: no \`-wal\`/\`-shm\`; OpenCode switches it back to WAL when it opens it).
  Files:
${inventory.files.map((f) => `  - \`${f}\``).join("\n")}
- \`fixtures.json\`: role → session id, directory, project id, title, prompts, tools, message and part
  counts; the rows per table; the source paths; what \`opencode session list\` printed.

## Source paths (as recorded inside the database)

| | path |
|---|---|
| HOME of OpenCode and its shell | \`${inventory.source["home"]}\` |
| \`XDG_DATA_HOME\` (its \`opencode/\` copied to \`data/\`) | \`${inventory.source["dataHome"]}\` |
| project alpha (git repo, branch \`main\`, one commit by a fixed author and date: the project id is its root commit) | \`${inventory.source["alpha"]}\` |
| project beta (plain folder: project \`global\`) | \`${inventory.source["beta"]}\` |

OpenCode also wrote \`.git/opencode\` (the project id) into alpha's repository; that file is in the
source project, not in \`data/\`. \`opencode session list\` only lists the cwd's project: run it in alpha
for \`tools\`, in any non-git folder for \`beta_plain\`. Resume with \`opencode run --session <id>\`
from the session's directory (from another project's folder it hangs).

## Sessions

| role | session id | directory | project id | title | prompts | tools | messages | parts | how it was made |
|---|---|---|---|---|---|---|---:|---:|---|
${
    Object.entries(inventory.sessions).map(([role, s]) =>
      `| ${role} | \`${s.sessionId}\` | \`${s.directory}\` | \`${s.projectId}\` | ${s.title} | ${
        s.prompts.map((p) => `"${p}"`).join(", ")
      } | ${s.tools.join(", ") || "–"} | ${s.messages} | ${s.parts} | ${s.note} |`
    ).join("\n")
  }

Tools ran for real (\`permission\`: bash and edit allowed): \`ls\` in alpha, and a \`notes-<n>.txt\` written
into alpha by the write tool. The model's replies follow the server's default script: a tool result is
answered "Done (reply n).", \`use-tool\` gets "Listing." and a bash \`ls\`, \`write-file\` a write of
\`<cwd>/notes-<n>.txt\`, anything else "Plain answer n." (n counts the server's chat requests; title
requests, one per new session, are answered "Mock title <k>").

## Rows per table of \`data/opencode.db\`

| table | rows |
|---|---:|
${Object.entries(inventory.tableRows).map(([t, n]) => `| \`${t}\` | ${n} |`).join("\n")}

## Deviations from a user's real data dir

- Dropped after generation: ${
    inventory.droppedFromData.length === 0 ? "nothing" : inventory.droppedFromData.map((d) => `\`${d}\``).join(", ")
  }. No \`auth.json\` ever existed: the mock key is in the config file, which is not part of the fixture.
- Total size of \`data/\`: ${inventory.dataBytes} bytes.
`

program.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
