/**
 * Turns of the real Codex CLI against its scripted model, for the end-to-end tests that continue
 * a synced session: what the person typed, what the model answered, and what Codex sent.
 */
import { assert } from "@effect/vitest"
import { type CodexCli, OutputItem, type ResponsesServer } from "@sessionport/codex-oracle"
import { Effect } from "effect"

/** `text` as it appears inside a JSON string. */
export const json = (text: string) => JSON.stringify(text).slice(1, -1)

/** The request Codex sent to the model for a run whose prompt was `marker`. */
export const sentWith = (server: ResponsesServer.ResponsesServerShape, marker: string) =>
  Effect.map(server.requests, (requests) => {
    const sent = requests.map((r) => r.text).find((text) => text.includes(json(marker)))
    assert.isDefined(sent, `Codex sent a request for "${marker}"`)
    return sent!
  })

/** One turn of `codex exec resume` from `cwd`, the scripted model answering `reply`; the request Codex sent for it. */
export const resumeTurn = (
  codex: { readonly cli: CodexCli.CodexCliShape; readonly server: ResponsesServer.ResponsesServerShape },
  cwd: string,
  threadId: string,
  turn: { readonly prompt: string; readonly reply: string }
) =>
  Effect.gen(function*() {
    yield* codex.server.setFallback([OutputItem.message(turn.reply)])
    yield* codex.server.clearRequests
    const result = yield* codex.cli.resume({ cwd, threadId, prompt: turn.prompt })
    assert.strictEqual(result.threadId, threadId)
    return yield* sentWith(codex.server, turn.prompt)
  })
