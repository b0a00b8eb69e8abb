/**
 * The transaction journal: every change sessionport makes to a Codex home (new files, replaced
 * files, appended lines, SQLite rows) is a transaction that can be rolled back exactly, and a
 * process killed at any point leaves a state the next {@link JournalShape.recover} rolls back
 * to exactly the state before.
 *
 * **Layout.** `<codexHome>/sessionport/journal/<uuidv7>/transaction.json` (see
 * {@link TransactionRecord}) and `backups/`; `sessionport/journal/.lock` while a sessionport
 * process runs a transaction, a rollback or a recovery (a second one is refused `locked`; a lock
 * whose pid is dead is taken over).
 *
 * **Write-ahead.** Each operation is recorded (`intent`) before the change and its outcome
 * (`done`) after; file contents are streamed to a temp file whose size and sha256 are recorded
 * (`staged`) before the rename, and SQL changes are made inside `BEGIN IMMEDIATE` and recorded
 * with their exact old and new values before the `COMMIT`. A rollback (or recovery) compares
 * the disk with each operation's before- and after-states, so it undoes only what happened, and
 * refuses, changing nothing, when a file or row changed since (unless forced).
 *
 * **Steps** (for `SESSIONPORT_CRASH_AT=<n>`, which sends the process SIGKILL right after step n,
 * and `<n>:before`, right before step n's change). Steps are counted from 1 over the whole
 * process, every journal call included:
 *
 * | call | steps, in order |
 * |---|---|
 * | `begin` | `lock` · (recovery of abandoned transactions, as below, without its lock steps) · `journal: begin` |
 * | `createFile` | `journal: intent` · `mkdir` (counted even when no folder is missing) · `journal: staged` (the temp file is complete) · `write` (rename + mtime; `:before` dies with the complete temp file left next to the target) · `journal: done` |
 * | `replaceFile` | `backup` (copy into `backups/`) · `journal: intent` · `journal: staged` · `write` · `journal: done` |
 * | `appendText` | `journal: intent` · `mkdir` · `append` · `journal: done` |
 * | `sql` (and `insertRows`, `updateRows`, `deleteRows`) | `journal: intent` (changes made, not committed) · `commit` (`:before` dies before the COMMIT) · `journal: done` |
 * | `commit` | `journal: completed` · `unlock` |
 * | abort (the scope closed without commit) | rollback steps below, without `lock` |
 * | `rollback` | `lock` · (recovery of other abandoned transactions) · rollback steps · `unlock` |
 * | `recover` | `lock` (none when there is no journal) · rollback steps for each abandoned transaction, newest first · `unlock` |
 * | rollback steps | `journal: rollback started` · per operation not yet undone, newest first: `undo` · `journal: undone` · then `journal: <final status>` |
 *
 * A refused call (target exists, a check fails before its first step) takes no step. So the
 * transaction of `test/driver.ts` (3 creates, 1 append, 2 SQL steps, 1 replace) takes
 * 2 + 3×5 + 4 + 2×3 + 5 + 2 = 34 steps.
 *
 * @since 0.1.0
 */
import type { SqlClient } from "@effect/sql/SqlClient"
import { Cause, Context, Effect, Exit, Layer, type Scope, Stream } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as Path from "node:path"
import * as Crash from "./internal/crash.js"
import {
  appendDurably,
  atomicWriteStream,
  errorText,
  fileStream,
  io,
  lstatOrUndefined,
  makeDirs,
  missingDirs,
  setMtime,
  sha256
} from "./internal/files.js"
import * as Lock from "./internal/lock.js"
import { applyChange, BUSY_TIMEOUT_MS, showKey, withWriteTransaction } from "./internal/sqlite.js"
import { BACKUPS, type Holder, idTime, isId, journalDirOf, listIds, newId, readRecord, RECORD, save } from "./internal/store.js"
import { type Finding, isPending, recordRollbackError, undo } from "./internal/undo.js"
import { JournalError } from "./JournalError.js"
import * as SqlChange from "./SqlChange.js"
import {
  type Backup,
  FORMAT,
  type Operation,
  type OperationKind,
  type RecordedChange,
  type Status,
  type TransactionRecord
} from "./TransactionRecord.js"

