/**
 * Output items of the OpenAI Responses API, as the scripted model sends them to Codex.
 *
 * Ids (`id`, `call_id`) may be left out: the `ResponsesServer` fills them with counters so
 * every item it sends in its lifetime is unique.
 *
 * @since 0.1.0
 */

/**
 * One output item. Only `type` is fixed; the rest follows the Responses API.
 *
 * @since 0.1.0
 * @category models
 */
export interface OutputItem {
  readonly type: string
  readonly [key: string]: unknown
}

/** @since 0.1.0 @category models */
export interface IdOptions {
  readonly id?: string
}

/** @since 0.1.0 @category models */
export interface CallOptions extends IdOptions {
  readonly callId?: string
}

const withIds = (item: OutputItem, options: CallOptions | undefined): OutputItem => ({
  ...item,
  ...(options?.id === undefined ? {} : { id: options.id }),
  ...(options?.callId === undefined ? {} : { call_id: options.callId })
})

/**
 * An assistant message: the agent's visible reply.
 *
 * @since 0.1.0
 * @category constructors
 */
export const message = (text: string, options?: IdOptions): OutputItem =>
  withIds({ type: "message", role: "assistant", content: [{ type: "output_text", text }] }, options)

/**
 * A reasoning item with plain summary text (no encrypted content, which only the real API can
 * produce).
 *
 * @since 0.1.0
 * @category constructors
 */
export const reasoning = (summary: string | ReadonlyArray<string>, options?: IdOptions): OutputItem =>
  withIds({
    type: "reasoning",
    summary: (typeof summary === "string" ? [summary] : summary).map((text) => ({ type: "summary_text", text })),
    content: null,
    encrypted_content: null
  }, options)

/**
 * A call of a function tool; `args` is JSON-encoded into `arguments`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const functionCall = (name: string, args: unknown, options?: CallOptions): OutputItem =>
  withIds({ type: "function_call", name, arguments: JSON.stringify(args) }, options)

/** @since 0.1.0 @category models */
export interface ExecCommandArgs {
  readonly workdir?: string
  readonly yield_time_ms?: number
  readonly max_output_tokens?: number
  readonly login?: boolean
}

/**
 * A shell command. In Codex 0.169 the shell tool is the unified-exec `exec_command` with
 * argument `cmd`; Codex really runs it and sends the output back in the next request.
 *
 * @since 0.1.0
 * @category constructors
 */
export const execCommand = (cmd: string, options?: CallOptions & { readonly args?: ExecCommandArgs }): OutputItem =>
  functionCall("exec_command", { cmd, ...options?.args }, options)

/**
 * A call of a freeform (custom) tool; `input` is the raw text.
 *
 * @since 0.1.0
 * @category constructors
 */
export const customToolCall = (name: string, input: string, options?: CallOptions): OutputItem =>
  withIds({ type: "custom_tool_call", name, input }, options)

/**
 * An `apply_patch` call. Codex offers it as a freeform tool only when the model's metadata
 * says `apply_patch_tool_type: "freeform"` (see `CodexCli.writeConfig`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const applyPatch = (patch: string, options?: CallOptions): OutputItem =>
  customToolCall("apply_patch", patch.endsWith("\n") ? patch : `${patch}\n`, options)

/**
 * A patch in Codex's `*** Begin Patch` envelope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const patch = (...hunks: ReadonlyArray<string>): string =>
  ["*** Begin Patch", ...hunks.map((hunk) => hunk.replace(/\n$/, "")), "*** End Patch", ""].join("\n")

/**
 * An `*** Add File` hunk for `patch`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const addFileHunk = (path: string, content: string): string =>
  [`*** Add File: ${path}`, ...content.replace(/\n$/, "").split("\n").map((line) => `+${line}`)].join("\n")

/**
 * An `*** Update File` hunk for `patch`; `body` holds the `@@` sections with ` `/`-`/`+` lines.
 *
 * @since 0.1.0
 * @category constructors
 */
export const updateFileHunk = (path: string, body: string): string => `*** Update File: ${path}\n${body}`

/**
 * A completed hosted web search (Codex only records it; nothing is fetched).
 *
 * @since 0.1.0
 * @category constructors
 */
export const webSearch = (query: string, options?: IdOptions): OutputItem =>
  withIds({ type: "web_search_call", status: "completed", action: { type: "search", query } }, options)
