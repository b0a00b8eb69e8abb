/**
 * @internal
 * The `actions.v1` projection as a synchronous, incremental state machine: records in, completed
 * actions out, in bounded memory. `Actions.ts` wraps it in a stream; the rules are documented in
 * docs/actions-v1.md.
 *
 * One action per call: records of one call (a response-item call and its output, an `*_end`
 * event, an `item_completed` item) are matched by `call_id` within a family (commands, patches,
 * MCP calls, web searches, other tools) and merged, the richest record winning field by field
 * (item > end event > response item). The records of one call do not come in a fixed order
 * (unified exec writes `exec_command_end` when the process exits, after the call's output; a
 * paginated thread writes the item before the output), so an action is held, in order, until
 * the rest of its call has come, its turn ends, or the hold is full; everything behind a held
 * action waits too, so `seq` is the order in which actions first completed.
 */
import type { Either } from "effect"
import type { ActionStatus, ActionType, ActionV1 } from "../Actions.js"
import type { InvalidLine, RolloutRecord } from "../RolloutRecord.js"
import * as UserPrompt from "../UserPrompt.js"
import { durationToMs, outputFacts, type OutputFacts } from "./actionsOutput.js"
import { type ChangedPath, pathsFromChanges, pathsFromPatch } from "./actionsPatch.js"

/** @internal */
export interface ProjectorOptions {
  readonly includeText?: boolean | undefined
  readonly sessionId?: string | undefined
  readonly maxHeld?: number | undefined
  readonly maxPending?: number | undefined
  readonly maxRunning?: number | undefined
}

/** @internal */
export const DEFAULT_MAX_HELD = 256
/** @internal */
export const DEFAULT_MAX_PENDING = 4096
/** @internal */
export const DEFAULT_MAX_RUNNING = 1024

type Json = Record<string, unknown>
type Command = ReadonlyArray<string> | string
type Family = "command" | "patch" | "mcp" | "web" | "tool"

const RESPONSE = 1
const EVENT = 2
const ITEM = 3

interface Draft {
  readonly action_type: ActionType
  call_id: string | null
  turn_id: string | null
  timestamp: string | null
  tool_name: string | null
  command: Command | null
  cwd: string | null
  changed_paths: Array<ChangedPath>
  status: ActionStatus
  exit_code: number | null
  duration_ms: number | null
  text: string | null
  rank: number
}

interface Held {
  readonly draft: Draft
  settled: boolean
  emitted: boolean
  /** session_started with --include-text: waits for the first prompt */
  waitsForPrompt: boolean
  /** its key among the remembered call ids */
  key?: string
}

interface PendingCall {
  readonly family: Family | "stdin"
  readonly callId: string
  readonly toolName: string | null
  readonly command: Command | null
  readonly cwd: string | null
  readonly changedPaths: Array<ChangedPath>
  readonly turnId: string | null
  /** write_stdin: the unified-exec session it writes to */
  readonly session: string | null
  /** an end event or item already completed it; its output only fills gaps */
  completed: boolean
}

interface AnonymousWebSearch {
  readonly held: Held
  readonly action: string
}

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const str = (u: unknown): string | null => (typeof u === "string" ? u : null)
const int = (u: unknown): number | null => (typeof u === "number" && Number.isInteger(u) ? u : null)
const nonNegativeInt = (u: unknown): number | null => (typeof u === "number" && u >= 0 ? Math.round(u) : null)

const argv = (u: unknown): ReadonlyArray<string> | null =>
  Array.isArray(u) && u.every((part) => typeof part === "string") ? (u as ReadonlyArray<string>) : null

const parseArguments = (u: unknown): Json | null => {
  if (isObject(u)) return u
  if (typeof u !== "string") return null
  try {
    const json: unknown = JSON.parse(u)
    return isObject(json) ? json : null
  } catch {
    return null
  }
}

