/**
 * A redacted package stays a valid session, judged by the real Codex, Claude Code and OpenCode
 * (issue 18). On machine A the real agent makes a session that holds planted secrets where
 * sessions really hold them (a key pasted into the prompt, `.env` lines and a PEM key in tool
 * outputs, a token in a command; `@sessionport/codex-oracle/PlantedSecrets`). `export --redact`
 * must leave none of them anywhere in the package, a placeholder computed here from the planted
 * text in its place, and every other byte of the session as it was (signed thinking and
 * encrypted reasoning included). Installed on machine B, the agent lists the session and resumes
 * it: the request its model receives carries the earlier turns with the placeholders, and no
 * secret.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Harness as ClaudeHarness, MessagesServer, SdkSessions } from "@sessionport/claude-oracle"
import * as ClaudeSession from "@sessionport/claude-oracle/PlantedSession"
import * as SignedThinking from "@sessionport/claude-oracle/SignedThinking"
import { AppServer } from "@sessionport/codex-oracle"
import { removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { codexOn, conversation, machine, withAppServer } from "@sessionport/codex-oracle/Harness"
import * as Planted from "@sessionport/codex-oracle/PlantedSecrets"
import * as CodexSession from "@sessionport/codex-oracle/PlantedSession"
import { ChatServer, Harness as OpencodeHarness } from "@sessionport/opencode-oracle"
import * as OpencodeSession from "@sessionport/opencode-oracle/PlantedSession"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { type CliResult, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const ok = (run: CliResult, what: string) => {
  assert.strictEqual(run.code, 0, `${what}: ${run.stderr}`)
  return JSON.parse(run.stdout)
}

/** `text` as it sits inside a JSON string. */
const json = (text: string) => JSON.stringify(text).slice(1, -1)

const lines = (text: string) => text.split("\n").filter((l) => l !== "")

/**
 * The text each h8 a planted secret may leave stands for: the secret, or a start of it (a copy
 * the agent cut short, such as Claude's `last-prompt`, redacts as what is left of it).
 */
const secretOf = new Map(
  Planted.all.flatMap((p) =>
    p.redactions.flatMap(([, text]) =>
      Array.from({ length: text.length }, (_, i) => text.slice(0, i + 1)).map((t) => [Planted.hash8(t), t] as const)
    )
  )
)

/** A JSON value with every placeholder of a planted secret put back to the text it stands for. */
const unredact = (value: unknown): unknown => {
  if (typeof value === "string") {
    return value.replace(/\[REDACTED:[a-z0-9-]+:([0-9a-f]{8})\]/g, (placeholder, h8: string) => secretOf.get(h8) ?? placeholder)
  }
  if (Array.isArray(value)) return value.map(unredact)
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unredact(v)]))
  return value
}

/**
 * The package's copy of a session file against the source's: as many lines; a line without a
 * planted secret byte for byte; a line with one the same JSON once the placeholders are put back
 * (only secrets changed). Returns the number of lines redaction changed.
 */
const onlySecretsChanged = (source: string, packaged: string, what: string): number => {
  const mine = lines(packaged)
  const theirs = lines(source)
  assert.strictEqual(mine.length, theirs.length, `${what}: every record is still there`)
  let changed = 0
  theirs.forEach((line, i) => {
    if (mine[i] === line) return
    changed++
    assert.include(mine[i]!, "[REDACTED:", `${what} line ${i + 1}: changed only to redact`)
    assert.deepStrictEqual(unredact(JSON.parse(mine[i]!)), JSON.parse(line), `${what} line ${i + 1}: only the secrets changed`)
  })
  return changed
}

interface Finding {
  readonly kind: string
  readonly count: number
  readonly redacted: number
  readonly kept: number
  readonly session?: string
  readonly file?: string
}

/**
 * The package holds no planted secret of the first turn (every byte of the gunzipped tar: file
 * names, headers, metadata, transcripts); each has its placeholder in `transcript`; the secrets
 * of `kept` (where redaction may not write) are there as they were, with no placeholder. The
 * manifest (and the `--json` of the export) reports what was found: all redacted but those.
 * Returns the package's files.
 */
