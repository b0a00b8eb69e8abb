/**
 * A Claude Code config dir (`CLAUDE_CONFIG_DIR`) of many generated sessions, for benchmarks and
 * scale tests: `projects/<folder>/<id>.jsonl` transcripts and their `history.jsonl` lines,
 * shaped like the ones Claude Code 2.1.332 writes.
 *
 * The lines are real ones: a session of the committed fixtures (`fixtures/claude`, the `tools`
 * session by default: a Bash turn and a Write turn) is the template. Each synthetic session is
 * its opening lines (queue operations, the first prompt, the environment, model, tool, agent and
 * skill listings, session context, prompt snapshot, `api-request-shape`, request blobs and the
 * first `api-request`: what 2.1.332 writes before the first reply, ~85 KB) with every id, path,
 * prompt and time of the template made the session's own, then turns until it reaches its size:
 * each turn a prompt (after the first), the assistant's Bash call and its output and a Write
 * call and its result (tool inputs and results holding absolute paths under the session's cwd),
 * the final answer, `last-prompt`, `atis-latch` and `cost-state`, each line a clone of the
 * template's line of that kind with its fields set. Every prompt also gets its `history.jsonl`
 * line.
 *
 * Deterministic (ids, words and times come from a seeded generator), written line by line
 * (memory stays flat whatever the count and size), and each transcript's mtime is its last
 * activity, as Claude leaves it.
 *
 * @since 0.1.0
 */
import { ClaudeProjectFolder } from "@sessionport/schema"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Fixtures from "./Fixtures.js"

/** @since 0.1.0 @category models */
export interface SyntheticSession {
  /** the config dir it is in */
  readonly root: string
  readonly id: string
  readonly cwd: string
  /** the transcript: `<root>/projects/<folder of cwd>/<id>.jsonl` */
  readonly path: string
  readonly bytes: number
  readonly lines: number
  /** turns written (the first holds the opening lines) */
  readonly turns: number
  /** the `uuid` of the last message line: a next turn's parent */
  readonly leaf: string
  /** the time of the first line, ms */
  readonly startMs: number
  /** the time of the last line, ms */
  readonly lastMs: number
}

/** @since 0.1.0 @category models */
export interface ConfigDirOptions {
  readonly sessions: number
  /**
   * each transcript ends with the turn that brings it nearest this size (the opening lines and
   * one turn at least, ~100 KB; a turn is ~15 KB)
   */
  readonly bytesPerSession: number
  /** absolute working directories, used in turn; default `/tmp/sessionport-bench-src/projects/p0`..`p3` */
  readonly cwds?: ReadonlyArray<string>
  /** HOME of the machine the sessions say they ran on; default the config dir's parent */
  readonly home?: string
  /** default 1 */
  readonly seed?: number
  /** the first session starts here, the next a minute later, …; default 2026-11-01T08:00Z */
  readonly startedAt?: Date
  /** a fixture session's role (`fixtures/claude/fixtures.json`); default `tools` */
  readonly template?: string
}

/** @since 0.1.0 @category constants */
export const defaultCwds: ReadonlyArray<string> = [0, 1, 2, 3].map((k) => `/tmp/sessionport-bench-src/projects/p${k}`)

// --- seeded randomness -------------------------------------------------------------------------

/** mulberry32: a small seeded generator of floats in [0, 1). */
const generator = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Random = () => number

const hex = (random: Random, n: number) => {
  let out = ""
  for (let i = 0; i < n; i++) out += Math.floor(random() * 16).toString(16)
  return out
}

