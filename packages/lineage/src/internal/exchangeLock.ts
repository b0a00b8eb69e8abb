/**
 * One exchange command at a time per machine: `<config dir>/exchange.lock` holds the pid of the
 * command that runs. Created exclusively; a lock whose pid is dead (a killed command) is taken
 * over. Journal transactions have their own lock per home: this one keeps two pushes from writing
 * the same sequence number, and a compaction from racing a pull's receipts.
 *
 * @internal
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as Path from "node:path"
import { ExchangeError } from "../ExchangeError.js"

/** @internal */
export const LOCK_FILE = "exchange.lock"

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const holderOf = (path: string): number | undefined => {
  try {
    const pid = Number.parseInt(fs.readFileSync(path, "utf8").trim().split(/\s+/)[0] ?? "", 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

const take = (path: string): Effect.Effect<void, ExchangeError> =>
  Effect.suspend(() => {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.mkdirSync(Path.dirname(path), { recursive: true })
        fs.writeFileSync(path, `${process.pid}\n`, { flag: "wx" })
        return Effect.void
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
          return Effect.fail(new ExchangeError({ reason: "locked", path, detail: `cannot create it: ${String(error)}` }))
        }
      }
      const pid = holderOf(path)
      if (pid !== undefined && pid !== process.pid && alive(pid)) {
        return Effect.fail(new ExchangeError({ reason: "locked", path, detail: `pid ${pid}` }))
      }
      // a dead holder (or an empty file of a kill right after create): taken over
      fs.rmSync(path, { force: true })
    }
    return Effect.fail(new ExchangeError({ reason: "locked", path, detail: "it keeps coming back" }))
  })

const release = (path: string): Effect.Effect<void> =>
  Effect.sync(() => {
    if (holderOf(path) === process.pid) fs.rmSync(path, { force: true })
  })

/** @internal runs `effect` holding the exchange lock of the config dir `dir` */
export const withExchangeLock = <A, E, R>(
  dir: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ExchangeError, R> => {
  const path = Path.join(dir, LOCK_FILE)
  return Effect.acquireUseRelease(take(path), () => effect, () => release(path))
}
