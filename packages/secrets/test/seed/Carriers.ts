/**
 * Where secrets sit in real transcripts, per agent (the string values a planted secret goes
 * into), and how each carrier holds one: a tool's output (`cat .env`, `printenv`, `git config
 * -l`, `cat ~/.aws/credentials`), a tool's input (a shell command, a file written, an
 * apply_patch), a user prompt, assistant text, a Claude Code file-history backup.
 */
import type { Secret } from "./Kinds.js"
import type { Rng } from "./Rng.js"
import type { Source } from "./Sources.js"

export type Carrier = "output" | "shell" | "file" | "patch" | "user" | "assistant" | "backup"
export const CARRIERS: ReadonlyArray<Carrier> = ["output", "shell", "file", "patch", "user", "assistant", "backup"]

export type JsonPath = ReadonlyArray<string | number>

export interface Slot {
  readonly source: Source
  /** 1-based line of the file (a backup's lines are counted when planted) */
  readonly record: number
  /** the string value in the record ([] = the raw line) */
  readonly path: JsonPath
  readonly carrier: Carrier
  /** a JSON object inside that string (Codex `function_call.arguments`): the key edited in it */
  readonly inner?: string
}

type Found = { readonly path: JsonPath; readonly carrier: Carrier; readonly inner?: string }