/** @since 0.1.0 @category models */
export interface JournalOptions {
  readonly codexHome: string
  /**
   * Folders the journal may change; every path given to an operation must be inside one (after
   * resolving symlinks). Default: the Codex home. The journal folder itself is always refused.
   */
  readonly roots?: ReadonlyArray<string> | undefined
  /** how long a SQL step waits for the database's write lock before failing `busy` (default 5000, as Codex) */
  readonly busyTimeoutMs?: number | undefined
}

/**
 * What a file is written from: a stream of chunks (streamed to disk, never held whole), bytes,
 * or a string (written as UTF-8).
 *
 * @since 0.1.0
 * @category models
 */
export type Content<E = never, R = never> = Stream.Stream<Uint8Array, E, R> | Uint8Array | string

/** @since 0.1.0 @category models */
export interface CreateFileOptions {
  /** set after the write */
  readonly mtime?: Date | undefined
  /** permission bits (default `0o666` less the umask) */
  readonly mode?: number | undefined
}

/** @since 0.1.0 @category models */
export interface ReplaceFileOptions {
  /** set after the write; the file keeps its permissions */
  readonly mtime?: Date | undefined
}

/**
 * A file written, or (for `appendText`) the bytes appended.
 *
 * @since 0.1.0
 * @category models
 */
export interface Written {
  readonly path: string
  readonly size: number
  readonly sha256: string
}

/**
 * An open transaction. Its operations run one at a time (calls made concurrently wait their
 * turn). Paths are absolute.
 *
 * @since 0.1.0
 * @category models
 */
export interface Transaction {
  readonly id: string
  /** the transaction's folder in the journal */
  readonly dir: string
  /** Creates a file that must not exist, and the missing folders above it. */
  readonly createFile: <E = never, R = never>(
    path: string,
    content: Content<E, R>,
    options?: CreateFileOptions
  ) => Effect.Effect<Written, E | JournalError, R>
  /** Replaces an existing regular file, after copying it into the transaction's backups. */
  readonly replaceFile: <E = never, R = never>(
    path: string,
    content: Content<E, R>,
    options?: ReplaceFileOptions
  ) => Effect.Effect<Written, E | JournalError, R>
  /** Appends UTF-8 text (creating the file and its folders when missing), fsynced. Meant for index lines: the text is kept in the record. */
  readonly appendText: (path: string, text: string) => Effect.Effect<Written, JournalError>
  /**
   * Row changes in one SQLite transaction that takes the write lock first (busy timeout 5 s;
   * `busy` when Codex holds the database). Given a function, it runs inside that transaction
   * (for reads: introspection, existence checks) and returns the changes; it must not write.
   * Answers the number of rows changed.
   */
  readonly sql: <E = never, R = never>(
    db: string,
    changes:
      | ReadonlyArray<SqlChange.SqlChange>
      | ((sql: SqlClient) => Effect.Effect<ReadonlyArray<SqlChange.SqlChange>, E, R>)
  ) => Effect.Effect<number, E | JournalError, R>
  /** One `sql` step of {@link SqlChange.insertRows}. */
  readonly insertRows: (
    db: string,
    table: string,
    rows: ReadonlyArray<SqlChange.Row>,
    keyColumns: ReadonlyArray<string>
  ) => Effect.Effect<number, JournalError>
  /** One `sql` step of {@link SqlChange.updateRows}. */
  readonly updateRows: (
    db: string,
    table: string,
    key: SqlChange.Row,
    values: SqlChange.Row
  ) => Effect.Effect<number, JournalError>
  /** One `sql` step of {@link SqlChange.deleteRows}. */
  readonly deleteRows: (
    db: string,
    table: string,
    keys: ReadonlyArray<SqlChange.Row>
  ) => Effect.Effect<number, JournalError>
  /** Marks the transaction `completed` (durably) and releases the lock. */
  readonly commit: Effect.Effect<void, JournalError>
}

/** @since 0.1.0 @category models */
export interface BeginOptions {
  /** what the transaction is (`install`, `sync`, …) */
  readonly kind: string
  /** the plan, as JSON, for `list` and people reading the journal */
  readonly summary?: unknown
}

/** @since 0.1.0 @category models */
export interface RollbackOptions {
  /** undo files and rows even if they changed since the transaction wrote them */
  readonly force?: boolean | undefined
  /** report what would be undone; change nothing */
  readonly dryRun?: boolean | undefined
}

/**
 * One operation as a rollback saw it: `after` (undone), `partial` (a cut-short append,
 * truncated), `before` (nothing to undo), `changed` (changed since: refused unless forced),
 * `chained` (a later operation touched the same file; checked when that one is undone).
 *
 * @since 0.1.0
 * @category models
 */
