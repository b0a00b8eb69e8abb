/**
 * The seeded corpus: real transcripts of every agent with secrets planted in realistic carriers,
 * and its truth list (file, record, JSON path, kind, carrier, SHA-256 of the secret). Planting
 * edits string values through JSON.parse → edit → JSON.stringify, so every line stays valid
 * JSON and every line without a planted secret stays byte for byte as it was.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { accepts, apply, type Carrier, type JsonPath, render, type Slot, slotsOf } from "./Carriers.js"
import { type Kind, KINDS, type Secret, sha256 } from "./Kinds.js"
import * as Rng from "./Rng.js"
import type { Agent, Format, Source } from "./Sources.js"

export const DEFAULT_SEED = "sessionport-issue-18"
export const AGENTS: ReadonlyArray<Agent> = ["codex", "claude", "opencode"]

/** one planted secret, as the truth file lists it */
export interface TruthEntry {
  readonly file: string
  readonly agent: Agent
  readonly format: Format
  readonly record: number
  readonly path: JsonPath
  readonly kind: string
  readonly carrier: Carrier
  readonly sha256: string
}

/** …and in memory, with the secret (never written) */
export interface Planted extends TruthEntry {
  readonly secret: Secret
}

export interface CorpusFile {
  readonly file: string
  readonly abs: string
  readonly agent: Agent
  readonly format: Format
  readonly bytes: number
}

export interface Corpus {
  readonly dir: string
  readonly files: ReadonlyArray<CorpusFile>
  readonly truth: ReadonlyArray<Planted>
}

interface Doc {
  readonly file: string
  readonly agent: Agent
  readonly format: Format
  readonly lines: Array<string>
  readonly edited: Map<number, unknown>
}

const readLines = (abs: string): Array<string> => {
  const text = fs.readFileSync(abs, "utf8")
  const lines = text.split("\n")
  if (lines[lines.length - 1] === "") lines.pop()
  return lines
}

const getAt = (root: unknown, p: JsonPath): unknown => p.reduce<any>((o, k) => (o == null ? undefined : o[k]), root)

const setAt = (root: unknown, p: JsonPath, value: unknown): void => {
  const parent = getAt(root, p.slice(0, -1)) as Record<string | number, unknown>
  parent[p[p.length - 1]!] = value
}

const BACKUP_HEAD = ["# local settings (do not commit)", "NODE_ENV=development", "PORT=3000", "DEBUG=app:*"]

export interface PlantOptions {
  readonly dir: string
  readonly sources: ReadonlyArray<Source>
  readonly seed?: string
  /** secrets to plant (default 200) */
  readonly count?: number
  /** copies of each agent's transcripts, each planted on its own (more places for the same secrets count) */
  readonly copies?: Partial<Record<Agent, number>>
  /** Claude Code file-history backups per copy (default 2) */
  readonly backups?: number
  /** what to plant, in turn (default: every kind of secret) */
  readonly kinds?: ReadonlyArray<Kind>
}

export const DEFAULT_COPIES: Record<Agent, number> = { codex: 2, claude: 3, opencode: 6 }

// how often each carrier is chosen (where the agent has it): tool output is where secrets
// mostly turn up, then commands and prompts
const WEIGHTS: Record<Carrier, number> = { output: 6, shell: 4, file: 2, patch: 1, user: 4, assistant: 2, backup: 2 }

/**
 * Plants `count` secrets (kinds in turn, agents in turn, carriers and places by the seed: the
 * least-used place of the chosen carrier first) and writes the corpus and `truth.jsonl` to `dir`.
 */