/** A random (version 4) UUID from the seeded generator. */
const uuid = (random: Random) => {
  const h = hex(random, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[Math.floor(random() * 4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** A seed of its own for a string (a session id), so one session's turns do not depend on the others. */
const seedOf = (text: string, salt: number) => {
  let h = 2166136261 ^ salt
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

const WORDS = ("the config parser reads each entry and returns a value when the key is present otherwise it falls back " +
  "to the default we keep the cache small because most requests hit the same few files so a map of recent paths " +
  "is enough this change moves the retry loop into the client adds a test for the timeout and renames the helper " +
  "function to match what it does now the build passes locally and the lint step reports nothing new")
  .split(" ")
const PROSE = (() => {
  const random = generator(20261201)
  return Array.from({ length: 24000 }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(" ")
})()
const prose = (random: Random, n: number) => {
  const at = Math.floor(random() * (PROSE.length - n - 1))
  return PROSE.slice(at, at + n)
}

// --- the template ------------------------------------------------------------------------------

type Json = Record<string, any>

interface Template {
  /** the opening lines' text, up to and with the first `api-request` */
  readonly opening: string
  readonly sessionId: string
  readonly cwd: string
  readonly home: string
  readonly configDir: string
  readonly firstPrompt: string
  readonly startMs: number
  /** of the opening lines: the last message line's uuid, the first prompt's promptId, the api-request's id */
  readonly openingLeaf: string
  readonly openingPromptId: string
  readonly openingRequest: string
  readonly line: {
    readonly enqueue: Json
    readonly dequeue: Json
    readonly prompt: Json
    readonly apiRequest: Json
    readonly toolsUsed: Json
    readonly text: Json
    readonly answer: Json
    readonly bash: Json
    readonly bashResult: Json
    readonly write: Json
    readonly writeResult: Json
    readonly lastPrompt: Json
    readonly atisLatch: Json
    readonly costState: Json
  }
}

const content0 = (line: Json): Json | undefined => {
  const content = line.message?.content
  return Array.isArray(content) ? content[0] : undefined
}

const templates = new Map<string, Template>()

const loadTemplate = (role: string): Template => {
  const cached = templates.get(role)
  if (cached !== undefined) return cached
  const fixtures = Fixtures.load()
  const session = Fixtures.byRole(role)
  const texts = fs.readFileSync(path.join(Fixtures.fixtureHome, session.transcript), "utf8").split("\n").filter((l) => l !== "")
  const lines = texts.map((t) => JSON.parse(t) as Json)
  const find = (what: string, test: (line: Json) => boolean): Json => {
    const line = lines.find(test)
    if (line === undefined) throw new Error(`template session ${role} has no ${what} line`)
    return line
  }
  const firstRequest = lines.findIndex((l) => l.type === "api-request")
  if (firstRequest < 0) throw new Error(`template session ${role} has no api-request line`)
  const prompt = find("prompt", (l) => l.type === "user" && typeof l.message?.content === "string")
  const messages = lines.slice(0, firstRequest).filter((l) => typeof l.uuid === "string" && "parentUuid" in l)
  if (messages.length === 0) throw new Error(`template session ${role} opens with no message line`)
  const template: Template = {
    opening: texts.slice(0, firstRequest + 1).join("\n") + "\n",
    sessionId: session.sessionId,
    cwd: session.cwd,
    home: fixtures.source.home,
    configDir: fixtures.source.configDir,
    firstPrompt: prompt.message.content as string,
    startMs: Date.parse(find("timestamped", (l) => typeof l.timestamp === "string").timestamp),
    openingLeaf: messages[messages.length - 1]!.uuid,
    openingPromptId: prompt.promptId,
    openingRequest: lines[firstRequest]!.id,
    line: {
      enqueue: find("enqueue", (l) => l.type === "queue-operation" && l.operation === "enqueue"),
      dequeue: find("dequeue", (l) => l.type === "queue-operation" && l.operation === "dequeue"),
      prompt,
      apiRequest: find("api-request", (l) => l.type === "api-request"),
      toolsUsed: find("tools-used", (l) => l.type === "tools-used"),
      text: find("assistant text", (l) => l.type === "assistant" && content0(l)?.type === "text"),
      answer: find("final answer", (l) => l.type === "assistant" && content0(l)?.type === "text" && l.message.stop_reason === "end_turn"),
      bash: find("Bash call", (l) => l.type === "assistant" && content0(l)?.name === "Bash"),
      bashResult: find("Bash result", (l) => l.type === "user" && typeof l.toolUseResult?.stdout === "string"),
      write: find("Write call", (l) => l.type === "assistant" && content0(l)?.name === "Write"),
      writeResult: find("Write result", (l) => l.type === "user" && l.toolUseResult?.type === "create"),
      lastPrompt: find("last-prompt", (l) => l.type === "last-prompt"),
      atisLatch: find("atis-latch", (l) => l.type === "atis-latch"),
      costState: find("cost-state", (l) => l.type === "cost-state")
    }
  }
  templates.set(role, template)
  return template
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g

/** A session's own opening lines: the template's, with its ids, paths, first prompt and times. */
const opening = (t: Template, s: { id: string; cwd: string; root: string; home: string; prompt: string; startMs: number }, random: Random) => {
  const ids = new Map<string, string>([[t.sessionId, s.id]])
  const shift = s.startMs - t.startMs
  const folder = ClaudeProjectFolder.projectFolderName
  const text = t.opening
    .replace(UUID, (u) => ids.get(u) ?? (ids.set(u, uuid(random)), ids.get(u)!))
    .split(`${t.configDir}/projects/${folder(t.cwd)}`).join(`${s.root}/projects/${folder(s.cwd)}`)
    .split(t.configDir).join(s.root)
    .split(t.cwd).join(s.cwd)
    .split(t.home).join(s.home)
    .split(JSON.stringify(t.firstPrompt).slice(1, -1)).join(JSON.stringify(s.prompt).slice(1, -1))
    .replace(ISO, (iso) => new Date(Date.parse(iso) + shift).toISOString())
    .replace(/"(sentAtMs|startTime)":(\d+)/g, (_, key: string, ms: string) => `"${key}":${Number(ms) + shift}`)
  const own = (u: string) => {
    const mapped = ids.get(u)
    if (mapped === undefined) throw new Error(`template id ${u} is not in its opening lines`)
    return mapped
  }
  return { text, leaf: own(t.openingLeaf), promptId: own(t.openingPromptId), request: own(t.openingRequest) }
}

// --- turns -------------------------------------------------------------------------------------

interface TurnState {
  readonly t: Template
  readonly id: string
  readonly cwd: string
  /** 0: the first turn, whose prompt is in the opening lines */
  readonly turn: number
  readonly leaf: string
  readonly startMs: number
  readonly sessionStartMs: number
  readonly prompt: string
  readonly random: Random
  /** of the first turn: its prompt's promptId and the api-request the reply answers (in the opening lines) */
  readonly opened?: { readonly promptId: string; readonly request: string }
}

const clone = (line: Json): Json => structuredClone(line)

/** The lines of one turn, and the new leaf and time. */
const turnLines = (s: TurnState): { lines: Array<Json>; leaf: string; lastMs: number } => {
  const { cwd, id, random, t } = s
  let ms = s.startMs
  const at = () => new Date((ms += 5 + Math.floor(random() * 400))).toISOString()
  const lines: Array<Json> = []
  let parent = s.leaf
  const promptId = s.opened?.promptId ?? uuid(random)
  const tag = `${id.slice(0, 8)}${String(s.turn).padStart(4, "0")}`
  const message = (base: Json, fields: Json): Json => {
    const line = clone(base)
    const own = uuid(random)
    Object.assign(line, { parentUuid: parent, uuid: own, timestamp: at(), cwd, sessionId: id }, fields)
    parent = own
    return line
  }
  const request = (): Json => {
    const line = clone(t.line.apiRequest)
    Object.assign(line, { sessionId: id, id: uuid(random), timestamp: at(), requestDigest: hex(random, 64) })
    delete line.base
    return line
  }
  const assistant = (base: Json, requestRef: string, n: number, content: Json): Json => {
    const line = message(base, { requestRef, requestId: `req_${tag}_${n}` })
    line.message = { ...line.message, id: `msg_${tag}_${n}`, content: [content] }
    return line
  }
  const sessionLine = (base: Json, fields: Json = {}) => Object.assign(clone(base), { sessionId: id }, fields)

  if (s.turn > 0) {
    lines.push(sessionLine(t.line.enqueue, { timestamp: at(), content: s.prompt }))
    lines.push(sessionLine(t.line.dequeue, { timestamp: at() }))
    const prompt = message(t.line.prompt, {
      promptId,
      sentAtMs: ms,
      turnPosition: { promptIndex: 0, turnIndex: s.turn + 1 }
    })
    prompt.message = { role: "user", content: s.prompt }
    lines.push(prompt)
  }
  let firstRequest = s.opened?.request
  if (firstRequest === undefined) {
    const first = request()
    lines.push(first)
    firstRequest = first.id as string
  }
  lines.push(sessionLine(t.line.toolsUsed, { tools: ["Bash"] }))
  lines.push(assistant(t.line.text, firstRequest, 1, { type: "text", text: `Looking at ${cwd}/src first. ${prose(random, 120)}` }))

  // Bash: a search whose output names files under the cwd
  const needle = WORDS[Math.floor(random() * WORDS.length)]!
  const command = `grep -rn ${needle} ${cwd}/src ${cwd}/test | head -40`
  const output = Array.from({ length: 12 + Math.floor(random() * 8) }, (_, i) =>
    `${cwd}/${i % 3 === 0 ? "test" : "src"}/${WORDS[Math.floor(random() * WORDS.length)]}_${i}.ts:${1 + Math.floor(random() * 400)}: ${prose(random, 60 + Math.floor(random() * 60))}`
  ).join("\n")
  const bashId = `toolu_${tag}_1`
  const bash = assistant(t.line.bash, firstRequest, 2, { type: "tool_use", id: bashId, name: "Bash", input: { command, description: `Search for ${needle}` } })
  lines.push(bash)
  const bashResult = message(t.line.bashResult, { promptId, sourceToolAssistantUUID: bash.uuid })
  bashResult.message = { role: "user", content: [{ tool_use_id: bashId, type: "tool_result", content: output, is_error: false }] }
  bashResult.toolUseResult = { ...bashResult.toolUseResult, stdout: output, stderr: "" }
  lines.push(bashResult)

  // Write: a notes file under the cwd that names another
  const second = request()
  lines.push(second)
  lines.push(sessionLine(t.line.toolsUsed, { tools: ["Bash", "Write"] }))
  const file = `${cwd}/notes/turn-${s.turn}-${needle}.md`
  const body = `# ${needle}\n\nSee ${cwd}/src/${needle}_0.ts and ${cwd}/README.md.\n\n${prose(random, 500 + Math.floor(random() * 400))}\n`
  const writeId = `toolu_${tag}_2`
  const write = assistant(t.line.write, second.id, 3, { type: "tool_use", id: writeId, name: "Write", input: { file_path: file, content: body } })
  lines.push(write)
  const writeResult = message(t.line.writeResult, { promptId, sourceToolAssistantUUID: write.uuid })
  writeResult.message = {
    role: "user",
    content: [{ tool_use_id: writeId, type: "tool_result", content: `File created successfully at: ${file} (file state is current in your context — no need to Read it back)` }]
  }
  writeResult.toolUseResult = { ...writeResult.toolUseResult, filePath: file, content: body }
  lines.push(writeResult)

  const third = request()
  lines.push(third)
  const done = assistant(t.line.answer, third.id, 4, { type: "text", text: `Done: wrote ${file}. ${prose(random, 200)}` })
  lines.push(done)
  lines.push(sessionLine(t.line.lastPrompt, { lastPrompt: s.prompt, leafUuid: done.uuid }))
  lines.push(sessionLine(t.line.atisLatch))
  const cost = sessionLine(t.line.costState, { startTime: s.sessionStartMs, totalDuration: ms - s.sessionStartMs })
  lines.push(cost)
  return { lines, leaf: done.uuid as string, lastMs: ms }
}

const promptOf = (random: Random, turn: number, cwd: string) =>
  `turn ${turn + 1}: ${prose(random, 40).trim()} in ${path.basename(cwd)}`

const historyLine = (prompt: string, ms: number, cwd: string, id: string) =>
  JSON.stringify({ display: prompt, pastedContents: {}, timestamp: ms, project: cwd, sessionId: id }) + "\n"

// --- writing -----------------------------------------------------------------------------------

/**
 * Writes the sessions into the config dir `root` (created if needed; `history.jsonl` appended
 * to) and answers them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const writeConfigDir = async (root: string, options: ConfigDirOptions): Promise<ReadonlyArray<SyntheticSession>> => {
  const t = loadTemplate(options.template ?? "tools")
  const cwds = options.cwds ?? defaultCwds
  const home = options.home ?? path.dirname(root)
  const base = (options.startedAt ?? new Date(Date.UTC(2026, 10, 1, 8, 0, 0))).getTime()
  const random = generator(options.seed ?? 1)
  fs.mkdirSync(root, { recursive: true })
  const history = fs.openSync(path.join(root, "history.jsonl"), "a")
  const sessions: Array<SyntheticSession> = []
  try {
    for (let n = 0; n < options.sessions; n++) {
      const id = uuid(random)
      const cwd = cwds[n % cwds.length]!
      const startMs = base + n * 60_000
      const own = generator(seedOf(id, options.seed ?? 1))
      const prompt = promptOf(own, 0, cwd)
      const file = path.join(root, "projects", ClaudeProjectFolder.projectFolderName(cwd), `${id}.jsonl`)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      const fd = fs.openSync(file, "w")
      let bytes = 0
      let lines = 0
      const put = (text: string) => {
        bytes += fs.writeSync(fd, text)
      }
      let state: { leaf: string; lastMs: number; turns: number }
      let turnBytes = 0
      try {
        const head = opening(t, { id, cwd, root, home, prompt, startMs }, own)
        put(head.text)
        lines += head.text.split("\n").length - 1
        fs.writeSync(history, historyLine(prompt, startMs, cwd, id))
        state = { leaf: head.leaf, lastMs: startMs + 300, turns: 0 }
        do {
          const first = state.turns === 0
          const turnPrompt = first ? prompt : promptOf(own, state.turns, cwd)
          if (!first) fs.writeSync(history, historyLine(turnPrompt, state.lastMs + 1000, cwd, id))
          const turn = turnLines({
            t,
            id,
            cwd,
            turn: state.turns,
            leaf: state.leaf,
            startMs: state.lastMs + (first ? 0 : 1000),
            sessionStartMs: startMs,
            prompt: turnPrompt,
            random: own,
            ...(first ? { opened: { promptId: head.promptId, request: head.request } } : {})
          })
          const before = bytes
          for (const line of turn.lines) put(JSON.stringify(line) + "\n")
          lines += turn.lines.length
          turnBytes = bytes - before
          state = { leaf: turn.leaf, lastMs: turn.lastMs, turns: state.turns + 1 }
        } while (bytes + turnBytes / 2 < options.bytesPerSession) // the size nearest to the asked one
      } finally {
        fs.closeSync(fd)
      }
      fs.utimesSync(file, new Date(state.lastMs), new Date(state.lastMs))
      sessions.push({ root, id, cwd, path: file, bytes, lines, turns: state.turns, leaf: state.leaf, startMs, lastMs: state.lastMs })
    }
  } finally {
    fs.closeSync(history)
  }
  return sessions
}

/**
 * One more turn at the end of a session written by {@link writeConfigDir} (its next prompt, a
 * Bash and a Write call, the answer), its `history.jsonl` line, the transcript's mtime moved to
 * it; answers the session as it now is. Deterministic: the turn depends on the session and its
 * turn count only.
 *
 * @since 0.1.0
 * @category constructors
 */
export const appendTurn = (session: SyntheticSession, options: { readonly seed?: number; readonly template?: string } = {}): SyntheticSession => {
  const t = loadTemplate(options.template ?? "tools")
  const random = generator(seedOf(`${session.id}/${session.turns}`, options.seed ?? 1))
  const prompt = promptOf(random, session.turns, session.cwd)
  const startMs = session.lastMs + 60_000
  const turn = turnLines({ t, id: session.id, cwd: session.cwd, turn: session.turns, leaf: session.leaf, startMs, sessionStartMs: session.startMs, prompt, random })
  const text = turn.lines.map((line) => JSON.stringify(line) + "\n").join("")
  fs.appendFileSync(session.path, text)
  fs.appendFileSync(path.join(session.root, "history.jsonl"), historyLine(prompt, startMs, session.cwd, session.id))
  fs.utimesSync(session.path, new Date(turn.lastMs), new Date(turn.lastMs))
  return { ...session, bytes: session.bytes + Buffer.byteLength(text), lines: session.lines + turn.lines.length, turns: session.turns + 1, leaf: turn.leaf, lastMs: turn.lastMs }
}
