/**
 * Content blocks of the Anthropic Messages API, as the scripted model sends them to Claude Code.
 *
 * A `tool_use` block may leave out its `id`: the `MessagesServer` fills it with an id that is
 * unique across server restarts (`toolu_<run>_<n>`), because Claude Code renders a resumed
 * history with a reused tool id as "[Tool use interrupted]".
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category models */
export interface TextBlock {
  readonly type: "text"
  readonly text: string
}

/** @since 0.1.0 @category models */
export interface ToolUseBlock {
  readonly type: "tool_use"
  /** Filled by the server when left out. */
  readonly id?: string
  readonly name: string
  readonly input: Readonly<Record<string, unknown>>
}

/**
 * Extended thinking with its `signature` (the real API signs the text and rejects a resumed
 * history whose thinking was changed; see `SignedThinking`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ThinkingBlock {
  readonly type: "thinking"
  readonly thinking: string
  readonly signature: string
}

/**
 * One block of an assistant reply.
 *
 * @since 0.1.0
 * @category models
 */
export type Block = TextBlock | ToolUseBlock | ThinkingBlock

/**
 * The blocks of one model response (one `POST /v1/messages`).
 *
 * @since 0.1.0
 * @category models
 */
export type Reply = ReadonlyArray<Block>

/** @since 0.1.0 @category constructors */
export const text = (text: string): TextBlock => ({ type: "text", text })

/** @since 0.1.0 @category constructors */
export const toolUse = (
  name: string,
  input: Readonly<Record<string, unknown>>,
  options?: { readonly id?: string }
): ToolUseBlock => ({ type: "tool_use", name, input, ...(options?.id === undefined ? {} : { id: options.id }) })

/**
 * Claude Code's `Bash` tool.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bash = (command: string, description = "Run a command"): ToolUseBlock =>
  toolUse("Bash", { command, description })

/**
 * Claude Code's `Write` tool; `filePath` must be absolute.
 *
 * @since 0.1.0
 * @category constructors
 */
export const write = (filePath: string, content: string): ToolUseBlock =>
  toolUse("Write", { file_path: filePath, content })

/**
 * `"tool_use"` when the reply asks for a tool, else `"end_turn"`.
 *
 * @since 0.1.0
 * @category getters
 */
export const stopReason = (reply: Reply): "tool_use" | "end_turn" =>
  reply.some((block) => block.type === "tool_use") ? "tool_use" : "end_turn"
