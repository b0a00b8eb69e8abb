/**
 * A Codex session that holds the planted secrets of `PlantedSecrets`, made by the real Codex:
 * the user pastes a key into the prompt, the scripted model reasons (with opaque
 * `encrypted_content`, which no tool may change) and runs `cat .env`, `cat deploy/id_ec.pem` and
 * a command holding a token; Codex runs them and records their outputs.
 *
 * @since 0.1.0
 */
import { Data, Effect } from "effect"
import { createHash } from "node:crypto"
import type * as CodexCli from "./CodexCli.js"
import * as OutputItem from "./OutputItem.js"
import * as Planted from "./PlantedSecrets.js"
import type * as ResponsesServer from "./ResponsesServer.js"

/** @since 0.1.0 @category errors */
export class PlantedSessionError extends Data.TaggedError("PlantedSessionError")<{ readonly detail: string }> {
  override get message() {
    return `PlantedSession: ${this.detail}`
  }
}

/**
 * The reasoning's `encrypted_content`: opaque base64 as the real API sends it (only the API can
 * read it; Codex sends it back as it is).
 *
 * @since 0.1.0
 * @category constants
 */
export const encryptedReasoning = "gAAAAAB" +
  Array.from({ length: 12 }, (_, i) => createHash("sha256").update(`reasoning ${i}`).digest("base64")).join("").replace(/=/g, "")

/** @since 0.1.0 @category models */
export interface Codex {
  readonly cli: CodexCli.CodexCliShape
  readonly server: ResponsesServer.ResponsesServerShape
}

/**
 * Runs `replies` through `effect` and checks that Codex asked for each one, and no more (a tool
 * that did not run as planned would leave the session without its secret).
 */
const scripted = <A, E, R>(codex: Codex, replies: ReadonlyArray<ResponsesServer.Reply>, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    yield* codex.server.clearRequests
    yield* codex.server.enqueue(...replies)
    const result = yield* effect
    const asked = (yield* codex.server.requests).length
    const left = yield* codex.server.pending
    if (left !== 0 || asked !== replies.length) {
      return yield* new PlantedSessionError({ detail: `Codex asked the model ${asked} time(s), ${replies.length} replies were scripted` })
    }
    return result
  })

/**
 * Writes the project files into `cwd` and runs the first turn there with `codex exec`; the new
 * thread's id.
 *
 * @since 0.1.0
 * @category constructors
 */
export const firstTurn = (codex: Codex, cwd: string) =>
  Effect.gen(function*() {
    Planted.writeProject(cwd)
    const replies: ReadonlyArray<ResponsesServer.Reply> = [
      [
        {
          type: "reasoning",
          summary: [{ type: "summary_text", text: "Read the env file and the deploy key first." }],
          content: null,
          encrypted_content: encryptedReasoning
        },
        OutputItem.execCommand(Planted.commands.env)
      ],
      [OutputItem.execCommand(Planted.commands.key)],
      [OutputItem.execCommand(Planted.commands.token)],
      [OutputItem.message(Planted.firstReply)]
    ]
    const result = yield* scripted(codex, replies, codex.cli.exec({ cwd, prompt: Planted.prompts.first }))
    // the tools ran: their outputs reached the model
    const sent = (yield* codex.server.requests).map((r) => r.text).join("\n")
    const missing = Planted.firstTurn.map((p) => p.name).filter((name) => !Planted.leaks(sent).includes(name))
    if (missing.length > 0) return yield* new PlantedSessionError({ detail: `not sent to the model: ${missing.join(", ")}` })
    return result.threadId
  })

/**
 * One more turn on `threadId` with `codex exec resume`, the model answering `reply`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const nextTurn = (codex: Codex, cwd: string, threadId: string, prompt: string, reply: string) =>
  scripted(codex, [[OutputItem.message(reply)]], codex.cli.resume({ cwd, threadId, prompt })).pipe(
    Effect.zipRight(Effect.map(codex.server.requests, (requests) => requests[0]!.text))
  )
