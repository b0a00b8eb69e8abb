/**
 * Content parts of Responses-API messages, as Codex persists them.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { JsonObject, optionalNullable } from "./internal/fields.js"

/** @since 0.1.0 @category models */
export const InputText = Schema.Struct({ type: Schema.Literal("input_text"), text: Schema.String })
  .annotations({ identifier: "InputText" })

/** @since 0.1.0 @category models */
export const OutputText = Schema.Struct({ type: Schema.Literal("output_text"), text: Schema.String })
  .annotations({ identifier: "OutputText" })

/** @since 0.1.0 @category models */
export const InputImage = Schema.Struct({
  type: Schema.Literal("input_image"),
  // usually an inline data: URL, hundreds of kB
  image_url: optionalNullable(Schema.String),
  detail: optionalNullable(Schema.String)
}).annotations({ identifier: "InputImage" })

/** @since 0.1.0 @category models */
export const EncryptedContentPart = Schema.Struct({
  type: Schema.Literal("encrypted_content"),
  encrypted_content: Schema.String
}).annotations({ identifier: "EncryptedContentPart" })

/**
 * A part of a newer kind (`input_audio`, …): kept as raw JSON with its `type`.
 *
 * @since 0.1.0
 * @category models
 */
export const OtherContentPart = Schema.Struct({ type: Schema.String }, JsonObject)
  .annotations({ identifier: "OtherContentPart" })

/** @since 0.1.0 @category models */
export const ContentItem = Schema.Union(InputText, OutputText, InputImage, EncryptedContentPart, OtherContentPart)
  .annotations({ identifier: "ContentItem" })

/** @since 0.1.0 @category models */
export type ContentItem = typeof ContentItem.Type

/**
 * Output of a tool call: a plain string (2025 shell outputs are themselves JSON text), or since
 * February 2026 an array of content parts.
 *
 * @since 0.1.0
 * @category models
 */
export const ToolOutput = Schema.Union(Schema.String, Schema.Array(ContentItem))
  .annotations({ identifier: "ToolOutput" })