export type UndoStep = Finding

/** @since 0.1.0 @category models */
export interface RollbackReport {
  readonly id: string
  readonly kind: string
  readonly dryRun: boolean
  /** after the rollback; unchanged for a dry run */
  readonly status: Status
  /** newest operation first */
  readonly steps: ReadonlyArray<UndoStep>
}

/** @since 0.1.0 @category models */
export interface RecoverReport {
  /** the abandoned transactions rolled back (and interrupted rollbacks finished), newest first */
  readonly recovered: ReadonlyArray<RollbackReport>
}

/** @since 0.1.0 @category models */
export interface TransactionInfo {
  readonly id: string
  /** ms since the epoch */
  readonly createdAt: number
  readonly kind: string
  readonly summary: unknown
  readonly status: Status
  /** operations by kind, and how many were undone */
  readonly operations: Readonly<Record<OperationKind, number>> & { readonly total: number; readonly undone: number }
}

/** @since 0.1.0 @category models */
export interface JournalShape {
  readonly codexHome: string
  /** `<codexHome>/sessionport/journal` */
  readonly dir: string
  /**
   * Takes the lock, rolls back abandoned transactions, and opens a transaction. Closing the
   * scope without {@link Transaction.commit} rolls it back (status `failed`, the error kept).
   */
  readonly begin: (options: BeginOptions) => Effect.Effect<Transaction, JournalError, Scope.Scope>
  /** `begin`, `body`, `commit`; a failing `body` rolls back everything it did. */
  readonly transaction: <A, E, R>(
    options: BeginOptions,
    body: (transaction: Transaction) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | JournalError, R>
  /**
   * Undoes a transaction (an id, a unique prefix of one, or `"latest"`: the newest by id that
   * did not fail), newest operation first, after checking that every file and row it wrote is
   * still as it left it. Refuses a transaction already rolled back.
   */
  readonly rollback: (id: string, options?: RollbackOptions) => Effect.Effect<RollbackReport, JournalError>
  /**
   * Rolls back every transaction left `prepared` by a dead process and finishes interrupted
   * rollbacks. Idempotent; every command runs it first. Refused (`changed_since`) when a file
   * changed since, unless `force`.
   */
  readonly recover: (options?: { readonly force?: boolean | undefined }) => Effect.Effect<RecoverReport, JournalError>
  /** Transactions, newest first. */
  readonly list: Effect.Effect<ReadonlyArray<TransactionInfo>, JournalError>
  /** A transaction's full record (an id or a unique prefix). */
  readonly get: (id: string) => Effect.Effect<TransactionRecord, JournalError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Journal extends Context.Tag("@sessionport/journal/Journal")<Journal, JournalShape>() {}

// ---------------------------------------------------------------------------------------------

const within = (child: string, parent: string): boolean =>
  child === parent || child.startsWith(parent.endsWith(Path.sep) ? parent : parent + Path.sep)

/** the real path of `path`, its missing tail kept as given */
const realpathOfNearest = async (path: string): Promise<string> => {
  const missing: Array<string> = []
  let current = path
  for (;;) {
    try {
      return Path.join(await fs.realpath(current), ...missing.reverse())
    } catch {
      const parent = Path.dirname(current)
      if (parent === current) return path
      missing.push(Path.basename(current))
      current = parent
    }
  }
}

const toStream = <E, R>(content: Content<E, R>): Stream.Stream<Uint8Array, E, R> =>
  typeof content === "string"
    ? Stream.succeed(Buffer.from(content, "utf8"))
    : content instanceof Uint8Array
    ? Stream.succeed(content)
    : content

const failureMessage = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "closed without commit"
  if (Cause.isInterruptedOnly(exit.cause)) return "interrupted"
  const error = Cause.squash(exit.cause)
  const message = typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string"
    ? (error as { message: string }).message
    : errorText(error)
  return message.split("\n")[0] ?? "failed"
}

const describeChanges = (changes: ReadonlyArray<RecordedChange>): string =>
  changes.map((change) => {
    switch (change.kind) {
      case "insert":
        return `delete ${change.rows.length} inserted ${change.table} row(s) by ${change.key_columns.join(", ")}`
      case "update":
        return `write back ${Object.keys(change.old).join(", ")} of ${showKey(change.table, change.key)}`
      case "delete":
        return `insert again ${change.rows.length} deleted ${change.table} row(s)`
    }
  }).reverse().join("; ")

const emptyCounts = (): Record<OperationKind, number> => ({ create_file: 0, replace_file: 0, append_text: 0, sql: 0 })

/**
 * The journal of a Codex home.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: JournalOptions): JournalShape => {
  const codexHome = Path.resolve(options.codexHome)
  const dir = journalDirOf(codexHome)
  const roots = (options.roots ?? [codexHome]).map((root) => Path.resolve(root))
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS

  const confine = (path: string): Effect.Effect<string, JournalError> =>
    io(path, "cannot resolve", async () => {
      if (!Path.isAbsolute(path)) {
        throw new JournalError({ reason: "invalid", path, detail: "the journal takes absolute paths only" })
      }
      const absolute = Path.resolve(path)
      const real = await realpathOfNearest(absolute)
      if (within(real, await realpathOfNearest(dir))) {
        throw new JournalError({ reason: "invalid", path: absolute, detail: "is inside the journal folder" })
      }
      for (const root of roots) {
        const realRoot = await realpathOfNearest(root)
        if (within(real, realRoot) && real !== realRoot) return absolute
      }
      throw new JournalError({ reason: "outside_roots", path: absolute, detail: roots.join(", ") })
    })

  const loadHolder = (id: string) =>
    Effect.gen(function*() {
      const record = yield* readRecord(dir, id)
      if (record === undefined) return yield* new JournalError({ reason: "not_found", path: dir, transaction: id })
      return { dir: Path.join(dir, id), record } as Holder
    })

  const report = (holder: Holder, findings: ReadonlyArray<Finding>, status: Status, dryRun: boolean): RollbackReport => ({
    id: holder.record.id,
    kind: holder.record.kind,
    dryRun,
    status,
    steps: findings
  })

  /** under the lock: rolls back abandoned transactions (newest first), tidies finished ones */
  const recoverPending = (force: boolean, exclude?: string) =>
    Effect.gen(function*() {
      const recovered: Array<RollbackReport> = []
      for (const id of (yield* listIds(dir)).reverse()) {
        if (id === exclude) continue
        const record = yield* readRecord(dir, id)
        const txDir = Path.join(dir, id)
        if (record === undefined) {
          // died before its first record: it changed nothing
          yield* io(txDir, "cannot remove", () => fs.rm(txDir, { recursive: true, force: true }))
          continue
        }
        const holder: Holder = { dir: txDir, record }
        if (!isPending(holder)) {
          if (record.status === "rolled_back" || record.status === "failed") {
            yield* Effect.promise(() => fs.rm(Path.join(txDir, BACKUPS), { recursive: true, force: true }).catch(() => undefined))
          }
          continue
        }
        if (record.status === "prepared" && record.error === undefined) {
          holder.record = { ...record, error: `process ${record.pid} stopped before the transaction completed` }
        }
        const result = yield* undo(holder, { cause: "recover", busyTimeoutMs, force, dryRun: false }).pipe(
          Effect.tapError((error) => recordRollbackError(holder, error, "recover", force))
        )
        recovered.push(report(holder, result.findings, result.status, false))
      }
      return recovered
    })