const checkPackage = (pkg: string, exported: CliResult, transcript: string, kept: ReadonlyArray<Planted.Planted> = []) =>
  Effect.gen(function*() {
    const bytes = Planted.tarBytes(pkg)
    assert.deepStrictEqual(Planted.leaks(bytes, Planted.firstTurn), [], "no planted secret anywhere in the package")
    assert.deepStrictEqual(Planted.leaks(bytes, kept), kept.map((p) => p.name), "kept as it was")
    for (const p of kept) assert.deepStrictEqual(Planted.placeholdersIn(bytes.toString("utf8"), p), [], `${p.name} is not redacted`)
    const files = yield* Effect.promise(() => Planted.packageFiles(pkg))
    const text = files.get(transcript)?.toString("utf8")
    assert.isDefined(text, `${transcript} in ${[...files.keys()].join(", ")}`)
    assert.deepStrictEqual(Planted.unredacted(text!, Planted.firstTurn), [], "each secret has its placeholder")

    const manifest = JSON.parse(files.get("package_manifest.json")!.toString("utf8"))
    const secrets = manifest.secrets
    assert.isDefined(secrets, "the manifest reports the secrets")
    assert.strictEqual(secrets.redacted, true)
    assert.isString(secrets.rules)
    const findings = secrets.findings as ReadonlyArray<Finding>
    for (const f of findings) assert.strictEqual(f.count, f.redacted + f.kept, JSON.stringify(f))
    const kinds = new Set(findings.map((f) => f.kind))
    for (const p of Planted.firstTurn) {
      const used = p.redactions.filter(([kind, secret]) => text!.includes(Planted.placeholder(kind, secret))).map(([kind]) => kind)
      assert.isTrue(used.some((kind) => kinds.has(kind)), `${p.name}: its kind (${used.join(", ")}) is reported`)
    }
    assert.isAtLeast(findings.reduce((n, f) => n + f.redacted, 0), Planted.firstTurn.length)
    assert.deepStrictEqual(
      [...new Set(findings.filter((f) => f.kept > 0).map((f) => f.kind))],
      [...new Set(kept.flatMap((p) => p.redactions.map(([kind]) => kind)))],
      "kept only what may not change"
    )
    assert.deepStrictEqual(JSON.parse(exported.stdout).secrets, secrets, "--json prints what the manifest carries")
    // nothing printed holds a secret either: the sessions' titles are the redacted ones
    assert.deepStrictEqual(Planted.leaks(exported.stdout + exported.stderr, Planted.firstTurn), [], "export --redact printed no secret")
    return files
  })

const exportRedacted = (args: ReadonlyArray<string>, home: string) =>
  Effect.gen(function*() {
    const pkg = path.join(tempDir("redacted-pkg"), "sessions.tgz")
    const exported = yield* sessionTransfer(["export", "--redact", "--all", ...args, "--out", pkg, "--json"], { env: { HOME: home } })
    ok(exported, "export --redact")
    return { pkg, exported }
  })

/** What every resumed request (its body's JSON text) must show: the placeholders of every secret, no secret, the first turn (its prompt redacted) and its answer. */
const checkResumed = (sent: string) => {
  assert.deepStrictEqual(Planted.leaks(sent, Planted.firstTurn), [], "the model receives no secret")
  assert.deepStrictEqual(Planted.unredacted(sent, Planted.firstTurn), [], "the model receives each placeholder")
  assert.include(sent, json(Planted.redactedPrompts.first), "the first prompt, redacted")
  assert.include(sent, json(Planted.firstReply), "the first turn's answer")
}

