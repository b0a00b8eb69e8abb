/**
 * The journal lock, `sessionport/journal/.lock`: one sessionport process at a time runs a
 * transaction, a rollback or a recovery.
 *
 * The lock is a complete JSON file (pid, the process's start time, host, transaction, a random
 * token) published with `link()`, which fails when the lock exists: no reader ever sees half a
 * lock. A lock of this host is stale when its pid is dead, or alive but started at another time
 * than the lock says (a later process given the same pid); a stale lock is taken over: it is
 * first renamed aside, and only deleted if the file moved is the one judged stale. A lock without
 * a start time (earlier versions), or whose pid's start cannot be read, is live while its pid is.
 */
import { pidAlive } from "@sessionport/package-format/Processes"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as Path from "node:path"
import { JournalError } from "../JournalError.js"
import { readOnlyFolder } from "../ReadOnly.js"
import * as Crash from "./crash.js"
import { atomicWrite, errnoCode, fsyncDir, io, unlinkDurably } from "./files.js"
import { processStart } from "./processStart.js"

/** @internal */
export const LOCK = ".lock"

/** @internal what the lock file holds */
export interface LockInfo {
  readonly pid: number
  readonly hostname: string
  /** the transaction being run or rolled back, when there is one */
  readonly transaction: string | null
  /** `transaction`, `rollback` or `recover` */
  readonly purpose: string
  readonly created_at: number
  readonly token: string
  /** when the holder started (see `processStart`); absent where it cannot be read, and in older locks */
  readonly process_start?: string
}

/** @internal a lock held by this process */
export interface Lock {
  readonly path: string
  readonly info: LockInfo
  /** records another transaction id in the lock (the id had to change) */
  readonly retarget: (transaction: string) => Effect.Effect<void, JournalError>
  /** deletes the lock if it is still ours: one journal step */
  readonly release: Effect.Effect<void, JournalError>
}

// tokens of the locks this process holds: a lock naming our pid but none of these was left by
// an earlier process that had the same pid (common in containers)
const held = new Set<string>()

// read once: it never changes, and reading it may take a `ps`
let ownStart: Promise<string | undefined> | undefined

type Holder =
  | { readonly _tag: "gone" }
  | { readonly _tag: "info"; readonly info: LockInfo; readonly raw: string }
  | { readonly _tag: "unreadable"; readonly mtimeMs: number; readonly raw: string }

const readHolder = async (path: string): Promise<Holder> => {
  let raw: string
  let mtimeMs: number
  try {
    raw = await fs.readFile(path, "utf8")
    mtimeMs = (await fs.stat(path)).mtimeMs
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return { _tag: "gone" }
    throw error
  }
  try {
    const info = JSON.parse(raw) as LockInfo
    if (typeof info.pid === "number" && typeof info.hostname === "string" && typeof info.token === "string") {
      return { _tag: "info", info, raw }
    }
  } catch {
    // fall through
  }
  return { _tag: "unreadable", mtimeMs, raw }
}

// a lock written without link() (filesystems without hard links) may be half written for a moment
const UNREADABLE_GRACE_MS = 10_000

/** `reused`: stale, its pid now belongs to a later process */
const holderState = async (holder: Holder): Promise<"live" | "stale" | "reused"> => {
  switch (holder._tag) {
    case "gone":
      return "stale"
    case "unreadable":
      return Date.now() - holder.mtimeMs < UNREADABLE_GRACE_MS ? "live" : "stale"
    case "info": {
      const { info } = holder
      // another host's pid cannot be checked from here
      if (info.hostname !== os.hostname()) return "live"
      if (info.pid === process.pid) return held.has(info.token) ? "live" : "reused"
      if (!pidAlive(info.pid)) return "stale"
      if (typeof info.process_start !== "string") return "live"
      const start = await processStart(info.pid)
      // unreadable: the pid may have just died, else there is no telling
      if (start === undefined) return pidAlive(info.pid) ? "live" : "stale"
      return start === info.process_start ? "live" : "reused"
    }
  }
}

const describe = (holder: Holder): string => {
  if (holder._tag !== "info") return "an unreadable lock"
  const { info } = holder
  const what = info.transaction === null ? info.purpose : `${info.purpose} ${info.transaction}`
  const host = info.hostname === os.hostname() ? "" : ` on ${info.hostname}`
  return `pid ${info.pid}${host}, ${what}, since ${new Date(info.created_at).toISOString()}`
}

const noHardLinks = (code: string | undefined) =>
  code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS" || code === "EXDEV"

/** publishes `temp` as the lock: true when taken, false when a lock exists */
const publish = async (temp: string, path: string, content: string): Promise<boolean> => {
  try {
    await fs.link(temp, path)
    return true
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false
    if (!noHardLinks(errnoCode(error))) throw error
  }
  try {
    await fs.writeFile(path, content, { flag: "wx" })
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false
    throw error
  }
  const handle = await fs.open(path, "r")
  await handle.sync().finally(() => handle.close())
  return true
}

