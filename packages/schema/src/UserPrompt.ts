/**
 * The first real user prompt of a rollout, extracted as Codex does for thread titles and
 * previews (`threads.first_user_message`, the `thread/list` preview):
 *
 * - `event_msg/user_message`: its `message` with everything up to and including
 *   `## My request for Codex:` stripped and trimmed; `"[Image]"` for an image-only prompt.
 *   Sept–Oct 2025 files also carry `user_message` events for injected AGENTS.md and
 *   environment text (`kind` other than `"plain"`); those are skipped, as are kind-less events
 *   whose text is such an injected block.
 * - `event_msg/item_completed` with `item.type == "UserMessage"` (paginated threads, 0.169+):
 *   the text parts of `item.content` joined, then treated the same way.
 *
 * `response_item` user messages never count (Codex ignores them too: they include the injected
 * context).
 *
 * @since 0.1.0
 */
import * as RolloutRecord from "./RolloutRecord.js"
import { Effect, Option, Stream } from "effect"

/**
 * Codex's `USER_MESSAGE_BEGIN`: older prompts carried the injected context before it.
 *
 * @since 0.1.0
 * @category constants
 */
export const USER_MESSAGE_BEGIN = "## My request for Codex:"

/**
 * What Codex shows for a prompt that has images and no text.
 *
 * @since 0.1.0
 * @category constants
 */
export const IMAGE_PLACEHOLDER = "[Image]"

// Context Codex injects as user-role text (AGENTS.md, environment, shell commands, …); 2025
// builds also wrote some of it as user_message events. Never a prompt.
const INJECTED_PREFIXES: ReadonlyArray<string> = [
  "<user_instructions>",
  "<environment_context>",
  "# AGENTS.md instructions for ",
  "<permissions instructions>",
  "<user_shell_command>",
  "<turn_aborted>",
  "<subagent_notification>",
  "<skill>",
  "<goal_context>",
  "<codex_internal_context"
]

/**
 * Everything up to and including {@link USER_MESSAGE_BEGIN} removed, then trimmed.
 *
 * @since 0.1.0
 * @category utils
 */
export const stripUserMessagePrefix = (text: string): string => {
  const index = text.indexOf(USER_MESSAGE_BEGIN)
  return (index === -1 ? text : text.slice(index + USER_MESSAGE_BEGIN.length)).trim()
}

const isInjected = (text: string): boolean => {
  const start = text.trimStart()
  return INJECTED_PREFIXES.some((prefix) => start.startsWith(prefix))
}

const nonEmptyArray = (value: unknown): boolean => Array.isArray(value) && value.length > 0

const preview = (text: string, hasImages: boolean): string | undefined => {
  if (isInjected(text)) return undefined
  const stripped = stripUserMessagePrefix(text)
  if (stripped.length > 0) return stripped
  return hasImages ? IMAGE_PLACEHOLDER : undefined
}

const fromUserMessageEvent = (payload: { readonly [key: string]: unknown }): string | undefined => {
  if (typeof payload.message !== "string") return undefined
  // Sept–Oct 2025: only "plain" events are prompts
  if (typeof payload.kind === "string" && payload.kind !== "plain") return undefined
  return preview(payload.message, nonEmptyArray(payload.images) || nonEmptyArray(payload.local_images))
}

const fromUserMessageItem = (item: { readonly [key: string]: unknown }): string | undefined => {
  if (!Array.isArray(item.content)) return undefined
  let text = ""
  let hasImages = false
  for (const part of item.content as ReadonlyArray<unknown>) {
    if (typeof part !== "object" || part === null) continue
    const p = part as { readonly [key: string]: unknown }
    if (p.type === "text" && typeof p.text === "string") text += p.text
    else if (p.type === "image" || p.type === "local_image") hasImages = true
  }
  return preview(text, hasImages)
}

const asObject = (value: unknown): { readonly [key: string]: unknown } | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as { readonly [key: string]: unknown }
    : undefined

/**
 * The prompt text when this record is a real user message, else `undefined`. Works on lines
 * the schema passed through as unknown too (a newer field shape must not hide a prompt).
 *
 * @since 0.1.0
 * @category extraction
 */
export const fromRecord = (record: RolloutRecord.RolloutRecord): string | undefined => {
  const entry = record.entry
  if (entry._tag === "Blank" || entry._tag === "Legacy") return undefined
  const json = asObject(RolloutRecord.encodeEntry(entry))
  if (json === undefined || json.type !== "event_msg") return undefined
  const payload = asObject(json.payload)
  if (payload === undefined) return undefined
  if (payload.type === "user_message") return fromUserMessageEvent(payload)
  if (payload.type === "item_completed") {
    const item = asObject(payload.item)
    return item !== undefined && item.type === "UserMessage" ? fromUserMessageItem(item) : undefined
  }
  return undefined
}

/**
 * The first real user message of a record stream, reading no further than needed. No scan
 * limit: a reader that wants Codex's visibility rule applies it (`CodexHome.readHead` does).
 *
 * @since 0.1.0
 * @category extraction
 */
export const firstUserMessage = <E, R>(
  records: Stream.Stream<RolloutRecord.RolloutRecord, E, R>
): Effect.Effect<Option.Option<string>, E, R> =>
  records.pipe(Stream.filterMap((record) => Option.fromNullable(fromRecord(record))), Stream.runHead)

/**
 * Substrings every rollout line holding a user prompt holds (a pre-check for {@link isPromptLine}):
 * an `event_msg` user_message, an `item_completed` UserMessage, or any `\u` escape.
 *
 * @since 0.2.0
 * @category predicates
 */
export const promptNeedles: ReadonlyArray<string> = ["user_message", "UserMessage", "\\u"]

/**
 * Whether a rollout line (its text) is a real user prompt.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isPromptLine = (text: string): boolean => {
  if (!promptNeedles.some((needle) => text.includes(needle))) return false
  const decoded = RolloutRecord.decodeLine(text, 1)
  return decoded._tag === "Right" && fromRecord(decoded.right) !== undefined
}