/** `file:///tmp/x` (0.169 items) as a path; anything else as it is. */
const pathOf = (u: unknown): string | null => {
  if (typeof u !== "string") return null
  if (!u.startsWith("file://")) return u
  try {
    const pathname = decodeURIComponent(new URL(u).pathname)
    // file:///C:/x → C:/x
    return /^\/[A-Za-z]:\//.test(pathname) ? pathname.slice(1) : pathname
  } catch {
    return u
  }
}

const statusOfExit = (exitCode: number | null): ActionStatus =>
  exitCode === null ? "unknown" : exitCode === 0 ? "completed" : "failed"

/** Codex's own status words (exec, patch and item statuses) → v1 status, `undefined` if not final. */
const recordedStatus = (u: unknown): ActionStatus | undefined => {
  switch (u) {
    case "completed":
    case "success":
      return "completed"
    case "failed":
    case "error":
      return "failed"
    case "declined":
    case "rejected":
      return "declined"
    default:
      return undefined
  }
}

const webTarget = (action: unknown, query: unknown): string | null => {
  if (isObject(action)) {
    const target = str(action.query) ?? str(action.url) ?? str(action.pattern)
    if (target !== null) return target
    if (Array.isArray(action.queries) && typeof action.queries[0] === "string") return action.queries[0]
  }
  return str(query)
}

const SHELL_ARGV = new Set(["shell", "container.exec", "local_shell"])
const APPLY_PATCH_ARGV0 = new Set(["apply_patch", "applypatch"])

const isMcp = (name: string | null, namespace: string | null): boolean =>
  (namespace !== null && namespace.startsWith("mcp__")) || (name !== null && name.startsWith("mcp__"))

const qualified = (name: string | null, namespace: string | null): string | null => {
  if (namespace === null || namespace.length === 0) return name
  if (name === null) return namespace
  if (name.startsWith(namespace)) return name
  // MCP namespaces end in "__" (`mcp__server__` + `tool`): the qualified name Codex uses
  return namespace.endsWith("__") ? namespace + name : `${namespace}.${name}`
}

const mcpName = (server: unknown, tool: unknown): string | null =>
  typeof server === "string" && typeof tool === "string" ? `mcp__${server}__${tool}` : null

const ACTION_OF: Record<Family, ActionType> = {
  command: "command_execution",
  patch: "file_change",
  mcp: "mcp_tool_call",
  web: "web_search",
  tool: "tool_call"
}

const mcpStatus = (result: unknown): ActionStatus => {
  if (!isObject(result)) return "unknown"
  if ("Err" in result) return "failed"
  const ok = isObject(result.Ok) ? result.Ok : result
  return ok.isError === true ? "failed" : "completed"
}

const blank = (type: ActionType, rank: number): Draft => ({
  action_type: type,
  call_id: null,
  turn_id: null,
  timestamp: null,
  tool_name: null,
  command: null,
  cwd: null,
  changed_paths: [],
  status: "completed",
  exit_code: null,
  duration_ms: null,
  text: null,
  rank
})

/** What an emitted call leaves behind among the remembered call ids. */
const EMITTED: Held = { draft: blank("tool_call", 0), settled: true, emitted: true, waitsForPrompt: false }

/** Field by field: the richer record's value where it has one, else whatever is known. */
const merge = (into: Draft, from: Draft): void => {
  const richer = from.rank > into.rank
  const pick = <A>(a: A | null, b: A | null): A | null => (richer ? b ?? a : a ?? b)
  into.turn_id = pick(into.turn_id, from.turn_id)
  into.tool_name = pick(into.tool_name, from.tool_name)
  into.command = pick(into.command, from.command)
  into.cwd = pick(into.cwd, from.cwd)
  into.exit_code = pick(into.exit_code, from.exit_code)
  into.duration_ms = pick(into.duration_ms, from.duration_ms)
  if (from.changed_paths.length > 0 && (richer || into.changed_paths.length === 0)) into.changed_paths = from.changed_paths
  if (from.status !== "unknown" && (richer || into.status === "unknown")) into.status = from.status
  into.rank = Math.max(into.rank, from.rank)
}

