/**
 * Regenerates `fixtures/claude/` with the real Claude Code CLI: `pnpm fixtures:claude`.
 *
 * Builds a user home (its config dir `.claude`) and two projects under a fixed root (so tests
 * can map the source paths), makes every kind of session the importer must handle with `claude
 * -p` and the interactive TUI (under tmux), checks them through the Agent SDK and the `/resume`
 * picker, then copies the config dir (minus backups and anything secret) into the repository.
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { ClaudeCli, ClaudeHome, type Fixtures, MessagesServer, Picker, SdkSessions } from "@sessionport/claude-oracle"
import * as FixtureProjects from "@sessionport/codex-oracle/FixtureProjects"
import { Console, Data, Effect, Option } from "effect"

const SOURCE_ROOT = "/tmp/sessionport-claude-src"
const repoRoot = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "")
const OUT = `${repoRoot}/fixtures/claude`
const MAX_TOTAL_BYTES = 2_000_000
const TOOLS = ["Bash", "Write"]
const NAMED_TITLE = "fixture named session"

// Dropped from the copied config dir: `.claude.json` backups, credentials (never written: the
// key comes from ANTHROPIC_API_KEY), and per-process leftovers.
const DROP = new Set(["backups", ".credentials.json", "shell-snapshots", "sessions", "statsig", "todos", "session-env"])
// Dropped from `.claude.json`: the approved API key suffix (the TUI's seed).
const DROP_CONFIG_KEYS = ["customApiKeyResponses"]

class FixtureError extends Data.TaggedError("FixtureError")<{ readonly detail: string }> {
  override get message() {
    return this.detail
  }
}

// A session of fixtures.json, as tests read it, with its size and how it was made.
interface SessionEntry extends Fixtures.FixtureSession {
  readonly bytes: number
  readonly note: string
}

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path

  const userHome = path.join(SOURCE_ROOT, "user")
  const configDir = path.join(userHome, ".claude")
  const alpha = path.join(SOURCE_ROOT, "projects", "alpha")
  const beta = path.join(SOURCE_ROOT, "projects", "beta")

  if (!Picker.available()) {
    return yield* new FixtureError({ detail: "tmux and timeout are needed for the interactive session" })
  }
  yield* Console.log(`source root ${SOURCE_ROOT} (wiped)`)
  yield* fs.remove(SOURCE_ROOT, { recursive: true }).pipe(Effect.catchTag("SystemError", () => Effect.void))
  for (const dir of [configDir, alpha, beta]) yield* fs.makeDirectory(dir, { recursive: true })

  // alpha is a git repository (transcripts record gitBranch), beta a plain folder.
  yield* FixtureProjects.make({
    alpha,
    beta,
    home: userHome,
    readme: "# alpha\n\nA tiny project used to make Claude fixtures.\n"
  })

  const server = yield* MessagesServer.make()
  const cli = yield* ClaudeCli.make({
    home: userHome,
    configDir,
    cwd: alpha,
    baseUrl: server.baseUrl,
    env: { TZ: "UTC", LANG: "C.UTF-8" }
  })
  const claudeCodeVersion = yield* cli.version
  const agentSdkVersion = SdkSessions.sdkVersion()
  yield* Console.log(`claude ${claudeCodeVersion} (${cli.binary}), agent sdk ${agentSdkVersion}, server ${server.baseUrl}`)

  // Each step must ask the model exactly as often as planned: otherwise a tool did not run and
  // the fixture would silently lack it.
  const step = <A, E, R>(label: string, expectedRequests: number, effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function*() {
      const before = (yield* server.requests).length
      const started = Date.now()
      const result = yield* effect
      const used = (yield* server.requests).length - before
      if (used !== expectedRequests) {
        return yield* new FixtureError({
          detail: `${label}: Claude asked the model ${used} time(s), ${expectedRequests} planned`
        })
      }
      yield* Console.log(`  ${label}: ${used} model request(s), ${Date.now() - started} ms`)
      return result
    })
  const expectResult = (label: string, expected: RegExp) => (r: ClaudeCli.PrintResult) =>
    expected.test(r.result)
      ? Effect.succeed(r)
      : Effect.fail(new FixtureError({ detail: `${label}: unexpected result ${JSON.stringify(r.result)}` }))

  // (a) tools: a Bash turn, then (resumed) a Write turn.
  const toolsPrompts = ["turn one: use-tool", "turn two: write-file"]
  const tools = yield* step(
    "tools turn 1 (Bash)",
    2,
    cli.print(toolsPrompts[0]!, { allowedTools: TOOLS }).pipe(Effect.flatMap(expectResult("tools 1", /^Done/)))
  )
  yield* step(
    "tools turn 2 (Write, --resume)",
    2,
    cli.print(toolsPrompts[1]!, { resume: tools.sessionId, allowedTools: TOOLS }).pipe(
      Effect.flatMap(expectResult("tools 2", /^Done/))
    )
  )

  // (b) interactive: typed into the real TUI (entrypoint cli, history.jsonl, file-history).
  const interactivePrompts = ["interactive hello", "interactive write-file"]
  const interactive = yield* step(
    "interactive (TUI, 2 turns)",
    3,
    Picker.interactiveSession(cli, {
      cwd: alpha,
      allowedTools: TOOLS,
      turns: [
        { prompt: interactivePrompts[0]!, expect: /Plain answer \d+\./ },
        { prompt: interactivePrompts[1]!, expect: /Done \(reply \d+\)\./ }
      ]
    })
  )

  // (c) beta_plain and (d) named, in beta.
  const betaPrompt = "beta: what is in this folder?"
  const betaPlain = yield* step(
    "beta_plain",
    1,
    cli.print(betaPrompt, { cwd: beta }).pipe(Effect.flatMap(expectResult("beta_plain", /^Plain answer/)))
  )
  const namedPrompt = "beta: start a release checklist"
  const named = yield* step(
    "named (-n)",
    1,
    cli.print(namedPrompt, { cwd: beta, name: NAMED_TITLE }).pipe(Effect.flatMap(expectResult("named", /^Plain answer/)))
  )

  // What the SDK and the picker see (also checks the sessions before they are copied).
  const listed = yield* SdkSessions.listSessions(cli)
  const ids = [tools.sessionId, interactive.sessionId, betaPlain.sessionId, named.sessionId]
  for (const id of ids) {
    if (!listed.some((s) => s.sessionId === id)) return yield* new FixtureError({ detail: `listSessions misses ${id}` })
  }
  const namedInfo = listed.find((s) => s.sessionId === named.sessionId)
  if (namedInfo?.customTitle !== NAMED_TITLE) {
    return yield* new FixtureError({ detail: `named: customTitle ${JSON.stringify(namedInfo?.customTitle)}` })
  }
  const pickerAlpha = yield* Picker.resumePicker(cli, { cwd: alpha })
  if (!pickerAlpha.includes(interactivePrompts[1]!) && !pickerAlpha.includes(interactivePrompts[0]!)) {
    return yield* new FixtureError({
      detail: `the /resume picker in alpha does not show the interactive session:\n${pickerAlpha}`
    })
  }
  const pickerShown = pickerAlpha.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim() !== "")
  yield* Console.log(`  listSessions: ${listed.length} sessions; the /resume picker in alpha:`)
  for (const line of pickerShown) yield* Console.log(`    ${line}`)

  // Copy the config dir.
  yield* fs.remove(OUT, { recursive: true }).pipe(Effect.catchTag("SystemError", () => Effect.void))
  yield* fs.makeDirectory(OUT, { recursive: true })
  const outHome = path.join(OUT, "home")
  yield* fs.copy(configDir, outHome, { preserveTimestamps: true })
  const dropped: Array<string> = []
  for (const name of yield* fs.readDirectory(outHome)) {
    if (DROP.has(name)) {
      yield* fs.remove(path.join(outHome, name), { recursive: true })
      dropped.push(name)
    }
  }
  // Git keeps no empty folders (Claude makes an empty `projects/<dir>/memory/` per project).
  const removeEmpty = (dir: string): Effect.Effect<boolean, unknown> =>
    Effect.gen(function*() {
      let empty = true
      for (const name of yield* fs.readDirectory(dir)) {
        const full = path.join(dir, name)
        if ((yield* fs.stat(full)).type === "Directory" && (yield* removeEmpty(full))) continue
        empty = false
      }
      if (empty && dir !== outHome) {
        yield* fs.remove(dir, { recursive: true })
        dropped.push(`${path.relative(outHome, dir)}/ (empty)`)
      }
      return empty
    })
  yield* removeEmpty(outHome)
  const configFile = path.join(outHome, ".claude.json")
  if (yield* fs.exists(configFile)) {
    const config = JSON.parse(yield* fs.readFileString(configFile)) as Record<string, unknown>
    for (const key of DROP_CONFIG_KEYS) {
      if (key in config) {
        delete config[key]
        dropped.push(`.claude.json: ${key}`)
      }
    }
    yield* fs.writeFileString(configFile, `${JSON.stringify(config, null, 2)}\n`)
  }

  // Every file: no path of this machine but the fixed source root, no key but the mock's.
  const files = (yield* fs.readDirectory(outHome, { recursive: true })).map((f) => path.join(outHome, f))
  let total = 0
  const otherFiles: Array<string> = []
  const forbidden = [repoRoot, ...new Set([process.env["HOME"], process.cwd(), cli.binary])]
    .filter((p): p is string => p !== undefined && p !== "/" && p.length > 1)
  const tmpPath = /\/tmp\/(?!sessionport-claude-src\b)[A-Za-z0-9._-]+/
  for (const file of files) {
    const info = yield* fs.stat(file)
    if (info.type !== "File") continue
    total += Number(info.size)
    const relative = path.relative(outHome, file)
    if (!relative.startsWith(`projects${path.sep}`)) otherFiles.push(relative)
    const text = yield* fs.readFileString(file).pipe(Effect.orElseSucceed(() => ""))
    const leak = forbidden.find((p) => text.includes(p)) ?? tmpPath.exec(text)?.[0]
    if (leak !== undefined) return yield* new FixtureError({ detail: `${file} contains ${leak}` })
    const key = /sk-ant-[A-Za-z0-9_-]+/g
    for (const match of text.matchAll(key)) {
      if (match[0] !== "sk-ant-mock-key") return yield* new FixtureError({ detail: `${file} contains a key ${match[0]}` })
    }
  }
  if (total > MAX_TOTAL_BYTES) return yield* new FixtureError({ detail: `home/ is ${total} bytes > ${MAX_TOTAL_BYTES}` })

  // Inventory.
  const entry = (id: string, prompts: ReadonlyArray<string>, note: string) =>
    Effect.gen(function*() {
      const file = Option.getOrThrow(yield* ClaudeHome.findTranscript(outHome, id))
      const lines = yield* ClaudeHome.readTranscript(file.path)
      const user = lines.find((l) => l["type"] === "user")
      const title = lines.filter((l) => l["type"] === "custom-title").at(-1)?.["customTitle"]
      return {
        sessionId: id,
        transcript: file.relativePath,
        cwd: String(user?.["cwd"]),
        prompts,
        entrypoint: String(user?.["entrypoint"]),
        ...(typeof title === "string" ? { customTitle: title } : {}),
        lineTypes: ClaudeHome.lineTypeCounts(lines),
        bytes: Number((yield* fs.stat(file.path)).size),
        note
      } satisfies SessionEntry
    })
  const sessions: Record<string, SessionEntry> = {
    tools: yield* entry(
      tools.sessionId,
      toolsPrompts,
      "`claude -p` with a Bash `ls` turn, then `claude -p --resume` with a Write turn (notes-3.txt)"
    ),
    interactive: yield* entry(
      interactive.sessionId,
      interactivePrompts,
      "typed into the interactive TUI under tmux: a plain turn, then a Write turn; then `/exit`"
    ),
    beta_plain: yield* entry(betaPlain.sessionId, [betaPrompt], "one plain `claude -p` turn"),
    named: yield* entry(named.sessionId, [namedPrompt], `\`claude -p -n "${NAMED_TITLE}"\`: a custom-title line`)
  }
  for (const [role, s] of Object.entries(sessions)) {
    const expected = role === "interactive" ? "cli" : "sdk-cli"
    if (s.entrypoint !== expected) {
      return yield* new FixtureError({ detail: `${role}: entrypoint ${s.entrypoint}, expected ${expected}` })
    }
  }
  const inventory = {
    claudeCodeVersion,
    agentSdkVersion,
    generatedAt: new Date().toISOString(),
    regenerate: "pnpm fixtures:claude",
    source: { root: SOURCE_ROOT, home: userHome, configDir, alpha, beta },
    sessions,
    otherFiles: otherFiles.sort(),
    droppedFromHome: dropped,
    homeBytes: total,
    pickerInAlpha: pickerShown
  }
  yield* fs.writeFileString(path.join(OUT, "fixtures.json"), `${JSON.stringify(inventory, null, 2)}\n`)
  yield* fs.writeFileString(path.join(OUT, "README.md"), readme(inventory))

  yield* Console.log(`\nwrote ${OUT} (home/: ${total} bytes)`)
  for (const [role, s] of Object.entries(sessions)) {
    yield* Console.log(`  ${role.padEnd(12)} ${s.sessionId}  ${s.transcript}  ${s.bytes} bytes`)
  }
  if (dropped.length > 0) yield* Console.log(`  dropped from home: ${dropped.join(", ")}`)
})

const readme = (inventory: {
  readonly claudeCodeVersion: string
  readonly agentSdkVersion: string
  readonly source: Record<string, string>
  readonly sessions: Record<string, SessionEntry>
  readonly otherFiles: ReadonlyArray<string>
  readonly droppedFromHome: ReadonlyArray<string>
  readonly homeBytes: number
  readonly pickerInAlpha: ReadonlyArray<string>
}) => {
  const roles = Object.keys(inventory.sessions)
  const kinds = [...new Set(Object.values(inventory.sessions).flatMap((s) => Object.keys(s.lineTypes)))].sort()
  return `# Claude Code fixtures (made by the real Claude Code CLI ${inventory.claudeCodeVersion})

Generated by \`pnpm fixtures:claude\` (\`packages/claude-oracle/scripts/generate-fixtures.ts\`); do not
edit by hand, regenerate. Every file under \`home/\` was written by \`@anthropic-ai/claude-code\`
${inventory.claudeCodeVersion} itself, running offline against the scripted Messages API of
\`@sessionport/claude-oracle\` (\`ANTHROPIC_BASE_URL\` on 127.0.0.1, \`ANTHROPIC_API_KEY=sk-ant-mock-key\`,
default model \`claude-opus-5-5\`). Ids and timestamps change on every run; read them from
\`fixtures.json\`.

## Layout

- \`home/\`: a whole \`CLAUDE_CONFIG_DIR\` (\`<HOME>/.claude\`): \`projects/<encoded cwd>/<session id>.jsonl\`,
  \`history.jsonl\` (the TUI's prompt history), \`file-history/<session id>/\` (the TUI's backups of
  files it wrote), \`.claude.json\`, and what else Claude wrote:
${inventory.otherFiles.map((f) => `  - \`${f}\``).join("\n")}
- \`fixtures.json\`: role → session id, transcript path (relative to \`home/\`), cwd, the user
  prompts in order, entrypoint, custom title, line-type counts; plus the source paths and the
  CLI and Agent SDK (${inventory.agentSdkVersion}) versions.

## Source paths (as recorded inside the files)

| | path |
|---|---|
| HOME of Claude and its shell | \`${inventory.source["home"]}\` |
| \`CLAUDE_CONFIG_DIR\` (copied to \`home/\`) | \`${inventory.source["configDir"]}\` |
| project alpha (git repo, branch \`main\`, origin \`https://example.com/sessionport/alpha.git\`) | \`${inventory.source["alpha"]}\` |
| project beta (plain folder) | \`${inventory.source["beta"]}\` |

## Sessions

| role | session id | transcript (under \`home/\`) | cwd | entrypoint | prompts | how it was made |
|---|---|---|---|---|---|---|
${
    Object.entries(inventory.sessions).map(([role, s]) =>
      `| ${role} | \`${s.sessionId}\` | \`${s.transcript}\` (${s.bytes} bytes) | \`${s.cwd}\` | \`${s.entrypoint}\` | ${
        s.prompts.map((p) => `"${p}"`).join(", ")
      } | ${s.note} |`
    ).join("\n")
  }

Tools ran for real (\`--allowedTools Bash,Write\`): \`ls\` in alpha, and \`notes-<n>.txt\` files written
into alpha by the Write tool. The model's replies follow the server's default script: a tool result
is answered "Done (reply n).", \`use-tool\` gets "Listing." and a Bash \`ls\`, \`write-file\` a Write of
\`<cwd>/notes-<n>.txt\`, anything else "Plain answer n." (n counts the server's requests).

## Line types

| line type | ${roles.join(" | ")} |
|---|${roles.map(() => "---:").join("|")}|
${kinds.map((k) => `| \`${k}\` | ${roles.map((r) => inventory.sessions[r]!.lineTypes[k] ?? "").join(" | ")} |`).join("\n")}

(\`attachment:<type>\` and \`system:<subtype>\` refine \`attachment\` and \`system\` lines.)

## Listing surfaces

- The Agent SDK's \`listSessions()\` (no \`dir\`) lists all four; \`listSessions({ dir, includeProgrammatic:
  false })\`, like the terminal picker, hides the \`-p\` sessions (entrypoint \`sdk-cli\`).
- The \`/resume\` picker (\`claude --resume\`) in alpha showed only the interactive session:

\`\`\`
${inventory.pickerInAlpha.join("\n")}
\`\`\`

## Deviations from a user's real home

- Dropped after generation: ${
    inventory.droppedFromHome.length === 0 ? "nothing" : inventory.droppedFromHome.map((d) => `\`${d}\``).join(", ")
  }
  (\`.claude.json\` backups, per-process leftovers, empty folders, and the approved API-key suffix
  the harness seeds for the TUI). No
  \`.credentials.json\` ever existed: the key came from \`ANTHROPIC_API_KEY\`.
- \`.claude.json\` was pre-seeded for the TUI (onboarding done, theme, trust of alpha); Claude added
  the rest. \`history.jsonl\` also holds the \`/exit\` the harness typed to leave the TUI.
- The HOME outside the config dir (e.g. \`.local/share/applications/claude-code-url-handler.desktop\`,
  written by the TUI) is not part of the fixture.
- Total size of \`home/\`: ${inventory.homeBytes} bytes.
`
}

program.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
