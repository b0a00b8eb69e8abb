/**
 * Runs one journal command in its own process, for the kill -9 suite:
 *
 *   node --import tsx packages/journal/test/driver.ts install|batch|remove|recover|rollback <home> [<id>|latest] [--force]
 *
 * (the suite adds `--import packages/journal/test/preload.mjs` first: half the start-up time).
 * With `SESSIONPORT_CRASH_AT` set the process kills itself at that step (or, with `<n>:enospc`,
 * fails there for want of space). Otherwise it prints one JSON line: the steps it took and what
 * the command answered (or the error message, and whether the transaction was rolled back, exit 1).
 */
import { Cause, Effect, FiberRef, Option } from "effect"
import { Aborted, Journal } from "../src/index.js"
import { stepCount } from "../src/internal/crash.js"
import { batch, install, remove } from "./home.js"

const [command, home, ...rest] = process.argv.slice(2)
if (home === undefined) {
  process.stderr.write("usage: driver.ts install|batch|remove|recover|rollback <home> [<id>|latest] [--force]\n")
  process.exit(2)
}
const journal = Journal.make({ codexHome: home })

const program: Effect.Effect<unknown, unknown> = command === "install"
  ? Effect.zipRight(journal.recover(), journal.transaction({ kind: "install", summary: { sessions: 2 } }, (tx) => Effect.as(install(home)(tx), tx.id)))
  : command === "batch"
  ? Effect.zipRight(journal.recover(), journal.transaction({ kind: "install", summary: { files: 20 } }, (tx) => Effect.as(batch(home)(tx), tx.id)))
  : command === "remove"
  ? Effect.zipRight(journal.recover(), journal.transaction({ kind: "cleanup", summary: { sessions: 2 } }, (tx) => Effect.as(remove(home)(tx), tx.id)))
  : command === "recover"
  ? journal.recover()
  : command === "rollback"
  ? Effect.zipRight(journal.recover(), journal.rollback(rest[0] ?? "latest", { force: rest.includes("--force") }))
  : Effect.die(`unknown command ${command}`)

Effect.runPromiseExit(
  Effect.catchAllCause(program, (cause) =>
    Effect.flatMap(FiberRef.get(Aborted.current), (aborted) => Effect.failCause(Cause.map(cause, (error) => ({ error, aborted })))))
).then((exit) => {
  if (exit._tag === "Success") {
    process.stdout.write(`${JSON.stringify({ steps: stepCount(), result: exit.value })}\n`)
  } else {
    const failed = Option.getOrUndefined(Cause.failureOption(exit.cause))
    const failure = failed === undefined ? exit.cause : failed.error
    const rolledBack = Option.getOrUndefined(Option.map(failed?.aborted ?? Option.none(), (note) => note.rolledBack))
    process.stdout.write(`${JSON.stringify({ steps: stepCount(), error: String((failure as Error)?.message ?? failure), rolledBack })}\n`)
    process.exitCode = 1
  }
})
