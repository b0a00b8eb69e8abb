/**
 * An OpenCode session that holds the planted secrets of `@sessionport/codex-oracle/PlantedSecrets`,
 * made by the real OpenCode: the user pastes a key into the prompt, the scripted model runs
 * `cat .env`, `cat deploy/id_ec.pem` and a command holding a token with its bash tool; OpenCode
 * runs them and stores their outputs.
 *
 * @since 0.1.0
 */
import * as Planted from "@sessionport/codex-oracle/PlantedSecrets"
import { Data, Effect } from "effect"
import * as ChatServer from "./ChatServer.js"
import type * as Harness from "./Harness.js"
import * as Request from "./internal/request.js"

/** @since 0.1.0 @category errors */
export class PlantedSessionError extends Data.TaggedError("PlantedSessionError")<{ readonly detail: string }> {
  override get message() {
    return `PlantedSession: ${this.detail}`
  }
}

/**
 * The scripted model of the first turn, by what OpenCode sends: the prompt → `cat .env`; the
 * `.env` → `cat deploy/id_ec.pem`; the key → the token command; `saved` → the final answer.
 */
const responder = (after: ChatServer.Responder): ChatServer.Responder => (turn) => {
  if (!turn.toolResult) {
    return turn.lastUserText.includes(Planted.prompts.first)
      ? { text: "Reading the env file.", toolCalls: [ChatServer.bash(Planted.commands.env, "Read .env")] }
      : after(turn)
  }
  const result = Request.messagesOf(turn.body).at(-1)?.text ?? ""
  if (result.includes("STRIPE_SECRET_KEY")) return { toolCalls: [ChatServer.bash(Planted.commands.key, "Read the deploy key")] }
  if (result.includes("PRIVATE KEY")) return { toolCalls: [ChatServer.bash(Planted.commands.token, "Save the token")] }
  if (result.includes("saved")) return ChatServer.text(Planted.firstReply)
  return after(turn)
}

/**
 * Writes the project files into `cwd` and runs the first turn there with `opencode run`; the new
 * session's id. The machine's server answers with `after` afterwards (and for anything else it is
 * asked meanwhile).
 *
 * @since 0.1.0
 * @category constructors
 */
export const firstTurn = (m: Harness.Machine, cwd: string, after: ChatServer.Responder) =>
  Effect.gen(function*() {
    Planted.writeProject(cwd)
    yield* m.server.setFallback(responder(after))
    yield* m.server.clearRequests
    const result = yield* m.cli.run(Planted.prompts.first, { cwd })
    // the tools ran: their outputs reached the model, and it gave its final answer
    const sent = (yield* m.server.chatRequests).map((r) => r.text).join("\n")
    const missing = Planted.firstTurn.map((p) => p.name).filter((name) => !Planted.leaks(sent).includes(name))
    if (missing.length > 0) return yield* new PlantedSessionError({ detail: `not sent to the model: ${missing.join(", ")}` })
    if (!result.texts.includes(Planted.firstReply)) {
      return yield* new PlantedSessionError({ detail: `the turn ended with ${JSON.stringify(result.texts)}` })
    }
    return result.sessionId
  })
