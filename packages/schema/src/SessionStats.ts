/**
 * What a session is, read from its records: its `session_meta`, its first real user message
 * (the title and preview Codex shows), its number of user turns, its last activity. Pure: works
 * on any record stream (a file, a package entry, a rewritten copy).
 *
 * @since 0.1.0
 */
import { Chunk, Effect, Either, Stream } from "effect"
import type { LineResult } from "./RolloutReader.js"
import type { RolloutEntry, RolloutRecord } from "./RolloutRecord.js"
import type { SessionMeta } from "./SessionMeta.js"

/** @since 0.1.0 @category models */
export interface SessionStats {
  /** the first `session_meta`: canonical for the thread id */
  readonly meta: SessionMeta | undefined
  readonly firstUserMessage: string | undefined
  /** user turns: real user messages, injected context excluded */
  readonly turns: number
  readonly lines: number
  /** the last envelope timestamp */
  readonly lastTimestamp: string | undefined
}

// Older prompts began with this marker; Codex strips it and everything before it for titles.
const USER_MESSAGE_BEGIN = "## My request for Codex:"

// Context Codex injects as user messages (AGENTS.md, environment, …), never a prompt.
const INJECTED = /^\s*(<environment_context>|<user_instructions>|# AGENTS\.md instructions|<permissions instructions>|<user_shell_command>|<turn_aborted>|<subagent_notification>|<skill>|<goal_context>|<codex_internal_context)/

/**
 * The prompt text as Codex shows it: the part after `## My request for Codex:`, trimmed.
 *
 * @since 0.1.0
 * @category text
 */
export const stripRequestMarker = (text: string): string => {
  const at = text.indexOf(USER_MESSAGE_BEGIN)
  return (at === -1 ? text : text.slice(at + USER_MESSAGE_BEGIN.length)).trim()
}

/**
 * The text of a real user prompt carried by this entry, if it carries one: an
 * `event_msg/user_message` (not injected context), or (paginated threads, 2026-07+) an
 * `event_msg/item_completed` of a `UserMessage` item.
 *
 * @since 0.1.0
 * @category text
 */
export const userPrompt = (entry: RolloutEntry): string | undefined => {
  if (entry._tag !== "Known" || entry.line.type !== "event_msg") return undefined
  const event = entry.line.payload
  if (event.type === "user_message") {
    // Sept–Oct 2025: injected context was logged as user messages with another `kind`
    if (event.kind != null && event.kind !== "plain") return undefined
    return INJECTED.test(event.message) ? undefined : event.message
  }
  if (event.type === "item_completed" && event.item.type === "UserMessage") {
    const content = (event.item as { content?: unknown }).content
    if (!Array.isArray(content)) return undefined
    const text = content
      .map((part: any) => (part?.type === "text" && typeof part.text === "string" ? part.text : ""))
      .join("")
    return text.length === 0 || INJECTED.test(text) ? undefined : text
  }
  return undefined
}

/**
 * An incremental fold, for callers that already walk the records for another reason.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = () => {
  let meta: SessionMeta | undefined
  let firstUserMessage: string | undefined
  let userEvents = 0
  let userItems = 0
  let lines = 0
  let lastTimestamp: string | undefined
  return {
    add: (record: RolloutRecord): void => {
      lines++
      const entry = record.entry
      if (entry._tag !== "Known") return
      lastTimestamp = entry.line.timestamp
      if (entry.line.type === "session_meta") {
        meta ??= entry.line.payload
        return
      }
      const prompt = userPrompt(entry)
      if (prompt === undefined) return
      if (entry.line.type === "event_msg" && entry.line.payload.type === "user_message") userEvents++
      else userItems++
      firstUserMessage ??= stripRequestMarker(prompt)
    },
    addInvalid: (): void => {
      lines++
    },
    // legacy threads log user_message events, paginated ones UserMessage items: never both
    result: (): SessionStats => ({ meta, firstUserMessage, turns: Math.max(userEvents, userItems), lines, lastTimestamp })
  }
}

/**
 * Reads the stats of a whole record stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLines = <E, R>(lines: Stream.Stream<LineResult, E, R>): Effect.Effect<SessionStats, E, R> =>
  Effect.suspend(() => {
    const stats = make()
    return Stream.runForEachChunk(lines, (chunk) =>
      Effect.sync(() =>
        Chunk.forEach(chunk, (result) => (Either.isRight(result) ? stats.add(result.right) : stats.addInvalid()))
      )).pipe(Effect.map(() => stats.result()))
  })