export const plant = (options: PlantOptions): Corpus => {
  const seed = options.seed ?? DEFAULT_SEED
  const count = options.count ?? 200
  const kinds = options.kinds ?? KINDS
  const rng = Rng.make(seed)
  const docs: Array<Doc> = []
  const slots: Array<Slot & { readonly doc: Doc }> = []
  for (const agent of AGENTS) {
    const copies = options.copies?.[agent] ?? DEFAULT_COPIES[agent]
    for (let c = 1; c <= copies; c++) {
      for (const source of options.sources.filter((s) => s.agent === agent)) {
        const lines = readLines(source.abs)
        const doc: Doc = { file: `copy-${c}/${source.rel}`, agent, format: source.format, lines, edited: new Map() }
        docs.push(doc)
        for (const slot of slotsOf(source, lines)) slots.push({ ...slot, doc })
      }
      if (agent === "claude") {
        const session = options.sources.find((s) => s.agent === "claude" && s.rel.includes("/projects/"))
        const id = session === undefined ? "00000000-0000-4000-8000-000000000000" : path.basename(session.rel, ".jsonl")
        for (let b = 1; b <= (options.backups ?? 2); b++) {
          const rel = `claude/file-history/${id}/${rng.bytes(8).toString("hex")}@v${b}`
          const doc: Doc = { file: `copy-${c}/${rel}`, agent, format: "text", lines: [...BACKUP_HEAD], edited: new Map() }
          docs.push(doc)
          const source: Source = { agent, format: "text", abs: "", rel }
          slots.push({ source, record: 0, path: [], carrier: "backup", doc })
        }
      }
    }
  }
  const used = new Map<Slot, number>()
  const truth: Array<Planted> = []
  let pemInArguments = false
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length]!
    const round = Math.floor(i / kinds.length)
    // shifted each round of kinds: every kind goes to every agent (42 kinds would otherwise always
    // meet the same agent, 42 being a multiple of 3)
    const agent = AGENTS[(i + round) % AGENTS.length]!
    const r = rng.fork(`secret-${i}`)
    const secret = kind.make(r.fork("value"), round)
    const mine = slots.filter((s) => s.doc.agent === agent && accepts(s.carrier, secret))
    const carriers = [...new Set(mine.map((s) => s.carrier))].sort()
    // a kind's own tool output (`git config -l`, `cat ~/.npmrc`, …) and its own command (`curl …
    // bot<token>/getMe`, …) each at least once; one PEM at least JSON-escaped into a Codex
    // function_call's arguments; the rest by weight
    const carrier: Carrier = round === 0 && secret.output !== undefined && carriers.includes("output")
      ? "output"
      : round === 1 && secret.command !== undefined && carriers.includes("shell")
      ? "shell"
      : agent === "codex" && secret.kind.startsWith("private-key") && !pemInArguments
      ? "shell"
      : r.pick(carriers.flatMap((c) => Array<Carrier>(WEIGHTS[c]).fill(c)))
    const candidates = mine.filter((s) => s.carrier === carrier)
    const least = Math.min(...candidates.map((s) => used.get(s) ?? 0))
    const slot = r.pick(candidates.filter((s) => (used.get(s) ?? 0) === least))
    used.set(slot, least + 1)
    const rendered = render(carrier, secret, r.fork("render"))
    const doc = slot.doc
    let record = slot.record
    if (slot.carrier === "backup") {
      const before = doc.lines.length
      doc.lines.push(...rendered.text.trimEnd().split("\n"))
      const at = doc.lines.findIndex((l, k) => k >= before && secret.parts.every((p) => l.includes(p)))
      if (at < 0) throw new Error(`seed: ${secret.kind} does not fit on one line of a backup`)
      record = at + 1
    } else {
      const obj = doc.edited.get(record) ?? JSON.parse(doc.lines[record - 1]!)
      const old = getAt(obj, slot.path) as string
      if (slot.inner !== undefined) {
        const inner = JSON.parse(old)
        inner[slot.inner] = apply(carrier, inner[slot.inner], rendered)
        setAt(obj, slot.path, JSON.stringify(inner))
        if (secret.kind.startsWith("private-key")) pemInArguments = true
      } else {
        setAt(obj, slot.path, apply(carrier, old, rendered))
      }
      doc.edited.set(record, obj)
    }
    truth.push({
      file: doc.file,
      agent,
      format: doc.format,
      record,
      path: slot.path,
      kind: secret.kind,
      carrier,
      sha256: sha256(secret.value),
      secret
    })
  }
  const files = docs.map((doc) => {
    for (const [record, obj] of doc.edited) doc.lines[record - 1] = JSON.stringify(obj)
    const abs = path.join(options.dir, ...doc.file.split("/"))
    fs.mkdirSync(path.dirname(abs), { recursive: true })
    const text = doc.lines.map((l) => l + "\n").join("")
    fs.writeFileSync(abs, text)
    return { file: doc.file, abs, agent: doc.agent, format: doc.format, bytes: Buffer.byteLength(text) }
  })
  fs.writeFileSync(
    path.join(options.dir, "truth.jsonl"),
    truth.map(({ secret: _, ...entry }) => JSON.stringify(entry) + "\n").join("")
  )
  return { dir: options.dir, files, truth }
}
