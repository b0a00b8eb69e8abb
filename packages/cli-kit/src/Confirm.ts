/**
 * Asking before a change, as gh and git do: on a terminal (stdin and stderr both), the question
 * on stderr and a y/N answer from stdin; off a terminal nobody can answer, so a command that would
 * ask refuses unless `--yes` (a script that pipes stderr away must never apply a plan it did not
 * confirm). Ctrl-C at the question interrupts the command like Ctrl-C anywhere (exit 130).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as readline from "node:readline"
import { UsageError } from "./Failure.js"

/** @since 0.1.0 @category predicates */
export const canAsk = (): boolean => process.stdin.isTTY === true && process.stderr.isTTY === true

/**
 * How a change is agreed to: `"given"` (`--yes`), `"ask"` (on a terminal), or refused off a
 * terminal with one usage line naming `--yes` (and `--dry-run` to see the plan).
 *
 * @since 0.3.0
 * @category prompting
 */
export const consent = (command: string, yes: boolean): Effect.Effect<"given" | "ask", UsageError> =>
  yes
    ? Effect.succeed("given")
    : canAsk()
    ? Effect.succeed("ask")
    : Effect.fail(
      new UsageError({
        detail: `${command} asks before it changes anything, and nobody can answer off a terminal: pass --yes to go ahead (--dry-run shows the plan)`
      })
    )

/**
 * One line read from the terminal after `prompt` (on stderr); `undefined` at the end of input.
 * Ctrl-C interrupts.
 */
const answer = (prompt: string): Effect.Effect<string | undefined> =>
  Effect.async<string | undefined>((resume) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr })
    let answered = false
    const settle = (effect: Effect.Effect<string | undefined>) => {
      if (answered) return
      answered = true
      rl.close()
      resume(effect)
    }
    // on a terminal readline takes Ctrl-C itself (no signal reaches the process): left alone it
    // would only pause the prompt
    rl.on("SIGINT", () => {
      process.stderr.write("\n")
      settle(Effect.interrupt)
    })
    rl.on("close", () => settle(Effect.succeed(undefined)))
    rl.question(prompt, (text) => settle(Effect.succeed(text)))
    return Effect.sync(() => {
      answered = true
      rl.close()
    })
  })

/**
 * The question and the answer (`true` for y or yes). Ctrl-C interrupts; end of input is a no.
 *
 * @since 0.1.0
 * @category prompting
 */
export const ask = (question: string): Effect.Effect<boolean> =>
  Effect.map(answer(`${question} [y/N] `), (text) => text !== undefined && /^y(es)?$/i.test(text.trim()))

/**
 * A typed confirmation, for what is hard to take back by mistake (as gh asks for a repository's
 * name before deleting it): `true` only when the answer is exactly `expected`. Ctrl-C interrupts.
 *
 * @since 0.3.0
 * @category prompting
 */
export const askTyped = (question: string, expected: string): Effect.Effect<boolean> =>
  Effect.map(answer(`${question}\nType ${JSON.stringify(expected)} to go ahead: `), (text) => text?.trim() === expected)