/** moves a stale lock aside; puts it back if it turned out not to be the one judged stale */
const breakStale = async (path: string, judged: string): Promise<void> => {
  const aside = `${path}.stale-${randomBytes(6).toString("hex")}`
  try {
    await fs.rename(path, aside)
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return
    throw error
  }
  const moved = await fs.readFile(aside, "utf8").catch(() => undefined)
  if (moved !== judged) await fs.link(aside, path).catch(() => undefined)
  await fs.unlink(aside).catch(() => undefined)
}

/** leftovers of lock attempts by processes that died */
const removeLeftovers = async (dir: string): Promise<void> => {
  for (const name of await fs.readdir(dir).catch(() => [] as Array<string>)) {
    // ours, or AtomicFile's temp of ours (`..lock.tmp-…`)
    const temp = /^\.{1,2}lock\.tmp-(\d+)-/.exec(name)
    if ((temp !== null && Number(temp[1]) !== process.pid && !pidAlive(Number(temp[1]))) || name.startsWith(`${LOCK}.stale-`)) {
      await fs.rm(Path.join(dir, name), { force: true }).catch(() => undefined)
    }
  }
}

/**
 * The first writes into the home: a home that cannot be written fails them as `read_only`, which
 * says so, rather than with the OS error of whichever write came first.
 */
const writable = <A>(dir: string, home: string | undefined, write: Effect.Effect<A, JournalError>): Effect.Effect<A, JournalError> =>
  Effect.mapError(write, (error) => {
    const found = error.reason === "io" ? readOnlyFolder(dir, error.cause, home) : undefined
    return found === undefined ? error : new JournalError({ reason: "read_only", path: found.path, detail: found.why, cause: error.cause })
  })

/**
 * @internal
 * Takes the lock of the journal folder `dir` (created if missing): one journal step. Fails
 * `locked` while a live process holds it, `read_only` when `dir` cannot be written (naming the
 * highest such folder up to `home`).
 */
export const acquire = (
  dir: string,
  purpose: string,
  transaction: string | null,
  home?: string
): Effect.Effect<Lock, JournalError> =>
  Crash.simpleStep(
    "lock",
    Effect.gen(function*() {
      const path = Path.join(dir, LOCK)
      yield* writable(dir, home, io(dir, "cannot create the journal folder", () => fs.mkdir(dir, { recursive: true })))
      const token = randomBytes(8).toString("hex")
      const start = yield* Effect.promise(() => ownStart ??= processStart(process.pid))
      const info: LockInfo = {
        pid: process.pid,
        hostname: os.hostname(),
        transaction,
        purpose,
        created_at: Date.now(),
        token,
        ...(start === undefined ? {} : { process_start: start })
      }
      const content = `${JSON.stringify(info)}\n`
      const temp = Path.join(dir, `${LOCK}.tmp-${process.pid}-${token}`)
      yield* writable(dir, home, atomicWrite(temp, content))
      // locks taken over from a live pid that is not their holder any more
      const reused: Array<Holder> = []
      const outcome = yield* io(path, "cannot take the lock", async (): Promise<true | Holder> => {
        try {
          for (let attempt = 0; attempt < 5; attempt++) {
            if (await publish(temp, path, content)) {
              await fsyncDir(dir)
              return true
            }
            const holder = await readHolder(path)
            if (holder._tag === "gone") continue
            const state = await holderState(holder)
            if (state === "live") return holder
            if (state === "reused") reused.push(holder)
            await breakStale(path, holder.raw)
          }
          return await readHolder(path)
        } finally {
          await fs.rm(temp, { force: true }).catch(() => undefined)
        }
      })
      if (outcome !== true) {
        return yield* new JournalError({ reason: "locked", path, detail: describe(outcome) })
      }
      for (const holder of reused) {
        yield* Effect.logWarning(
          `took over the stale lock ${path} (${describe(holder)}): its pid now belongs to another process`
        )
      }
      held.add(token)
      yield* Effect.promise(() => removeLeftovers(dir))
      let current = info
      const lock: Lock = {
        path,
        get info() {
          return current
        },
        retarget: (id) =>
          Effect.suspend(() => {
            current = { ...current, transaction: id }
            return atomicWrite(path, `${JSON.stringify(current)}\n`)
          }),
        release: Crash.simpleStep(
          "unlock",
          io(path, "cannot release the lock", async () => {
            held.delete(token)
            const holder = await readHolder(path)
            if (holder._tag === "info" && holder.info.token === token) await unlinkDurably(path)
          })
        )
      }
      return lock
    })
  )
