/** An open transaction: its operations (write-ahead, one durable step at a time), commit and abort. */
import type { SqlClient } from "@effect/sql/SqlClient"
import { Cause, Effect, Exit, Stream } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import type {
  AppendFile,
  Content,
  CreateFileOptions,
  CreateFilesOptions,
  FileToCreate,
  ReplaceFileOptions,
  Transaction,
  Written
} from "../Journal.js"
import { Aborted } from "../Aborted.js"
import { JournalError } from "../JournalError.js"
import * as SqlChange from "../SqlChange.js"
import { type Backup, batchTempPath, type CreateFilesOp, type Operation, type RecordedChange } from "../TransactionRecord.js"
import * as Batch from "./batch.js"
import * as Chunks from "./content.js"
import * as Removal from "./removal.js"
import * as Crash from "./crash.js"
import {
  appendDurably,
  appendFileDurably,
  atomicWriteStream,
  digestRange,
  errorText,
  fileStream,
  io,
  ioError,
  lstatOrUndefined,
  makeDirs,
  missingDirs,
  type Prefix,
  PrefixChanged,
  setMtime,
  sha256
} from "./files.js"
import type * as Lock from "./lock.js"
import * as Capture from "./capture.js"
import { applyChange, showKey, withWriteTransaction } from "./sqlite.js"
import { APPENDS, BACKUPS, type Holder, save } from "./store.js"
import { recordRollbackError, undo } from "./undo.js"

interface AppendTarget {
  readonly target: string
  readonly existed: boolean
  readonly oldSize: number
  readonly oldMtimeMs: number | undefined
  readonly dirs: Array<string>
  /** what the target must still hold when appended to (an append that depends on a read) */
  readonly prefix: Prefix | undefined
}

const changedUnder = (path: string, detail: string) => new JournalError({ reason: "changed_under", path, detail })

const toStream = <E, R>(content: Content<E, R>): Stream.Stream<Uint8Array, E, R> =>
  typeof content === "string"
    ? Stream.succeed(Buffer.from(content, "utf8"))
    : content instanceof Uint8Array
    ? Stream.succeed(content)
    : Chunks.isChunks(content)
    ? Chunks.toStream(content)
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

const describeChange = (change: RecordedChange): string => {
  if (change.side_effect === true) return `restore the ${change.table} rows triggers or foreign-key actions changed`
  switch (change.kind) {
    case "insert":
      return `delete ${change.rows.length} inserted ${change.table} row(s) by ${change.key_columns.join(", ")}`
    case "update":
      return `write back ${change.columns.join(", ")} (and what triggers changed) of ${showKey(change.table, change.key)}`
    case "delete":
      return `insert again ${change.rows.length} deleted ${change.table} row(s)`
  }
}

/** side effects are one row each, maybe thousands: said once for a run of them in one table */
const describeChanges = (changes: ReadonlyArray<RecordedChange>): string =>
  [...changes].reverse()
    .filter((change, i, all) => !(change.side_effect === true && all[i - 1]?.side_effect === true && all[i - 1]!.table === change.table))
    .map(describeChange)
    .join("; ")

/**
 * @internal
 * An open transaction over `holder` (its record written, `lock` held): the operations, and
 * `close`, run when its scope closes, which rolls it back unless it was committed.
 */
