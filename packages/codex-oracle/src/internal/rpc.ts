import { Schema } from "effect"

/** One line of `codex app-server` stdout, classified. */
export type Incoming =
  | { readonly _tag: "Response"; readonly id: number; readonly result: unknown }
  | { readonly _tag: "ErrorResponse"; readonly id: number; readonly error: RpcErrorBody }
  | { readonly _tag: "ServerRequest"; readonly id: string | number; readonly method: string }
  | { readonly _tag: "Notification"; readonly method: string; readonly params: unknown }
  | { readonly _tag: "Garbage"; readonly line: string }

export interface RpcErrorBody {
  readonly code: number
  readonly message: string
  readonly data?: unknown
}

const ErrorBody = Schema.Struct({ code: Schema.Number, message: Schema.String, data: Schema.optional(Schema.Unknown) })
const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

export const classify = (line: string): Incoming => {
  let message: unknown
  try {
    message = JSON.parse(line)
  } catch {
    return { _tag: "Garbage", line }
  }
  if (!isRecord(message)) return { _tag: "Garbage", line }
  const { id, method } = message
  if (typeof method === "string") {
    return typeof id === "string" || typeof id === "number"
      ? { _tag: "ServerRequest", id, method }
      : { _tag: "Notification", method, params: message["params"] }
  }
  if (typeof id !== "number") return { _tag: "Garbage", line }
  if ("error" in message) {
    const body = decodeErrorBody(message["error"])
    return {
      _tag: "ErrorResponse",
      id,
      error: body._tag === "Some" ? body.value : { code: -32603, message: JSON.stringify(message["error"]) }
    }
  }
  return { _tag: "Response", id, result: message["result"] }
}

export const encodeLine = (message: Record<string, unknown>): Uint8Array =>
  new TextEncoder().encode(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`)