const isObject = (u: unknown): u is Record<string, any> => typeof u === "object" && u !== null && !Array.isArray(u)
const isProse = (text: unknown): text is string => typeof text === "string" && text.length > 0 && !/^\s*[<#]/.test(text)

const codexSlots = (o: Record<string, any>): Array<Found> => {
  const p = o.payload
  if (!isObject(p)) return []
  const out: Array<Found> = []
  if (o.type === "response_item") {
    if ((p.type === "function_call_output" || p.type === "custom_tool_call_output") && typeof p.output === "string") {
      out.push({ path: ["payload", "output"], carrier: "output" })
    }
    if (p.type === "function_call" && typeof p.arguments === "string") {
      try {
        if (typeof JSON.parse(p.arguments).cmd === "string") out.push({ path: ["payload", "arguments"], carrier: "shell", inner: "cmd" })
      } catch {
        // not JSON: left alone
      }
    }
    if (p.type === "custom_tool_call" && p.name === "apply_patch" && typeof p.input === "string" && p.input.includes("*** End Patch")) {
      out.push({ path: ["payload", "input"], carrier: "patch" })
    }
    if (p.type === "message" && Array.isArray(p.content) && (p.role === "user" || p.role === "assistant")) {
      p.content.forEach((c: any, i: number) => {
        if (isObject(c) && isProse(c.text)) out.push({ path: ["payload", "content", i, "text"], carrier: p.role === "user" ? "user" : "assistant" })
      })
    }
  }
  if (o.type === "event_msg") {
    const item = p.item
    if (p.type === "item_completed" && isObject(item)) {
      if (item.type === "CommandExecution" && typeof item.aggregated_output === "string") {
        out.push({ path: ["payload", "item", "aggregated_output"], carrier: "output" })
      }
      if ((item.type === "UserMessage" || item.type === "AgentMessage") && Array.isArray(item.content)) {
        item.content.forEach((c: any, i: number) => {
          if (isObject(c) && isProse(c.text)) out.push({ path: ["payload", "item", "content", i, "text"], carrier: item.type === "UserMessage" ? "user" : "assistant" })
        })
      }
    }
    if ((p.type === "user_message" || p.type === "agent_message") && isProse(p.message)) {
      out.push({ path: ["payload", "message"], carrier: p.type === "user_message" ? "user" : "assistant" })
    }
  }
  return out
}

const claudeSlots = (o: Record<string, any>, history: boolean): Array<Found> => {
  if (history) return isProse(o.display) ? [{ path: ["display"], carrier: "user" }] : []
  const m = o.message
  if (!isObject(m)) return []
  const out: Array<Found> = []
  if (o.type === "user") {
    if (isProse(m.content)) out.push({ path: ["message", "content"], carrier: "user" })
    if (Array.isArray(m.content)) {
      m.content.forEach((c: any, i: number) => {
        if (isObject(c) && c.type === "tool_result" && typeof c.content === "string") out.push({ path: ["message", "content", i, "content"], carrier: "output" })
      })
    }
    if (isObject(o.toolUseResult) && typeof o.toolUseResult.stdout === "string") out.push({ path: ["toolUseResult", "stdout"], carrier: "output" })
  }
  if (o.type === "assistant" && Array.isArray(m.content)) {
    m.content.forEach((c: any, i: number) => {
      if (!isObject(c)) return
      if (c.type === "text" && isProse(c.text)) out.push({ path: ["message", "content", i, "text"], carrier: "assistant" })
      if (c.type === "tool_use" && c.name === "Bash" && isObject(c.input) && typeof c.input.command === "string") {
        out.push({ path: ["message", "content", i, "input", "command"], carrier: "shell" })
      }
      if (c.type === "tool_use" && c.name === "Write" && isObject(c.input) && typeof c.input.content === "string") {
        out.push({ path: ["message", "content", i, "input", "content"], carrier: "file" })
      }
    })
  }
  return out
}

const opencodeSlots = (o: Record<string, any>, roles: Map<string, string>): Array<Found> => {
  const d = o.data
  if (!isObject(d)) return []
  if (o.type === "message") {
    roles.set(o.id, d.role)
    return []
  }
  if (o.type !== "part") return []
  if (d.type === "text" && isProse(d.text)) {
    const role = roles.get(o.message_id)
    return role === "user" || role === "assistant" ? [{ path: ["data", "text"], carrier: role }] : []
  }
  const state = d.state
  if (d.type !== "tool" || !isObject(state) || !isObject(state.input)) return []
  if (d.tool === "bash") {
    return [
      ...(typeof state.input.command === "string" ? [{ path: ["data", "state", "input", "command"], carrier: "shell" as const }] : []),
      ...(typeof state.output === "string" ? [{ path: ["data", "state", "output"], carrier: "output" as const }] : []),
      ...(isObject(state.metadata) && typeof state.metadata.output === "string"
        ? [{ path: ["data", "state", "metadata", "output"], carrier: "output" as const }]
        : [])
    ]
  }
  if (d.tool === "write" && typeof state.input.content === "string") return [{ path: ["data", "state", "input", "content"], carrier: "file" }]
  return []
}

/** The places in a JSONL transcript a secret can be planted. */
export const slotsOf = (source: Source, lines: ReadonlyArray<string>): Array<Slot> => {
  if (source.format !== "jsonl") return []
  const roles = new Map<string, string>()
  const history = source.rel.endsWith("/history.jsonl")
  return lines.flatMap((line, i) => {
    let o: unknown
    try {
      o = JSON.parse(line)
    } catch {
      return []
    }
    if (!isObject(o)) return []
    const found = source.agent === "codex" ? codexSlots(o) : source.agent === "claude" ? claudeSlots(o, history) : opencodeSlots(o, roles)
    return found.map((f) => ({ source, record: i + 1, ...f }))
  })
}

// ── rendering: how a carrier holds a secret ────────────────────────────────────────────────

/** `NAME=value`, quoted as people do when the value has shell-special characters */
export const envLine = (name: string, value: string): string =>
  /^[A-Za-z0-9+/=_.:~@?&%,-]+$/.test(value) ? `${name}=${value}` : /'/.test(value) ? `${name}="${value}"` : `${name}='${value}'`

const ENV_DECOYS = ["NODE_ENV=production", "PORT=3000", "LOG_LEVEL=info", "APP_NAME=acme-api", "REDIS_HOST=redis", "FEATURE_CHECKOUT=true"]
const PRINTENV_DECOYS = ["HOME=/home/dev", "PATH=/usr/local/bin:/usr/bin:/bin", "SHELL=/bin/bash", "LANG=C.UTF-8", "TERM=xterm-256color", "PWD=/home/dev/app"]

const around = (rng: Rng, decoys: ReadonlyArray<string>, line: string): string => {
  const before = decoys.slice(0, rng.between(1, 3))
  const after = decoys.slice(3, 3 + rng.between(0, 2))
  return [...before, line, ...after].join("\n") + "\n"
}

const single = (s: Secret): string => (s.shape === "block" ? s.value : envLine(s.envName, s.value))

/** whether a secret can sit in a carrier (a PEM in a one-line-per-record backup cannot) */
export const accepts = (carrier: Carrier, s: Secret): boolean => {
  if (carrier === "patch") return s.shape !== "block" && s.kind !== "dotenv" // `+NAME=…` lines: the line-start rules see a `+`
  if (carrier === "backup") return s.shape !== "block" || s.kind === "aws"
  return true
}

export interface Rendered {
  readonly text: string
  /** the file it is written to (apply_patch, backups) */
  readonly file: string
}

/** The text a carrier gets for a secret. */
export const render = (carrier: Carrier, s: Secret, rng: Rng): Rendered => {
  const file = s.file ?? rng.pick([".env", ".env.local", ".env.production", "config/.env"])
  const v = s.value
  switch (carrier) {
    case "output": {
      // a kind with its own tool output shows up in it (git config, .npmrc, .pypirc, credentials)
      if (s.output !== undefined) return { text: s.output, file }
      const options = [
        ...(s.shape === "block" ? [v] : [around(rng, ENV_DECOYS, single(s)), around(rng, PRINTENV_DECOYS, single(s))]),
        ...(s.shape === "url" ? [`production:\n  adapter: ${s.kind.split("-")[0]}\n  url: ${v}\n  pool: 10\n`] : [])
      ]
      return { text: rng.pick(options), file }
    }
    case "shell":
      return {
        text: s.command !== undefined && (s.kind !== "dotenv" || rng.int(2) === 0)
          ? s.command
          : s.shape === "block"
          ? `cat > ${file} <<'EOF'\n${v.trimEnd()}\nEOF`
          : `export ${envLine(s.envName, v)}\nnpm run deploy`,
        file
      }
    case "file":
    case "backup":
      return { text: s.shape === "block" ? v.endsWith("\n") ? v : v + "\n" : around(rng, ENV_DECOYS, single(s)), file }
    case "patch":
      return { text: around(rng, ENV_DECOYS, single(s)), file }
    case "user": {
      if (s.shape === "block") return { text: rng.pick([`This is the file, the tool says "invalid format":\n\n${v}\nCan you see what's wrong?`, `Use these credentials:\n${v}`]), file }
      if (s.kind === "dotenv") return { text: `My ${file} has:\n\n${single(s)}\n\nIs that long enough for production?`, file }
      return {
        text: rng.pick([
          `I exported ${s.envName}=${v} but the request still fails with 401. What am I doing wrong?`,
          `here is the key, try it: ${v}`,
          `Use this for the deploy step: ${v} (it's the prod one, don't commit it)`,
          `${s.envName} is ${v}, please add it to the CI settings`
        ]),
        file
      }
    }
    case "assistant": {
      if (s.shape === "block") return { text: `Here is \`${file}\` as it is now:\n\n\`\`\`\n${v.trimEnd()}\n\`\`\`\n`, file }
      if (s.kind === "dotenv") return { text: `Add this line to \`${file}\`:\n\n${single(s)}\n\nand restart the server.`, file }
      return {
        text: rng.pick([
          `Set it in your shell first:\n\n    export ${single(s)}\n\nthen rerun the script.`,
          `The request used \`${v}\`, which the API rejected as expired.`,
          `I found the credential hard-coded in \`config/settings.py\`: \`${v}\`. Move it into ${s.envName}.`
        ]),
        file
      }
    }
  }
}

/** A string value with a rendered text added the way its carrier grows. */
export const apply = (carrier: Carrier, old: string, r: Rendered): string => {
  switch (carrier) {
    case "output":
    case "file":
    case "backup":
      return old === "" || old.endsWith("\n") ? old + r.text : `${old}\n${r.text}`
    case "shell":
      return `${old}\n${r.text}`
    case "patch": {
      const added = `*** Add File: ${r.file}\n${r.text.trimEnd().split("\n").map((l) => `+${l}`).join("\n")}\n`
      const end = old.lastIndexOf("*** End Patch")
      return old.slice(0, end) + added + old.slice(end)
    }
    case "user":
    case "assistant":
      return `${old}\n\n${r.text}`
  }
}