export const openTransaction = ({ busyTimeoutMs, confine, confineAll, holder, lock, roots }: {
  readonly holder: Holder
  /** the folders the transaction may write in (a removal leaves their top folders in place) */
  readonly roots: ReadonlyArray<string>
  readonly lock: Lock.Lock
  /** resolves a path the caller gave, refusing it outside the allowed roots */
  readonly confine: (path: string) => Effect.Effect<string, JournalError>
  /** `confine` for the paths of a batch (of files that must not exist) */
  readonly confineAll: (paths: ReadonlyArray<string>) => Effect.Effect<Array<string>, JournalError>
  readonly busyTimeoutMs: number
}) => {
  let active = true
  const semaphore = Effect.unsafeMakeSemaphore(1)
  const serial = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | JournalError, R> =>
    semaphore.withPermits(1)(
      Effect.suspend((): Effect.Effect<A, E | JournalError, R> =>
        active
          ? effect
          : Effect.fail(
            new JournalError({
              reason: "invalid",
              path: holder.dir,
              transaction: holder.record.id,
              detail: "the transaction is no longer open"
            })
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

  const createFiles = Effect.fn("Journal.createFiles")(function*<E, R>(
    files: Iterable<FileToCreate<E, R>>,
    options?: CreateFilesOptions<E, R>
  ) {
    const given = Array.from(files)
    if (given.length === 0) return [] as ReadonlyArray<Written>
    const targets = yield* confineAll(given.map((file) => file.path))
    const plan = yield* io(targets[0]!, "cannot inspect", () => Batch.plan(targets))
    const seq = nextSeq()
    const id = holder.record.id
    const entries: Array<Batch.Entry<E, R>> = given.map((file, i) => ({
      target: targets[i]!,
      temp: batchTempPath(targets[i]!, id, seq),
      content: file.content,
      mode: file.mode,
      mtime: file.mtime
    }))
    addOp({
      kind: "create_files",
      seq,
      state: "intent",
      files: entries.map((entry) => ({
        path: entry.target,
        ...(entry.mtime === undefined ? {} : { mtime_ms: entry.mtime.getTime() })
      })),
      created_dirs: plan.dirs,
      undo: `delete the ${entries.length} file(s) if they all still hold what the transaction wrote${
        plan.dirs.length === 0 ? "" : `; then remove ${plan.dirs.length} created folder(s) if empty`
      }`
    })
    yield* save(holder, `intent ${seq} create_files`)
    yield* Crash.simpleStep(
      `mkdir ${plan.dirs.length} folder(s)`,
      io(plan.dirs[0] ?? targets[0]!, "cannot create the folders", () => makeDirs(plan.dirs, { durable: false }))
    )
    const written = yield* Batch.writeTemps(entries, options?.onWritten)
    yield* Effect.gen(function*() {
      yield* io(targets[0]!, "cannot inspect", () => Batch.refuseExisting(targets, "appeared while the batch was written"))
      setOp(seq, (op) => {
        const batch = op as CreateFilesOp
        return { ...batch, state: "staged", files: batch.files.map((file, i) => ({ ...file, size: written[i]!.size, sha256: written[i]!.sha256 })) }
      })
      yield* save(holder, `staged ${seq}`)
      for (const entry of entries) {
        yield* Crash.simpleStep(
          `rename ${entry.target}`,
          Effect.try({
            try: () => Batch.rename(entry.temp, entry.target),
            catch: (error) => ioError(entry.target, "cannot move the temp file into place", error)
          })
        )
      }
      yield* Crash.simpleStep(
        `sync ${plan.syncDirs.length} folder(s)`,
        io(plan.syncDirs[0]!, "cannot fsync the folders", () => Batch.syncDirs(plan.syncDirs))
      )
    }).pipe(
      // the temps not renamed yet (the rollback would remove them too, but the caller may go on)
      Effect.onError(() => Effect.promise(() => Batch.removeTemps(entries.map((entry) => entry.temp))))
    )
    setOp(seq, (op) => ({ ...op, state: "done" }))
    yield* save(holder, `done ${seq}`)
    return written as ReadonlyArray<Written>
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

  const removeFiles = Effect.fn("Journal.removeFiles")(function*(paths: ReadonlyArray<string>) {
    const targets: Array<string> = []
    for (const path of paths) {
      const target = yield* confine(path)
      if (targets.includes(target)) return yield* new JournalError({ reason: "invalid", path: target, detail: "is twice in the batch" })
      const stat = yield* io(target, "cannot inspect", () => lstatOrUndefined(target))
      if (stat === undefined) return yield* new JournalError({ reason: "target_missing", path: target })
      if (!stat.isFile()) return yield* new JournalError({ reason: "not_a_file", path: target })
      targets.push(target)
    }
    if (targets.length === 0) return []
    const seq = nextSeq()
    const files = yield* io(targets[0]!, "cannot read the files to remove", () =>
      Removal.describe(targets, (path, i) => `${BACKUPS}/${String(seq).padStart(4, "0")}-${i}-${Path.basename(path)}`))
    yield* io(holder.dir, "cannot create the backups folder", () => fs.mkdir(Path.join(holder.dir, BACKUPS), { recursive: true }))
    addOp({
      kind: "remove_files",
      seq,
      state: "intent",
      files,
      undo: `move the ${files.length} file(s) back from ${BACKUPS}/ where nothing is in their place`
    })
    yield* save(holder, `intent ${seq} remove_files`)
    for (const file of files) {
      yield* Crash.simpleStep(`move ${file.path}`, io(file.path, "cannot move into the journal", () => Removal.moveOut(holder.dir, file)))
    }
    yield* Crash.simpleStep(`sync ${files.length} file(s)' folders`, io(holder.dir, "cannot fsync the folders", () => Removal.syncFolders(holder.dir, files)))
    yield* Crash.simpleStep("rmdir (folders left empty)", io(targets[0]!, "cannot remove empty folders", () => Removal.removeEmptyFolders(files, roots)))
    setOp(seq, (op) => ({ ...op, state: "done" }))
    yield* save(holder, `done ${seq}`)
    return files.map((file): Written => ({ path: file.path, size: file.size, sha256: file.sha256 }))
  })

  /**
   * Where an append goes: checked (confined, a regular file or missing, once per batch); with an
   * expected size, that size now, and the SHA-256 of those bytes for the check under the write.
   */
  const appendTargets = (paths: ReadonlyArray<string>, expectSizes: ReadonlyArray<number | undefined> = []) =>
    Effect.gen(function*() {
      const out: Array<AppendTarget> = []
      const seen = new Set<string>()
      for (const [i, path] of paths.entries()) {
        const target = yield* confine(path)
        if (seen.has(target)) return yield* new JournalError({ reason: "invalid", path: target, detail: "is twice in the batch" })
        seen.add(target)
        const stat = yield* io(target, "cannot inspect", () => lstatOrUndefined(target))
        if (stat !== undefined && !stat.isFile()) return yield* new JournalError({ reason: "not_a_file", path: target })
        const dirs = stat !== undefined ? [] : yield* Effect.tryPromise({
          try: () => missingDirs(Path.dirname(target)),
          catch: (error) => new JournalError({ reason: "not_a_file", path: target, detail: errorText(error) })
        })
        const expectSize = expectSizes[i]
        if (expectSize !== undefined && (stat?.size ?? -1) !== expectSize) {
          return yield* changedUnder(target, stat === undefined ? "it is gone" : `it is ${stat.size} bytes, not the ${expectSize} read before`)
        }
        const prefix = expectSize === undefined || stat === undefined
          ? undefined
          : { size: expectSize, sha256: yield* io(target, "cannot read", () => digestRange(target, 0, expectSize)) }
        out.push({ target, existed: stat !== undefined, oldSize: stat?.size ?? 0, oldMtimeMs: stat?.mtimeMs, dirs, prefix })
      }
      return out
    })

  /**
   * The appends of a batch as one step of the record: every intent saved at once, then each
   * file appended (a crash step each), then every one marked done at once. A crash in between
   * leaves intents, which a rollback reads from the files themselves (appended, partly appended,
   * or not).
   */
  const appendAll = (
    targets: ReadonlyArray<AppendTarget>,
    appended: ReadonlyArray<{ readonly size: number; readonly sha256: string } & ({ readonly text: string } | { readonly staged: string })>,
    write: (t: AppendTarget, i: number) => Promise<void>
  ) =>
    Effect.gen(function*() {
      const first = nextSeq()
      targets.forEach((t, i) => {
        const { sha256: digest, size, ...content } = appended[i]!
        addOp({
          kind: "append_text",
          seq: first + i,
          path: t.target,
          state: "intent",
          existed: t.existed,
          old_size: t.oldSize,
          ...(t.oldMtimeMs === undefined ? {} : { old_mtime_ms: t.oldMtimeMs }),
          created_dirs: t.dirs,
          ...content,
          size,
          sha256: digest,
          undo: t.existed
            ? `truncate ${t.target} to ${t.oldSize} bytes if it still ends with the appended bytes`
            : `delete ${t.target} if it holds only the appended bytes${t.dirs.length === 0 ? "" : `; then remove ${t.dirs.join(", ")} if empty`}`
        })
      })
      const seqs = targets.map((_, i) => first + i)
      yield* save(holder, `intent ${seqs.join(",")} append_text`)
      for (const [i, t] of targets.entries()) {
        yield* Crash.simpleStep(`mkdir ${Path.dirname(t.target)}`, io(t.target, "cannot create the folders", () => makeDirs(t.dirs)))
        yield* Crash.simpleStep(`append ${t.target}`, io(t.target, "cannot append", () => write(t, i))).pipe(
          // refused before writing a byte: nothing to undo there (and what another process
          // appended meanwhile is not ours to truncate)
          Effect.tapError((error) =>
            Effect.sync(() => {
              if (error.reason === "changed_under") setOp(seqs[i]!, (op) => ({ ...op, undone: true }))
            })
          )
        )
      }
      for (const seq of seqs) setOp(seq, (op) => ({ ...op, state: "done" }))
      yield* save(holder, `done ${seqs.join(",")}`)
      return targets.map((t, i): Written => ({ path: t.target, size: appended[i]!.size, sha256: appended[i]!.sha256 }))
    })

  /** Appends texts, each kept in the record (index lines): see {@link appendAll}. */
  const appendTexts = Effect.fn("Journal.appendTexts")(function*(
    items: ReadonlyArray<{ readonly path: string; readonly text: string }>
  ) {
    const targets = yield* appendTargets(items.map((item) => item.path))
    if (targets.length === 0) return [] as ReadonlyArray<Written>
    const bytes = items.map((item) => Buffer.from(item.text, "utf8"))
    return yield* appendAll(
      targets,
      items.map((item, i) => ({ text: item.text, size: bytes[i]!.byteLength, sha256: sha256(bytes[i]!) })),
      (t, i) => appendDurably(t.target, bytes[i]!, !t.existed)
    )
  })

  /**
   * Appends content too large to keep in the record: each content is first streamed into a file
   * of the transaction's folder (`appends/<seq>`, hashed, fsynced), then appended as
   * {@link appendAll} does. A rollback compares the target's tail with the staged bytes; once
   * done, they are removed (the tail's SHA-256 is enough).
   */
  const appendFiles = Effect.fn("Journal.appendFiles")(function*<E, R>(items: ReadonlyArray<AppendFile<E, R>>) {
    const targets = yield* appendTargets(items.map((item) => item.path), items.map((item) => item.expectSize))
    if (targets.length === 0) return [] as ReadonlyArray<Written>
    const first = nextSeq()
    const stagedDir = Path.join(holder.dir, APPENDS)
    const stagedFile = (i: number) => Path.join(stagedDir, String(first + i))
    yield* io(stagedDir, "cannot create", () => fs.mkdir(stagedDir, { recursive: true }))
    const staged = yield* Batch.writeTemps<E, R, never, never>(
      items.map((item, i) => ({ target: stagedFile(i), temp: stagedFile(i), content: item.content })),
      undefined
    )
    const written = yield* appendAll(
      targets,
      staged.map((w, i) => ({ staged: `${APPENDS}/${first + i}`, size: w.size, sha256: w.sha256 })),
      (t, i) =>
        appendFileDurably(t.target, stagedFile(i), !t.existed, t.prefix).catch((error) => {
          throw error instanceof PrefixChanged ? changedUnder(t.target, error.message) : error
        })
    )
    yield* Effect.promise(() => Promise.all(targets.map((_, i) => fs.rm(stagedFile(i), { force: true }).catch(() => undefined))))
    return written
  })

  const appendText = (path: string, text: string) =>
    Effect.map(appendTexts([{ path, text }]), (written) => written[0]!)

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
        const capture = yield* Capture.watch(connection)
        const recorded: Array<RecordedChange> = []
        for (const change of changes) recorded.push(...(yield* applyChange(connection, change, capture)))
        // the rows asked for
        const rows = recorded.reduce(
          (sum, change) => change.side_effect === true ? sum : sum + (change.kind === "update" ? 1 : change.rows.length),
          0
        )
        addOp({ kind: "sql", seq, db: target, state: "intent", changes: recorded, undo: describeChanges(recorded) })
        yield* save(holder, `intent ${seq} sql`)
        yield* Crash.step(`commit ${target}`, (aboutToChange) => Effect.zipRight(aboutToChange, connection.commit))
        return rows
      }))
    if (rows === undefined) return 0
    setOp(seq, (op) => ({ ...op, state: "done" }))
    yield* save(holder, `done ${seq}`)
    return rows
  })

  const setSummary = (summary: unknown) =>
    Effect.gen(function*() {
      yield* Effect.try({
        try: () => JSON.stringify(summary ?? null),
        catch: (error) =>
          new JournalError({
            reason: "invalid",
            path: holder.dir,
            detail: `the summary is not JSON: ${error instanceof Error ? error.message : String(error)}`
          })
      })
      holder.record = { ...holder.record, summary: summary ?? null }
      yield* save(holder, "summary")
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

  /**
   * The scope closed without commit: undo what was done, keep the reason, and say what state
   * the home is in (`undefined` after a commit).
   */
  const close = (exit: Exit.Exit<unknown, unknown>): Effect.Effect<Aborted | undefined> =>
    Effect.gen(function*() {
      if (!active) return undefined
      active = false
      holder.record = { ...holder.record, error: failureMessage(exit) }
      const id = holder.record.id
      const aborted = yield* undo(holder, { cause: "abort", busyTimeoutMs, force: false, dryRun: false }).pipe(
        Effect.map((result) => new Aborted({ transaction: id, rolledBack: true, recorded: result.recorded })),
        Effect.tapError((error) => recordRollbackError(holder, error, "abort", false)),
        Effect.catchAll((error) =>
          Effect.succeed(new Aborted({ transaction: id, rolledBack: false, recorded: false, detail: error.message }))
        )
      )
      yield* lock.release.pipe(Effect.catchAll((error) => Effect.logWarning(error.message)))
      return aborted
    })

  const transaction: Transaction = {
    id: holder.record.id,
    dir: holder.dir,
    createFile: (path, content, options) => serial(createFile(path, content, options)),
    createFiles: (files, options) => serial(createFiles(files, options)),
    replaceFile: (path, content, options) => serial(replaceFile(path, content, options)),
    appendText: (path, text) => serial(appendText(path, text)),
    appendTexts: (items) => serial(appendTexts(items)),
    appendFiles: (items) => serial(appendFiles(items)),
    sql: (db, changes) => serial(sql(db, changes)),
    insertRows: (db, table, rows, keyColumns) => serial(sql(db, [SqlChange.insertRows(table, rows, keyColumns)])),
    updateRows: (db, table, key, values) => serial(sql(db, [SqlChange.updateRows(table, key, values)])),
    deleteRows: (db, table, keys) => serial(sql(db, [SqlChange.deleteRows(table, keys)])),
    removeFiles: (paths) => serial(removeFiles(paths)),
    setSummary: (summary) => serial(setSummary(summary)),
    commit: serial(commit)
  }
  return { transaction, close }
}
