/**
 * Secrets planted into copies of the fixture homes, one agent each, where sessions really hold
 * them (a prompt, an assistant's text, a command's output), and what a redaction of them must
 * leave: the placeholder is computed here from the planted text alone, never by the code under
 * test. The values are SecretSamples' (put together at run time, so no secret-shaped literal
 * sits in this source).
 */
import { Fixtures as ClaudeFixtures } from "@sessionport/claude-oracle"
import { fixtureByRole, openDatabase } from "@sessionport/codex-oracle/Fixtures"
import * as Samples from "@sessionport/codex-oracle/SecretSamples"
import { Fixtures as OpencodeFixtures } from "@sessionport/opencode-oracle"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { AgentHomes } from "./agentHomes.js"

/** `[REDACTED:<kind>:<first 8 hex digits of the SHA-256 of the secret>]` */
export const placeholder = (kind: string, secret: string): string =>
  `[REDACTED:${kind}:${createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 8)}]`

/** One planted secret. */
export interface Planted {
  readonly agent: "codex" | "claude" | "opencode"
  readonly session: string
  readonly kind: string
  readonly secret: string
  /** the entry of its transcript in a package */
  readonly entry: string
  /** its transcript in the home, for those kept as files (Codex, Claude Code) */
  readonly file?: string
  /** its record (1-based line) in that transcript; OpenCode's is found in the exported transcript */
  readonly record?: number
}

const lines = (file: string): Array<string> => fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "")

/** Codex: a user message appended to the `beta_cwd` rollout pastes a GitHub token. */
export const plantCodex = (homes: AgentHomes): Planted => {
  const fixture = fixtureByRole("beta_cwd")
  const file = path.join(homes.codex, fixture.rollout)
  const before = lines(file)
  const secret = Samples.githubToken
  const line = {
    timestamp: "2026-11-21T09:20:00.000Z",
    type: "response_item",
    payload: { type: "message", role: "user", content: [{ type: "input_text", text: `push with this token please: ${secret} (thanks)` }] }
  }
  fs.appendFileSync(file, JSON.stringify(line) + "\n")
  return {
    agent: "codex",
    session: fixture.threadId,
    kind: "github",
    secret,
    entry: `sessions/${path.basename(fixture.rollout)}`,
    file,
    record: before.length + 1
  }
}

/**
 * Claude Code: the first prompt of `beta_plain` pastes an OpenAI key; its assistant reply gets a
 * signed thinking block holding an Anthropic key (which redaction must keep, byte for byte).
 */
export const plantClaude = (homes: AgentHomes): { readonly prompt: Planted; readonly thinking: Planted } => {
  const fixture = ClaudeFixtures.byRole("beta_plain")
  const file = path.join(homes.claude, fixture.transcript)
  const all = lines(file)
  const promptAt = all.findIndex((l) => JSON.parse(l).message?.content === fixture.prompts[0])
  const replyAt = all.findIndex((l) => JSON.parse(l).type === "assistant")
  const user = JSON.parse(all[promptAt]!)
  user.message.content = `${fixture.prompts[0]} My key is ${Samples.openaiKey} by the way.`
  all[promptAt] = JSON.stringify(user)
  const reply = JSON.parse(all[replyAt]!)
  reply.message.content = [
    { type: "thinking", thinking: `The user's other key is ${Samples.anthropicKey}; never repeat it.`, signature: "EqQBCkgIBxABGAIiQ" + "Zm9vYmFy".repeat(8) },
    ...reply.message.content
  ]
  all[replyAt] = JSON.stringify(reply)
  fs.writeFileSync(file, all.join("\n") + "\n")
  const entry = `agents/claude/sessions/${fixture.sessionId}/transcript.jsonl`
  return {
    prompt: { agent: "claude", session: fixture.sessionId, kind: "openai", secret: Samples.openaiKey, entry, file, record: promptAt + 1 },
    thinking: { agent: "claude", session: fixture.sessionId, kind: "anthropic", secret: Samples.anthropicKey, entry, file, record: replyAt + 1 }
  }
}

/** OpenCode: an assistant's text part of `tools` quotes an AWS access key id. */
export const plantOpencode = (homes: AgentHomes): Planted => {
  const fixture = OpencodeFixtures.byRole("tools")
  const db = openDatabase(path.join(homes.opencode, "opencode.db"))
  const secret = Samples.awsAccessKeyId
  try {
    const part = db.prepare("SELECT id, data FROM part WHERE session_id = ? AND json_extract(data, '$.type') = 'text' AND json_extract(data, '$.time') IS NOT NULL ORDER BY id LIMIT 1")
      .get(fixture.sessionId) as { id: string; data: string }
    const data = JSON.parse(part.data)
    data.text = `${data.text} The deploy used access key ${secret} from the CI settings.`
    db.prepare("UPDATE part SET data = ? WHERE id = ?").run(JSON.stringify(data), part.id)
  } finally {
    db.close()
  }
  return { agent: "opencode", session: fixture.sessionId, kind: "aws", secret, entry: `agents/opencode/sessions/${fixture.sessionId}/transcript.jsonl` }
}

/** Every file under `dir`, by its path relative to it. */
export const filesUnder = (dir: string): Array<string> =>
  (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort()

/** The files under `dir` whose bytes hold `text`. */
export const filesHolding = (dir: string, text: string): Array<string> =>
  filesUnder(dir).filter((file) => fs.readFileSync(path.join(dir, file)).includes(text))