  const withLock = <A, E, R>(
    purpose: string,
    transaction: string | null,
    use: (lock: Lock.Lock) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | JournalError, R> =>
    Effect.acquireUseRelease(
      Lock.acquire(dir, purpose, transaction),
      use,
      (lock) => lock.release.pipe(Effect.catchAll((error) => Effect.logWarning(error.message)))
    )

  /** an id, a unique prefix of one, or `latest` */
  const resolveId = (id: string) =>
    Effect.gen(function*() {
      const ids = yield* listIds(dir)
      if (id === "latest") {
        for (const candidate of [...ids].reverse()) {
          const record = yield* readRecord(dir, candidate)
          if (record !== undefined && record.status !== "failed") return candidate
        }
        return yield* new JournalError({ reason: "not_found", path: dir })
      }
      if (isId(id) && ids.includes(id)) return id
      const matches = id.length >= 4 ? ids.filter((candidate) => candidate.startsWith(id.toLowerCase())) : []
      if (matches.length === 1) return matches[0]!
      return yield* new JournalError({
        reason: matches.length > 1 ? "invalid" : "not_found",
        path: dir,
        transaction: id,
        ...(matches.length > 1 ? { detail: `${id} matches ${matches.length} transactions` } : {})
      })
    })

  const refuseFinished = (holder: Holder) => {
    const { status, id } = holder.record
    if (status === "rolled_back") {
      return Effect.fail(new JournalError({ reason: "already_rolled_back", path: holder.dir, transaction: id }))
    }
    if (status === "failed") {
      return Effect.fail(
        new JournalError({
          reason: "already_rolled_back",
          path: holder.dir,
          transaction: id,
          detail: "never completed; its changes were already undone"
        })
      )
    }
    return Effect.void
  }

  /** which later, still applied transaction changed a file or database (for the refusal) */
  const blameFor = (id: string) =>
    Effect.gen(function*() {
      const later = new Map<string, string>()
      for (const candidate of (yield* listIds(dir)).filter((other) => other > id).reverse()) {
        const record = yield* readRecord(dir, candidate).pipe(Effect.orElseSucceed(() => undefined))
        if (record === undefined || record.status === "rolled_back" || record.status === "failed") continue
        for (const op of record.operations) later.set(op.kind === "sql" ? op.db : op.path, candidate)
      }
      return (target: string) => later.get(target)
    })

  // -------------------------------------------------------------------------------------------
  // an open transaction

  const openTransaction = (holder: Holder, lock: Lock.Lock) => {
    let active = true
    const semaphore = Effect.unsafeMakeSemaphore(1)
    const serial = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | JournalError, R> =>
      semaphore.withPermits(1)(
        Effect.suspend((): Effect.Effect<A, E | JournalError, R> =>
          active
            ? effect
            : Effect.fail(
              new JournalError({ reason: "invalid", path: holder.dir, transaction: holder.record.id, detail: "the transaction is no longer open" })
            )
        )
      )
    const nextSeq = () => holder.record.operations.length + 1
    const addOp = (op: Operation, backup?: Backup) => {
      holder.record = {
        ...holder.record,
        operations: [...holder.record.operations, op],
        backups: backup === undefined ? holder.record.backups : [...holder.record.backups, backup]
      }
    }
    const setOp = (seq: number, update: (op: Operation) => Operation) => {
      holder.record = {
        ...holder.record,
        operations: holder.record.operations.map((op) => op.seq === seq ? update(op) : op)
      }
    }

    /** streams `content` into place; records `staged` (size, sha256) before the rename */
    const writeContent = <E, R>(
      seq: number,
      target: string,
      content: Content<E, R>,
      mustNotExist: boolean,
      mode: number | undefined,
      mtime: Date | undefined
    ) =>
      Effect.gen(function*() {
        const hash = createHash("sha256")
        let size = 0
        let write: Crash.StepHandle | undefined
        const counted = Stream.map(toStream(content), (chunk) => {
          hash.update(chunk)
          size += chunk.byteLength
          return chunk
        })
        // runs after the last chunk is in the temp file, before AtomicFile's fsync and rename
        const staged = Stream.drain(Stream.fromEffect(Effect.gen(function*() {
          if (mustNotExist && (yield* io(target, "cannot inspect", () => lstatOrUndefined(target))) !== undefined) {
            return yield* new JournalError({ reason: "target_exists", path: target, detail: "appeared while it was written" })
          }
          const digest = hash.digest("hex")
          setOp(seq, (op) => ({ ...op, state: "staged", size, sha256: digest }))
          yield* save(holder, `staged ${seq}`)
          write = yield* Crash.begin(`write ${target}`)
          yield* write.aboutToChange
        })))
        yield* atomicWriteStream(target, Stream.concat(counted, staged), mode === undefined ? undefined : { mode })
        if (mtime !== undefined) yield* io(target, "cannot set the modification time", () => setMtime(target, mtime.getTime()))
        yield* write!.changed
        setOp(seq, (op) => ({ ...op, state: "done" }))
        yield* save(holder, `done ${seq}`)
        const op = holder.record.operations[seq - 1] as { readonly size: number; readonly sha256: string }
        return { path: target, size: op.size, sha256: op.sha256 } satisfies Written
      })

    const createFile = Effect.fn("Journal.createFile")(function*<E, R>(
      path: string,
      content: Content<E, R>,
      options?: CreateFileOptions
    ) {
      const target = yield* confine(path)
      if ((yield* io(target, "cannot inspect", () => lstatOrUndefined(target))) !== undefined) {
        return yield* new JournalError({ reason: "target_exists", path: target })
      }
      const dirs = yield* Effect.tryPromise({
        try: () => missingDirs(Path.dirname(target)),
        catch: (error) => new JournalError({ reason: "not_a_file", path: target, detail: errorText(error) })
      })
      const seq = nextSeq()
      addOp({
        kind: "create_file",
        seq,
        path: target,
        state: "intent",
        created_dirs: dirs,
        ...(options?.mtime === undefined ? {} : { mtime_ms: options.mtime.getTime() }),
        undo: `delete ${target} if it still holds what the transaction wrote${
          dirs.length === 0 ? "" : `; then remove ${dirs.join(", ")} if empty`
        }`
      })
      yield* save(holder, `intent ${seq} create_file`)
      yield* Crash.simpleStep(`mkdir ${Path.dirname(target)}`, io(target, "cannot create the folders", () => makeDirs(dirs)))
      return yield* writeContent(seq, target, content, true, options?.mode, options?.mtime)
    })

    const replaceFile = Effect.fn("Journal.replaceFile")(function*<E, R>(
      path: string,
      content: Content<E, R>,
      options?: ReplaceFileOptions
    ) {
      const target = yield* confine(path)
      const stat = yield* io(target, "cannot inspect", () => lstatOrUndefined(target))
      if (stat === undefined) return yield* new JournalError({ reason: "target_missing", path: target })
      if (!stat.isFile()) return yield* new JournalError({ reason: "not_a_file", path: target })
      const seq = nextSeq()
      const file = `${BACKUPS}/${String(seq).padStart(4, "0")}-${Path.basename(target)}`
      const copy = Path.join(holder.dir, file)
      const digest = yield* Crash.simpleStep(
        `backup ${target}`,
        Effect.gen(function*() {
          yield* io(copy, "cannot create the backups folder", () => fs.mkdir(Path.dirname(copy), { recursive: true }))
          const hash = createHash("sha256")
          let size = 0
          yield* atomicWriteStream(
            copy,
            Stream.map(fileStream(target), (chunk) => {
              hash.update(chunk)
              size += chunk.byteLength
              return chunk
            })
          )
          return { size, sha256: hash.digest("hex") }
        })
      )
      addOp(
        {
          kind: "replace_file",
          seq,
          path: target,
          state: "intent",
          backup: file,
          ...(options?.mtime === undefined ? {} : { mtime_ms: options.mtime.getTime() }),
          undo: `copy ${file} back over ${target} if it still holds what the transaction wrote`
        },
        { file, of: target, size: digest.size, sha256: digest.sha256, mode: stat.mode & 0o7777, mtime_ms: stat.mtimeMs }
      )
      yield* save(holder, `intent ${seq} replace_file`)
      return yield* writeContent(seq, target, content, false, undefined, options?.mtime)
    })

    const appendText = Effect.fn("Journal.appendText")(function*(path: string, text: string) {
      const target = yield* confine(path)
      const stat = yield* io(target, "cannot inspect", () => lstatOrUndefined(target))
      if (stat !== undefined && !stat.isFile()) return yield* new JournalError({ reason: "not_a_file", path: target })
      const bytes = Buffer.from(text, "utf8")
      const dirs = stat !== undefined ? [] : yield* Effect.tryPromise({
        try: () => missingDirs(Path.dirname(target)),
        catch: (error) => new JournalError({ reason: "not_a_file", path: target, detail: errorText(error) })
      })
      const seq = nextSeq()
      const digest = sha256(bytes)
      addOp({
        kind: "append_text",
        seq,
        path: target,
        state: "intent",
        existed: stat !== undefined,
        old_size: stat?.size ?? 0,
        ...(stat === undefined ? {} : { old_mtime_ms: stat.mtimeMs }),
        created_dirs: dirs,
        text,
        size: bytes.byteLength,
        sha256: digest,
        undo: stat === undefined
          ? `delete ${target} if it holds only the appended text${dirs.length === 0 ? "" : `; then remove ${dirs.join(", ")} if empty`}`
          : `truncate ${target} to ${stat.size} bytes if it still ends with the appended text`
      })
      yield* save(holder, `intent ${seq} append_text`)
      yield* Crash.simpleStep(`mkdir ${Path.dirname(target)}`, io(target, "cannot create the folders", () => makeDirs(dirs)))
      yield* Crash.simpleStep(`append ${target}`, io(target, "cannot append", () => appendDurably(target, bytes, stat === undefined)))
      setOp(seq, (op) => ({ ...op, state: "done" }))
      yield* save(holder, `done ${seq}`)
      return { path: target, size: bytes.byteLength, sha256: digest } satisfies Written
    })

    const sql = Effect.fn("Journal.sql")(function*<E, R>(
      db: string,
      what:
        | ReadonlyArray<SqlChange.SqlChange>
        | ((sql: SqlClient) => Effect.Effect<ReadonlyArray<SqlChange.SqlChange>, E, R>)
    ) {
      const target = yield* confine(db)
      const seq = nextSeq()
      const rows = yield* withWriteTransaction(target, busyTimeoutMs, (connection) =>
        Effect.gen(function*() {
          let changes: ReadonlyArray<SqlChange.SqlChange>
          if (typeof what === "function") {
            const before = yield* connection.totalChanges
            changes = yield* what(connection.client)
            if ((yield* connection.totalChanges) !== before) {
              return yield* new JournalError({
                reason: "unjournaled_write",
                path: target,
                detail: "the read callback changed rows; return the changes instead"
              })
            }
          } else {
            changes = what
          }
          if (changes.length === 0) return undefined
          const before = yield* connection.totalChanges
          const recorded: Array<RecordedChange> = []
          let expected = 0
          for (const change of changes) {
            const applied = yield* applyChange(connection, change)
            recorded.push(...applied.recorded)
            expected += applied.rows
          }
          const extra = (yield* connection.totalChanges) - before - expected
          if (extra !== 0) {
            return yield* new JournalError({
              reason: "unjournaled_write",
              path: target,
              detail: `the changes also changed ${extra} other row(s) (triggers or foreign-key actions) the journal could not undo`
            })
          }
          addOp({ kind: "sql", seq, db: target, state: "intent", changes: recorded, undo: describeChanges(recorded) })
          yield* save(holder, `intent ${seq} sql`)
          yield* Crash.step(`commit ${target}`, (aboutToChange) => Effect.zipRight(aboutToChange, connection.commit))
          return expected
        }))
      if (rows === undefined) return 0
      setOp(seq, (op) => ({ ...op, state: "done" }))
      yield* save(holder, `done ${seq}`)
      return rows
    })

    const commit = Effect.gen(function*() {
      holder.record = { ...holder.record, status: "completed", completed_at: Date.now() }
      yield* save(holder, "completed").pipe(
        Effect.tapError(() =>
          Effect.sync(() => {
            holder.record = { ...holder.record, status: "prepared" }
          })
        )
      )
      active = false
      // a lock left behind names a dead pid: the next process takes it over
      yield* lock.release.pipe(Effect.catchAll((error) => Effect.logWarning(error.message)))
    })

    /** the scope closed without commit: undo what was done, keep the reason */
    const close = (exit: Exit.Exit<unknown, unknown>) =>
      Effect.gen(function*() {
        if (!active) return
        active = false
        holder.record = { ...holder.record, error: failureMessage(exit) }
        yield* undo(holder, { cause: "abort", busyTimeoutMs, force: false, dryRun: false }).pipe(
          Effect.tapError((error) => recordRollbackError(holder, error, "abort", false)),
          Effect.catchAll((error) =>
            Effect.logWarning(`transaction ${holder.record.id} could not be rolled back now (${error.message}); the next command will`)
          )
        )
        yield* lock.release.pipe(Effect.catchAll((error) => Effect.logWarning(error.message)))
      })

    const transaction: Transaction = {
      id: holder.record.id,
      dir: holder.dir,
      createFile: (path, content, options) => serial(createFile(path, content, options)),
      replaceFile: (path, content, options) => serial(replaceFile(path, content, options)),
      appendText: (path, text) => serial(appendText(path, text)),
      sql: (db, changes) => serial(sql(db, changes)),
      insertRows: (db, table, rows, keyColumns) => serial(sql(db, [SqlChange.insertRows(table, rows, keyColumns)])),
      updateRows: (db, table, key, values) => serial(sql(db, [SqlChange.updateRows(table, key, values)])),
      deleteRows: (db, table, keys) => serial(sql(db, [SqlChange.deleteRows(table, keys)])),
      commit: serial(commit)
    }
    return { transaction, close }
  }

  // -------------------------------------------------------------------------------------------

  const begin = (options: BeginOptions): Effect.Effect<Transaction, JournalError, Scope.Scope> =>
    Effect.map(
      Effect.acquireRelease(
        Effect.gen(function*() {
          let id = newId((yield* listIds(dir)).at(-1))
          const lock = yield* Lock.acquire(dir, "transaction", id)
          return yield* Effect.gen(function*() {
            // under the lock: no other transaction can appear now
            const last = (yield* listIds(dir)).at(-1)
            if (last !== undefined && id <= last) {
              id = newId(last)
              yield* lock.retarget(id)
            }
            yield* recoverPending(false)
            const holder: Holder = {
              dir: Path.join(dir, id),
              record: {
                format: FORMAT,
                id,
                created_at: Date.now(),
                kind: options.kind,
                summary: options.summary ?? null,
                status: "prepared",
                pid: process.pid,
                hostname: os.hostname(),
                codex_home: codexHome,
                backups: [],
                operations: []
              }
            }
            yield* io(holder.dir, "cannot create the transaction folder", () => fs.mkdir(holder.dir, { recursive: true }))
            yield* save(holder, "begin")
            return openTransaction(holder, lock)
          }).pipe(Effect.tapError(() => lock.release.pipe(Effect.ignore)))
        }),
        (open, exit) => open.close(exit)
      ),
      (open) => open.transaction
    ).pipe(Effect.withSpan("Journal.begin"))

  const transaction = <A, E, R>(
    options: BeginOptions,
    body: (transaction: Transaction) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | JournalError, R> =>
    Effect.scoped(
      Effect.flatMap(begin(options), (tx) => Effect.tap(body(tx), () => tx.commit))
    )

  const rollback = Effect.fn("Journal.rollback")(function*(id: string, options?: RollbackOptions) {
    const force = options?.force === true
    if ((yield* listIds(dir)).length === 0) {
      return yield* new JournalError({ reason: "not_found", path: dir, ...(id === "latest" ? {} : { transaction: id }) })
    }
    if (options?.dryRun === true) {
      const holder = yield* loadHolder(yield* resolveId(id))
      yield* refuseFinished(holder)
      const result = yield* undo(holder, { cause: "rollback", busyTimeoutMs, force, dryRun: true, blame: yield* blameFor(holder.record.id) })
      return report(holder, result.findings, result.status, true)
    }
    return yield* withLock("rollback", id === "latest" ? null : id, (lock) =>
      Effect.gen(function*() {
        const resolved = yield* resolveId(id)
        if (lock.info.transaction !== resolved) yield* lock.retarget(resolved)
        yield* recoverPending(false, resolved)
        const holder = yield* loadHolder(resolved)
        yield* refuseFinished(holder)
        const result = yield* undo(holder, { cause: "rollback", busyTimeoutMs, force, dryRun: false, blame: yield* blameFor(resolved) }).pipe(
          Effect.tapError((error) => recordRollbackError(holder, error, "rollback", force))
        )
        return report(holder, result.findings, result.status, false)
      }))
  })

  const recover = Effect.fn("Journal.recover")(function*(options?: { readonly force?: boolean | undefined }) {
    // no journal: nothing to recover, and no folder to create in a home we may never touch
    if ((yield* io(dir, "cannot inspect", () => lstatOrUndefined(dir))) === undefined) return { recovered: [] }
    const recovered = yield* withLock("recover", null, () => recoverPending(options?.force === true))
    return { recovered } satisfies RecoverReport
  })

  const list = Effect.gen(function*() {
    const out: Array<TransactionInfo> = []
    for (const id of (yield* listIds(dir)).reverse()) {
      const record = yield* readRecord(dir, id)
      if (record === undefined) continue
      const counts = emptyCounts()
      for (const op of record.operations) counts[op.kind]++
      out.push({
        id,
        createdAt: record.created_at,
        kind: record.kind,
        summary: record.summary,
        status: record.status,
        operations: {
          ...counts,
          total: record.operations.length,
          undone: record.operations.filter((op) => op.undone === true).length
        }
      })
    }
    return out as ReadonlyArray<TransactionInfo>
  }).pipe(Effect.withSpan("Journal.list"))

  const get = Effect.fn("Journal.get")(function*(id: string) {
    return (yield* loadHolder(yield* resolveId(id))).record
  })

  return { codexHome, dir, begin, transaction, rollback, recover, list, get }
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: JournalOptions): Layer.Layer<Journal> => Layer.sync(Journal, () => make(options))

/**
 * The ms timestamp inside a transaction id (UUIDv7).
 *
 * @since 0.1.0
 * @category utils
 */
export const idTimestamp = (id: string): number => idTime(id)

/** @since 0.1.0 @category constants */
export const RECORD_FILE = RECORD