/** @internal */
export interface Projector {
  /** feeds one line; completed actions are appended to `out` */
  readonly push: (line: Either.Either<RolloutRecord, InvalidLine>, out: Array<ActionV1>) => void
  /** the end of the session: everything held is emitted */
  readonly end: (out: Array<ActionV1>) => void
}

/** @internal */
export const makeProjector = (options: ProjectorOptions = {}): Projector => {
  const includeText = options.includeText === true
  const maxHeld = Math.max(1, options.maxHeld ?? DEFAULT_MAX_HELD)
  const maxPending = Math.max(1, options.maxPending ?? DEFAULT_MAX_PENDING)
  const maxRunning = Math.max(1, options.maxRunning ?? DEFAULT_MAX_RUNNING)
  // remembered call ids outlive the hold, so a late duplicate is still recognised
  const maxSeen = Math.max(maxHeld, maxPending) * 2

  let sessionId: string | null = options.sessionId ?? null
  let metaSeen = false
  let paginated = false
  let turnMarkers = false
  let sessionCwd: string | null = null
  let turnCwd: string | null = null
  let currentTurn: string | null = null
  let seq = 0
  let waitingForPrompt: Held | undefined

  const queue: Array<Held> = []
  const pending = new Map<string, PendingCall>()
  /** unified-exec session → the command still running in it */
  const running = new Map<string, Draft>()
  const runningByCall = new Map<string, string>()
  const seen = new Map<string, Held>()
  let anonymousCalls: Array<AnonymousWebSearch> = []
  let unpairedEnds: Array<AnonymousWebSearch> = []

  let out: Array<ActionV1> = []

  const emit = (held: Held): void => {
    held.emitted = true
    // only the fact is remembered, not the action (a command can be long)
    if (held.key !== undefined && seen.get(held.key) === held) seen.set(held.key, EMITTED)
    const d = held.draft
    const action: { -readonly [K in keyof ActionV1]: ActionV1[K] } = {
      schema_version: "actions.v1",
      session_id: sessionId,
      turn_id: d.turn_id,
      seq: seq++,
      timestamp: d.timestamp,
      action_type: d.action_type,
      tool_name: d.tool_name,
      call_id: d.call_id,
      command: d.command,
      cwd: d.cwd,
      changed_paths: d.changed_paths,
      status: d.status,
      exit_code: d.exit_code,
      duration_ms: d.duration_ms
    }
    if (includeText && (d.action_type === "session_started" || d.action_type === "turn_completed")) action.text = d.text
    out.push(action)
  }

  const drain = (): void => {
    while (queue.length > 0) {
      const head = queue[0]!
      if (!head.settled) {
        if (queue.length <= maxHeld) return
        // the hold is full: the oldest goes out with what is known of it
        head.settled = true
        head.waitsForPrompt = false
        if (waitingForPrompt === head) waitingForPrompt = undefined
      }
      queue.shift()
      emit(head)
    }
  }

  const enqueue = (draft: Draft, settled: boolean): Held => {
    const held: Held = { draft, settled, emitted: false, waitsForPrompt: false }
    queue.push(held)
    return held
  }

  const remember = (key: string, held: Held): void => {
    held.key = key
    seen.delete(key)
    seen.set(key, held)
    if (seen.size > maxSeen) seen.delete(seen.keys().next().value!)
  }

  /** A completed call: merged into the action of the same call when there is one, else queued. */
  const complete = (family: Family, callId: string | null, draft: Draft, settled: boolean): Held | undefined => {
    if (callId !== null) {
      const key = `${family}:${callId}`
      const known = seen.get(key)
      if (known !== undefined) {
        if (!known.emitted) {
          merge(known.draft, draft)
          if (settled) known.settled = true
        }
        return undefined
      }
      const held = enqueue(draft, settled)
      remember(key, held)
      return held
    }
    return enqueue(draft, settled)
  }

  /** A turn boundary: no richer record will join what is held. */
  const settleAll = (includingSessionStart: boolean): void => {
    for (const held of queue) {
      if (held.waitsForPrompt && !includingSessionStart) continue
      held.settled = true
      held.waitsForPrompt = false
    }
    if (includingSessionStart) waitingForPrompt = undefined
    anonymousCalls = []
    unpairedEnds = []
  }

  const addPending = (call: PendingCall): void => {
    pending.delete(call.callId)
    pending.set(call.callId, call)
    // a call whose output never came is not a completed action: forgotten
    if (pending.size > maxPending) pending.delete(pending.keys().next().value!)
  }

  /** Removes and answers the call, marking it completed so its output is recognised later. */
  const claimCall = (callId: string | null): PendingCall | undefined => {
    if (callId === null) return undefined
    const call = pending.get(callId)
    if (call === undefined || call.completed) return undefined
    call.completed = true
    return call
  }

  const claimRunning = (callId: string | null): Draft | undefined => {
    if (callId === null) return undefined
    const session = runningByCall.get(callId)
    if (session === undefined) return undefined
    runningByCall.delete(callId)
    const draft = running.get(session)
    running.delete(session)
    return draft
  }

  const defaultCwd = (): string | null => turnCwd ?? sessionCwd

  // --- response items -------------------------------------------------------------------------

  const onCall = (p: Json, turnId: string | null, custom: boolean): void => {
    const callId = str(p.call_id) ?? str(p.id)
    if (callId === null) return
    const name = str(p.name)
    const namespace = str(p.namespace)
    const raw = custom ? p.input : p.arguments
    const base = { callId, turnId, completed: false, session: null, changedPaths: [] as Array<ChangedPath> }

    if (name === "write_stdin") {
      const args = parseArguments(raw)
      const session = args === null ? null : args.session_id
      if (typeof session === "number" || typeof session === "string") {
        addPending({ ...base, family: "stdin", toolName: name, command: null, cwd: null, session: String(session) })
      }
      return
    }
    if (name === "apply_patch" || name === "applypatch") {
      const patch = custom ? str(raw) : (() => {
        const args = parseArguments(raw)
        return args === null ? str(raw) : str(args.input) ?? str(args.patch)
      })()
      addPending({
        ...base,
        family: "patch",
        toolName: name,
        command: null,
        cwd: defaultCwd(),
        changedPaths: patch === null ? [] : pathsFromPatch(patch)
      })
      return
    }
    if (name !== null && (SHELL_ARGV.has(name) || name === "shell_command" || name === "exec_command")) {
      const args = parseArguments(raw)
      const command = args === null
        ? null
        : name === "exec_command"
        ? str(args.cmd)
        : name === "shell_command"
        ? str(args.command)
        : argv(args.command)
      const cwd = (args === null ? null : str(args.workdir)) ?? defaultCwd()
      if (Array.isArray(command) && APPLY_PATCH_ARGV0.has(command[0]!) && typeof command[1] === "string") {
        // 2025: the model ran apply_patch through the shell; Codex applied it as a patch
        addPending({ ...base, family: "patch", toolName: name, command, cwd, changedPaths: pathsFromPatch(command[1]) })
        return
      }
      addPending({ ...base, family: "command", toolName: name, command, cwd })
      return
    }
    const family: Family = isMcp(name, namespace) ? "mcp" : "tool"
    addPending({ ...base, family, toolName: qualified(name, namespace), command: null, cwd: null })
  }

  const onLocalShellCall = (p: Json, turnId: string | null): void => {
    const callId = str(p.call_id) ?? str(p.id)
    if (callId === null) return
    const action = isObject(p.action) ? p.action : {}
    const command = argv(action.command)
    const cwd = str(action.working_directory) ?? defaultCwd()
    const patch = command !== null && APPLY_PATCH_ARGV0.has(command[0]!) && typeof command[1] === "string"
    addPending({
      callId,
      turnId,
      completed: false,
      session: null,
      family: patch ? "patch" : "command",
      toolName: "local_shell",
      command,
      cwd,
      changedPaths: patch ? pathsFromPatch(command[1]!) : []
    })
  }

  const fromCall = (type: ActionType, call: PendingCall, timestamp: string | null, facts: OutputFacts): Draft => ({
    ...blank(type, RESPONSE),
    call_id: call.callId,
    turn_id: call.turnId,
    timestamp,
    tool_name: call.toolName,
    command: call.command,
    cwd: call.cwd,
    changed_paths: call.changedPaths,
    exit_code: facts.exitCode,
    duration_ms: facts.durationMs
  })

  const onOutput = (p: Json, timestamp: string | null): void => {
    const callId = str(p.call_id)
    if (callId === null) return
    const call = pending.get(callId)
    if (call === undefined) return
    pending.delete(callId)
    const facts = outputFacts(p.output ?? p.tools)

    if (call.family === "stdin") {
      if (facts.exitCode === null || call.session === null) return
      const draft = running.get(call.session)
      if (draft === undefined) return
      running.delete(call.session)
      if (draft.call_id !== null) runningByCall.delete(draft.call_id)
      draft.timestamp = timestamp
      draft.exit_code = facts.exitCode
      draft.status = statusOfExit(facts.exitCode)
      // its exec_command_end (extended history) or item (paginated) may still follow: the
      // process's exit reaches write_stdin and the end record in either order
      complete("command", draft.call_id, draft, false)
      return
    }

    const draft = fromCall(ACTION_OF[call.family], call, timestamp, facts)
    switch (call.family) {
      case "command":
        if (!call.completed && facts.exitCode === null && facts.runningSession !== null) {
          // unified exec: the process runs on; write_stdin or exec_command_end will end it
          draft.status = "unknown"
          draft.duration_ms = null
          running.delete(facts.runningSession)
          running.set(facts.runningSession, draft)
          runningByCall.set(callId, facts.runningSession)
          if (running.size > maxRunning) {
            const [session, oldest] = running.entries().next().value!
            running.delete(session)
            if (oldest.call_id !== null) runningByCall.delete(oldest.call_id)
            complete("command", oldest.call_id, oldest, true)
          }
          return
        }
        draft.status = statusOfExit(facts.exitCode)
        break
      case "patch":
        draft.status = facts.exitCode !== null ? statusOfExit(facts.exitCode) : facts.success ? "completed" : "unknown"
        break
      case "mcp":
      case "tool":
      case "web":
        draft.status = "completed"
        break
    }
    // other tools have no second record: nothing to match, each call is its own action
    if (call.family === "tool") return void enqueue(draft, true)
    // an end event or item came first (it waited for this output), or none will come (paginated
    // threads write the item before the output)
    complete(call.family as Family, callId, draft, call.completed || paginated)
  }

  const onWebSearchCall = (p: Json, timestamp: string | null, turnId: string | null): void => {
    const id = str(p.id)
    const action = JSON.stringify(p.action ?? null)
    const draft: Draft = {
      ...blank("web_search", RESPONSE),
      call_id: id,
      turn_id: turnId,
      timestamp,
      tool_name: "web_search",
      command: webTarget(p.action, p.query),
      status: recordedStatus(p.status) ?? (p.status === undefined ? "completed" : "unknown")
    }
    if (id === null) {
      // legacy history writes web_search_end (with a call id) next to an id-less call
      const end = unpairedEnds.findIndex((e) => e.action === action)
      if (end !== -1) {
        const [paired] = unpairedEnds.splice(end, 1)
        if (!paired!.held.emitted) merge(paired!.held.draft, draft)
        return
      }
      anonymousCalls.push({ held: enqueue(draft, paginated), action })
      return
    }
    complete("web", id, draft, paginated)
  }

  const onResponseItem = (p: Json, timestamp: string | null, turnId: string | null): void => {
    switch (p.type) {
      case "function_call":
        return onCall(p, turnId, false)
      case "custom_tool_call":
        return onCall(p, turnId, true)
      case "local_shell_call":
        return onLocalShellCall(p, turnId)
      case "tool_search_call": {
        const callId = str(p.call_id)
        if (callId !== null) {
          addPending({
            callId,
            turnId,
            completed: false,
            session: null,
            family: "tool",
            toolName: "tool_search",
            command: null,
            cwd: null,
            changedPaths: []
          })
        }
        return
      }
      case "function_call_output":
      case "custom_tool_call_output":
      case "tool_search_output":
        return onOutput(p, timestamp)
      case "web_search_call":
        return onWebSearchCall(p, timestamp, turnId)
    }
  }

  // --- events -------------------------------------------------------------------------------

  const onExecEnd = (p: Json, timestamp: string | null, turnId: string | null): void => {
    const callId = str(p.call_id)
    const call = claimCall(callId)
    const wasRunning = claimRunning(callId)
    const exitCode = int(p.exit_code)
    const draft: Draft = {
      ...blank("command_execution", EVENT),
      call_id: callId,
      turn_id: str(p.turn_id) ?? wasRunning?.turn_id ?? call?.turnId ?? turnId,
      timestamp,
      tool_name: wasRunning?.tool_name ?? call?.toolName ?? null,
      command: argv(p.command) ?? str(p.command) ?? wasRunning?.command ?? call?.command ?? null,
      cwd: pathOf(p.cwd) ?? wasRunning?.cwd ?? call?.cwd ?? null,
      exit_code: exitCode,
      duration_ms: durationToMs(p.duration),
      status: recordedStatus(p.status) ?? statusOfExit(exitCode)
    }
    complete("command", callId, draft, call === undefined)
  }

  const onPatchEnd = (p: Json, timestamp: string | null, turnId: string | null): void => {
    const callId = str(p.call_id)
    const call = claimCall(callId)
    const draft: Draft = {
      ...blank("file_change", EVENT),
      call_id: callId,
      turn_id: str(p.turn_id) ?? call?.turnId ?? turnId,
      timestamp,
      tool_name: call?.toolName ?? "apply_patch",
      command: call?.command ?? null,
      cwd: call?.cwd ?? defaultCwd(),
      changed_paths: pathsFromChanges(p.changes),
      status: recordedStatus(p.status) ??
        (p.success === true ? "completed" : p.success === false ? "failed" : "unknown")
    }
    complete("patch", callId, draft, call === undefined)
  }

  const onMcpEnd = (p: Json, timestamp: string | null, turnId: string | null): void => {
    const callId = str(p.call_id)
    const call = claimCall(callId)
    const invocation = isObject(p.invocation) ? p.invocation : {}
    const draft: Draft = {
      ...blank("mcp_tool_call", EVENT),
      call_id: callId,
      turn_id: str(p.turn_id) ?? call?.turnId ?? turnId,
      timestamp,
      tool_name: mcpName(invocation.server, invocation.tool) ?? call?.toolName ?? null,
      duration_ms: durationToMs(p.duration),
      status: mcpStatus(p.result)
    }
    complete("mcp", callId, draft, call === undefined)
  }

  const onWebSearchEnd = (p: Json, timestamp: string | null, turnId: string | null): void => {
    const callId = str(p.call_id)
    const action = JSON.stringify(p.action ?? null)
    const draft: Draft = {
      ...blank("web_search", EVENT),
      call_id: callId,
      turn_id: str(p.turn_id) ?? turnId,
      timestamp,
      tool_name: "web_search",
      command: webTarget(p.action, p.query)
    }
    const call = anonymousCalls.findIndex((c) => c.action === action)
    if (call !== -1) {
      const [paired] = anonymousCalls.splice(call, 1)
      const held = paired!.held
      if (!held.emitted) {
        merge(held.draft, draft)
        held.draft.call_id = callId
        held.settled = true
      }
      if (callId !== null) remember(`web:${callId}`, held)
      return
    }
    const held = complete("web", callId, draft, true)
    if (held !== undefined) unpairedEnds.push({ held, action })
  }

  const onItemCompleted = (p: Json, timestamp: string | null, turnId: string | null, record: RolloutRecord): void => {
    const item = isObject(p.item) ? p.item : undefined
    if (item === undefined) return
    const id = str(item.id)
    switch (item.type) {
      case "UserMessage":
        return capturePrompt(record)
      case "CommandExecution": {
        const call = claimCall(id)
        const wasRunning = claimRunning(id)
        const exitCode = int(item.exit_code)
        complete("command", id, {
          ...blank("command_execution", ITEM),
          call_id: id,
          turn_id: turnId,
          timestamp,
          tool_name: call?.toolName ?? wasRunning?.tool_name ?? null,
          command: argv(item.command) ?? str(item.command) ?? call?.command ?? null,
          cwd: pathOf(item.cwd) ?? call?.cwd ?? null,
          exit_code: exitCode,
          duration_ms: durationToMs(item.duration) ?? nonNegativeInt(item.duration_ms) ?? nonNegativeInt(item.durationMs),
          status: recordedStatus(item.status) ?? statusOfExit(exitCode)
        }, call === undefined)
        return
      }
      case "FileChange": {
        const call = claimCall(id)
        complete("patch", id, {
          ...blank("file_change", ITEM),
          call_id: id,
          turn_id: turnId,
          timestamp,
          tool_name: call?.toolName ?? "apply_patch",
          command: call?.command ?? null,
          cwd: call?.cwd ?? defaultCwd(),
          changed_paths: pathsFromChanges(item.changes),
          status: recordedStatus(item.status) ?? "unknown"
        }, call === undefined)
        return
      }
      case "McpToolCall": {
        const call = claimCall(id)
        complete("mcp", id, {
          ...blank("mcp_tool_call", ITEM),
          call_id: id,
          turn_id: turnId,
          timestamp,
          tool_name: mcpName(item.server, item.tool) ?? call?.toolName ?? null,
          duration_ms: durationToMs(item.duration) ?? nonNegativeInt(item.duration_ms) ?? nonNegativeInt(item.durationMs),
          status: item.error !== undefined && item.error !== null
            ? "failed"
            : recordedStatus(item.status) ?? mcpStatus(item.result)
        }, call === undefined)
        return
      }
      case "WebSearch":
        complete("web", id, {
          ...blank("web_search", ITEM),
          call_id: id,
          turn_id: turnId,
          timestamp,
          tool_name: "web_search",
          command: webTarget(item.action, item.query)
        }, true)
        return
    }
  }

  const capturePrompt = (record: RolloutRecord): void => {
    if (waitingForPrompt === undefined) return
    const prompt = UserPrompt.fromRecord(record)
    if (prompt === undefined) return
    const held = waitingForPrompt
    waitingForPrompt = undefined
    held.draft.text = prompt
    held.waitsForPrompt = false
    held.settled = true
  }

  const onEvent = (p: Json, timestamp: string | null, record: RolloutRecord, envelopeTurn: string | null): void => {
    const turnId = str(p.turn_id) ?? envelopeTurn ?? currentTurn
    switch (p.type) {
      case "task_started":
      case "turn_started": {
        settleAll(false)
        turnMarkers = true
        currentTurn = str(p.turn_id)
        enqueue({ ...blank("turn_started", EVENT), turn_id: currentTurn, timestamp }, true)
        return
      }
      case "task_complete":
      case "turn_complete": {
        settleAll(true)
        const failed = p.error !== undefined && p.error !== null
        enqueue({
          ...blank("turn_completed", EVENT),
          turn_id: turnId,
          timestamp,
          status: failed ? "failed" : "completed",
          duration_ms: nonNegativeInt(p.duration_ms),
          text: str(p.last_agent_message)
        }, true)
        currentTurn = null
        return
      }
      case "turn_aborted": {
        settleAll(true)
        enqueue({
          ...blank("turn_aborted", EVENT),
          turn_id: turnId,
          timestamp,
          // the turn did not complete (interrupted, replaced, …)
          status: "failed",
          duration_ms: nonNegativeInt(p.duration_ms)
        }, true)
        currentTurn = null
        return
      }
      case "user_message":
        // before turn markers were persisted (Feb 2026) a prompt is the only turn boundary
        if (!turnMarkers) settleAll(false)
        return capturePrompt(record)
      case "exec_command_end":
        return onExecEnd(p, timestamp, turnId)
      case "patch_apply_end":
        return onPatchEnd(p, timestamp, turnId)
      case "mcp_tool_call_end":
        return onMcpEnd(p, timestamp, turnId)
      case "web_search_end":
        return onWebSearchEnd(p, timestamp, turnId)
      case "item_completed":
        return onItemCompleted(p, timestamp, turnId, record)
    }
  }

  // --- lines --------------------------------------------------------------------------------

  const onSessionStart = (meta: Json, timestamp: string | null): void => {
    // later session_meta lines (resumes, embedded sub-agents) are not this session's start
    if (metaSeen) return
    metaSeen = true
    sessionId = str(meta.id) ?? sessionId
    paginated = meta.history_mode === "paginated"
    sessionCwd = str(meta.cwd)
    const held = enqueue({
      ...blank("session_started", EVENT),
      timestamp: str(meta.timestamp) ?? timestamp,
      cwd: sessionCwd
    }, !includeText)
    if (includeText) {
      held.waitsForPrompt = true
      waitingForPrompt = held
    }
  }

  const turnOfEnvelope = (json: Json, payload: Json): string | null => {
    const passthrough = payload.internal_chat_message_metadata_passthrough
    if (isObject(passthrough) && typeof passthrough.turn_id === "string") return passthrough.turn_id
    if (isObject(json.metadata) && typeof json.metadata.turn_id === "string") return json.metadata.turn_id
    return null
  }

  const onLine = (record: RolloutRecord): void => {
    const entry = record.entry
    if (entry._tag === "Blank") return
    const json: unknown = entry._tag === "Unknown" ? entry.json : entry.line
    if (!isObject(json)) return
    const type = json.type
    if (typeof type === "string" && "payload" in json) {
      const payload = json.payload
      if (!isObject(payload)) return
      const timestamp = str(json.timestamp)
      switch (type) {
        case "session_meta":
          return onSessionStart(payload, timestamp)
        case "turn_context":
          if (typeof payload.turn_id === "string") currentTurn = payload.turn_id
          turnCwd = str(payload.cwd) ?? turnCwd
          return
        case "response_item":
          return onResponseItem(payload, timestamp, turnOfEnvelope(json, payload) ?? str(payload.turn_id) ?? currentTurn)
        case "event_msg":
          return onEvent(payload, timestamp, record, turnOfEnvelope(json, payload))
        case "compacted":
          enqueue({ ...blank("compaction", EVENT), turn_id: currentTurn, timestamp }, true)
          return
      }
      return
    }
    // pre-envelope files (2025-05 to 2025-09): a bare header, then bare response items
    if ("record_type" in json) return
    if (type === undefined) {
      if (typeof json.id === "string" && typeof json.timestamp === "string") onSessionStart(json, null)
      return
    }
    onResponseItem(json, null, currentTurn)
  }

  return {
    push: (line, sink) => {
      out = sink
      if (line._tag === "Left") return
      onLine(line.right)
      drain()
    },
    end: (sink) => {
      out = sink
      // commands whose process never reported an exit: their output came, their result did not
      for (const draft of running.values()) complete("command", draft.call_id, draft, true)
      running.clear()
      runningByCall.clear()
      settleAll(true)
      drain()
    }
  }
}
