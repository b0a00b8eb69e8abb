/**
 * A Claude Code session that holds the planted secrets of `@sessionport/codex-oracle/PlantedSecrets`,
 * made by the real Claude Code: the user pastes a key into the prompt, the scripted model thinks
 * (a signed thinking block, which no tool may change) and runs `cat .env`,
 * `cat deploy/id_ec.pem` and a command holding a token with its Bash tool; Claude runs them and
 * records their outputs.
 *
 * @since 0.1.0
 */
import * as Planted from "@sessionport/codex-oracle/PlantedSecrets"
import { Data, Effect } from "effect"
import * as Block from "./Block.js"
import type * as Harness from "./Harness.js"
import type * as MessagesServer from "./MessagesServer.js"
import * as SignedThinking from "./SignedThinking.js"

/** @since 0.1.0 @category errors */
export class PlantedSessionError extends Data.TaggedError("PlantedSessionError")<{ readonly detail: string }> {
  override get message() {
    return `PlantedSession: ${this.detail}`
  }
}

/**
 * The signed thinking of the first reply. It quotes a secret of its own ({@link thinkingSecret}):
 * redaction must keep it (changing the text breaks the signature) and report it.
 *
 * @since 0.1.0
 * @category constants
 */
export const thinking = (secret: string) =>
  `The user pasted an OpenAI key. The CI token I saw earlier was ${secret}; I must not echo it. Read .env before touching the config.`

/**
 * The secret that only the signed thinking holds (an npm token: a kind the rest of the session
 * does not hold).
 *
 * @since 0.1.0
 * @category constants
 */
export const thinkingSecret = "np" + "m_" + "Zr8Tq2Wx5Yv7Lm3Kp9Bn4Hc6Jd1Fg0Ss2Qa7"

/** The signed thinking block the model sends (and Claude must send back byte for byte). @since 0.1.0 @category constants */
export const thinkingBlock = SignedThinking.block(thinking(thinkingSecret))

/**
 * The scripted model of the first turn, by what Claude sends: the prompt → thinking, a word and
 * `cat .env`; the `.env` → `cat deploy/id_ec.pem`; the key → the token command; `saved` → the
 * final answer.
 */
const responder = (after: MessagesServer.Responder): MessagesServer.Responder => (turn) => {
  if (!turn.toolResult) {
    return turn.lastUserText.includes(Planted.prompts.first)
      ? [thinkingBlock, Block.text("Reading the env file."), Block.bash(Planted.commands.env)]
      : after(turn)
  }
  if (turn.lastUserText.includes("STRIPE_SECRET_KEY")) return [Block.bash(Planted.commands.key)]
  if (turn.lastUserText.includes("PRIVATE KEY")) return [Block.bash(Planted.commands.token)]
  if (turn.lastUserText.includes("saved")) return [Block.text(Planted.firstReply)]
  return after(turn)
}

/**
 * Writes the project files into `cwd` and runs the first turn there with `claude -p` (Bash
 * allowed); the new session's id. The machine's server answers with `after` afterwards (and for
 * anything else it is asked meanwhile).
 *
 * @since 0.1.0
 * @category constructors
 */
export const firstTurn = (m: Harness.Machine, cwd: string, after: MessagesServer.Responder) =>
  Effect.gen(function*() {
    Planted.writeProject(cwd)
    yield* m.server.setFallback(responder(after))
    yield* m.server.clearRequests
    const result = yield* m.cli.print(Planted.prompts.first, { cwd, allowedTools: ["Bash"] })
    // the tools ran: their outputs reached the model, and it gave its final answer
    const sent = (yield* m.server.requests).map((r) => r.text).join("\n")
    const missing = Planted.firstTurn.map((p) => p.name).filter((name) => !Planted.leaks(sent).includes(name))
    if (missing.length > 0) return yield* new PlantedSessionError({ detail: `not sent to the model: ${missing.join(", ")}` })
    if (result.result !== Planted.firstReply) return yield* new PlantedSessionError({ detail: `the turn ended with ${JSON.stringify(result.result)}` })
    return result.sessionId
  })
