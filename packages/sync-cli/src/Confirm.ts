/**
 * Asking before a change: on a terminal, the question on stderr and a y/N answer from stdin.
 * Off a terminal (scripts, CI) nobody can answer: the caller passes `--yes` or gets the plan only.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as readline from "node:readline"

/** @since 0.1.0 @category predicates */
export const canAsk = (): boolean => process.stdin.isTTY === true && process.stderr.isTTY === true

/** @since 0.1.0 @category prompting */
export const ask = (question: string): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr })
    rl.question(`${question} [y/N] `, (answer) => {
      rl.close()
      resume(Effect.succeed(/^y(es)?$/i.test(answer.trim())))
    })
    return Effect.sync(() => rl.close())
  })
