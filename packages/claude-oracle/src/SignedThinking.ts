/**
 * Signed extended thinking, as the scripted model's side of the real API's check: the real
 * Messages API signs each thinking block and rejects a request whose earlier thinking was
 * changed (anthropics/claude-code#21726, #63322). The scripted model signs with an HMAC of the
 * thinking text, and {@link tampered} is that check on a recorded request: a tool that rewrites
 * a transcript (redaction, localization) must leave signed thinking byte-identical.
 *
 * @since 0.1.0
 */
import { createHmac } from "node:crypto"
import type * as Block from "./Block.js"
import type { RecordedRequest } from "./MessagesServer.js"
import * as Request from "./internal/request.js"

const KEY = "sessionport-oracle: scripted thinking signatures"

/** The signature the scripted model gives `thinking` (base64, like the real API's). @since 0.1.0 @category constructors */
export const sign = (thinking: string): string => createHmac("sha256", KEY).update(thinking, "utf8").digest("base64")

/** A thinking block signed by the scripted model. @since 0.1.0 @category constructors */
export const block = (thinking: string): Block.ThinkingBlock => ({ type: "thinking", thinking, signature: sign(thinking) })

/**
 * The thinking blocks a request carried, in order, as sent.
 *
 * @since 0.1.0
 * @category getters
 */
export const blocksOf = (request: RecordedRequest): ReadonlyArray<Record<string, unknown>> =>
  Request.messagesOf(request.body).flatMap((m) => m.blocks.filter((b) => b["type"] === "thinking"))

/**
 * The thinking blocks of a request whose signature is not the scripted model's for their text:
 * what the real API would answer with a 400.
 *
 * @since 0.1.0
 * @category getters
 */
export const tampered = (request: RecordedRequest): ReadonlyArray<Record<string, unknown>> =>
  blocksOf(request).filter((b) => typeof b["thinking"] !== "string" || b["signature"] !== sign(b["thinking"]))
