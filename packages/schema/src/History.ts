/**
 * `history.jsonl`: the prompts typed in the TUI, for up-arrow recall. Not needed to list or
 * resume a thread.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { JsonObject } from "./internal/fields.js"

/** @since 0.1.0 @category models */
export const HistoryLine = Schema.Struct(
  {
    session_id: Schema.String,
    // Unix seconds
    ts: Schema.Number,
    text: Schema.String
  },
  JsonObject
).annotations({ identifier: "HistoryLine" })

/** @since 0.1.0 @category models */
export type HistoryLine = typeof HistoryLine.Type