describe("a redacted package resumes in the real agent", () => {
  it.scoped("Codex: export --redact, install, app-server lists and shows it, codex exec resume sends placeholders and the encrypted reasoning as they were", () =>
    Effect.gen(function*() {
      const a = machine("redact-codex-a", { projects: ["app"] })
      const codexA = yield* codexOn(a.home, a.root)
      const appA = a.projects[0]!
      const threadId = yield* CodexSession.firstTurn(codexA, appA)
      const rolloutA = (fs.readdirSync(path.join(a.home, "sessions"), { recursive: true }) as Array<string>)
        .find((f) => f.endsWith(`${threadId}.jsonl`))!
      const sourceText = fs.readFileSync(path.join(a.home, "sessions", rolloutA), "utf8")
      assert.deepStrictEqual(Planted.leaks(sourceText), Planted.firstTurn.map((p) => p.name), "A's rollout holds every secret")

      const { exported, pkg } = yield* exportRedacted(["--agent", "codex", "--codex-home", a.home], a.root)
      const entry = `sessions/${path.basename(rolloutA)}`
      const files = yield* checkPackage(pkg, exported, entry)
      const changed = onlySecretsChanged(sourceText, files.get(entry)!.toString("utf8"), "rollout")
      assert.isAtLeast(changed, 4, "the prompt, the tool calls and their outputs were redacted")
      assert.include(files.get(entry)!.toString("utf8"), CodexSession.encryptedReasoning, "encrypted reasoning as it was")
      const title = lines(files.get("metadata/threads.jsonl")!.toString("utf8")).map((l) => JSON.parse(l).title)
      assert.deepStrictEqual(title, [Planted.redactedPrompts.first], "the title is the redacted first prompt")

      // machine B: install, Codex lists the session and shows its conversation
      const b = machine("redact-codex-b", { projects: ["app-on-b"] })
      const appB = b.projects[0]!
      const codexB = yield* codexOn(b.home, b.root)
      const installed = ok(
        yield* sessionTransfer(["install", pkg, "--codex-home", b.home, "--map", `${appA}=${appB}`, "--json"], { env: { HOME: b.root } }),
        "install"
      )
      const localId = installed.sessions[0].local_id as string
      yield* withAppServer(codexB.cli, b.root, (app) =>
        Effect.gen(function*() {
          const listed = (yield* app.threadList({ sourceKinds: AppServer.allSourceKinds, cwd: appB })).data
          assert.deepStrictEqual(listed.map((t) => t.id), [localId])
          assert.deepStrictEqual(yield* conversation(app, localId), [{ user: Planted.redactedPrompts.first, agent: [Planted.firstReply] }])
        }))

      // codex exec resume: the model receives the redacted history, the reasoning byte for byte
      const sent = yield* CodexSession.nextTurn(codexB, appB, localId, "continue on B", "Continued on B.")
      checkResumed(sent)
      assert.include(sent, CodexSession.encryptedReasoning)
      assert.include(sent, json(Planted.commands.env))
      assert.include(sent, `<cwd>${appB}</cwd>`)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped("Claude Code: export --redact keeps the signed thinking (and its secret) byte for byte, install, the SDK lists it, claude --resume sends placeholders and a thinking block the API accepts", () =>
    Effect.gen(function*() {
      const a = yield* ClaudeHarness.machine({ projects: ["app"] })
      const appA = a.projects[0]!
      const sessionId = yield* ClaudeSession.firstTurn(a, appA, MessagesServer.defaultResponder)
      const transcriptA = (fs.readdirSync(path.join(a.configDir, "projects"), { recursive: true }) as Array<string>)
        .find((f) => f.endsWith(`${sessionId}.jsonl`))!
      const sourceText = fs.readFileSync(path.join(a.configDir, "projects", transcriptA), "utf8")
      assert.deepStrictEqual(Planted.leaks(sourceText), Planted.firstTurn.map((p) => p.name), "A's transcript holds every secret")
      // the thinking block as Claude stored it: the text the model signed, the signature
      const thinkingLines = lines(sourceText).filter((l) => l.includes(ClaudeSession.thinkingBlock.signature))
      assert.isAtLeast(thinkingLines.length, 1)
      const storedBlock = JSON.stringify(
        JSON.parse(thinkingLines[0]!).message.content.find((b: { type: string }) => b.type === "thinking")
      )
      assert.deepStrictEqual(JSON.parse(storedBlock), ClaudeSession.thinkingBlock)

      const thinkingSecret: Planted.Planted = {
        name: "npm token in signed thinking",
        needles: [ClaudeSession.thinkingSecret],
        redactions: [["npm", ClaudeSession.thinkingSecret]]
      }
      const { exported, pkg } = yield* exportRedacted(["--agent", "claude", "--claude-home", a.configDir], a.home)
      const entry = `agents/claude/sessions/${sessionId}/transcript.jsonl`
      const files = yield* checkPackage(pkg, exported, entry, [thinkingSecret])
      const packaged = files.get(entry)!.toString("utf8")
      assert.isAtLeast(onlySecretsChanged(sourceText, packaged, "transcript"), 4)
      for (const line of thinkingLines) assert.include(lines(packaged), line, "a line with signed thinking is byte for byte the same")
      assert.include(packaged, storedBlock)

      // machine B: install, the SDK lists it, claude --resume
      const b = yield* ClaudeHarness.machine({ projects: ["app-on-b"] })
      const appB = b.projects[0]!
      const installed = ok(
        yield* sessionTransfer(["install", pkg, "--claude-home", b.configDir, "--map", `${appA}=${appB}`, "--json"], { env: { HOME: b.home } }),
        "install"
      )
      const localId = installed.sessions[0].local_id as string
      const listed = yield* SdkSessions.listSessions(b, { dir: appB })
      assert.deepStrictEqual(listed.map((s) => s.sessionId), [localId])
      yield* b.server.clearRequests
      const resumed = yield* b.cli.print("continue on B", { resume: localId, cwd: appB })
      assert.strictEqual(resumed.sessionId, localId)
      const request = (yield* b.server.requests)[0]!
      checkResumed(request.text)
      const said = MessagesServer.conversation(request).map((m) => m.text).join("\n")
      assert.include(said, Planted.redactedPrompts.first)
      assert.include(said, `tool_use Bash ${JSON.stringify({ command: Planted.commands.env, description: "Run a command" })}`)
      // the API's check: the thinking the model signed comes back unchanged
      assert.deepStrictEqual(SignedThinking.blocksOf(request), [{ ...ClaudeSession.thinkingBlock }])
      assert.deepStrictEqual(SignedThinking.tampered(request), [])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped("OpenCode: export --redact, install, opencode session list shows it, opencode run --session sends placeholders", () =>
    Effect.gen(function*() {
      const a = yield* OpencodeHarness.machine({ projects: ["app"] })
      const appA = a.projects[0]!
      const sessionId = yield* OpencodeSession.firstTurn(a, appA, ChatServer.defaultResponder)

      const { exported, pkg } = yield* exportRedacted(["--agent", "opencode", "--opencode-data", a.dataDir], a.home)
      const entry = `agents/opencode/sessions/${sessionId}/transcript.jsonl`
      const files = yield* checkPackage(pkg, exported, entry)
      // the same export without --redact: the source as a package, to compare with line by line
      const plainPkg = path.join(tempDir("plain-pkg"), "sessions.tgz")
      ok(yield* sessionTransfer(["export", "--all", "--agent", "opencode", "--opencode-data", a.dataDir, "--out", plainPkg, "--json"], { env: { HOME: a.home } }), "export")
      const plain = yield* Effect.promise(() => Planted.packageFiles(plainPkg))
      assert.deepStrictEqual(Planted.leaks(plain.get(entry)!), Planted.firstTurn.map((p) => p.name), "unredacted, the transcript holds every secret")
      assert.isAtLeast(onlySecretsChanged(plain.get(entry)!.toString("utf8"), files.get(entry)!.toString("utf8"), "transcript"), 4)

      const b = yield* OpencodeHarness.machine({ projects: ["app-on-b"], initDatabase: true })
      const appB = b.projects[0]!
      const installed = ok(
        yield* sessionTransfer(["install", pkg, "--opencode-data", b.dataDir, "--map", `${appA}=${appB}`, "--json"], { env: { HOME: b.home } }),
        "install"
      )
      const localId = installed.sessions[0].local_id as string
      const listed = yield* b.cli.sessionList({ cwd: appB })
      assert.deepStrictEqual(listed.map((s) => s.id), [localId])
      yield* b.server.clearRequests
      const resumed = yield* b.cli.run("continue on B", { session: localId, cwd: appB })
      assert.strictEqual(resumed.sessionId, localId)
      const request = (yield* b.server.chatRequests).at(-1)!
      checkResumed(request.text)
      const said = ChatServer.conversation(request)
      // (OpenCode 1.18.33 sends the prompts of `opencode run` in quotes)
      const users = said.filter((m) => m.role === "user").map((m) => m.text)
      assert.lengthOf(users, 2)
      assert.include(users[0]!, Planted.redactedPrompts.first)
      assert.include(users[1]!, "continue on B")
      assert.include(said.map((m) => m.text).join("\n"), `tool_call bash ${JSON.stringify({ command: Planted.commands.env, description: "Read .env" })}`)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
