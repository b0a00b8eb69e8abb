/**
 * Undoing a transaction: first every operation not yet undone is checked against the disk
 * (nothing is changed when something changed since, unless forced), then the operations are
 * undone in reverse order, each followed by a durable progress record.
 *
 * Every check compares the disk with the operation's before- and after-states, so an operation
 * whose outcome was never recorded (the process died) is undone only if it happened, and a
 * rollback that died part-way is finished by running it again.
 */
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import type { UndoState, UndoStep } from "../Journal.js"
import { JournalError } from "../JournalError.js"
import type {
  AppendTextOp,
  Backup,
  CreateFileOp,
  CreateFilesOp,
  Operation,
  RemoveFilesOp,
  ReplaceFileOp,
  RollbackCause,
  SqlOp,
  Status
} from "../TransactionRecord.js"
import * as Batch from "./batch.js"
import * as Capture from "./capture.js"
import * as Crash from "./crash.js"
import * as Removal from "./removal.js"
import {
  atomicWriteStream,
  digestFile,
  isNoSpace,
  digestRange,
  fileStream,
  io,
  lstatOrUndefined,
  removeDirsIfEmpty,
  setMtime,
  sha256,
  tempsOf,
  truncateDurably,
  unlinkDurably
} from "./files.js"
import { type RowFinding, undoChange, withWriteTransaction, type WriteConnection } from "./sqlite.js"
import { BACKUPS, type Holder, save } from "./store.js"

/** @internal */
export type State = UndoState

/** @internal one operation as a rollback sees it */
export type Finding = UndoStep

// ---------------------------------------------------------------------------------------------
// files

interface FileCheck {
  readonly state: Exclude<State, "chained">
  readonly detail?: string
}

const changed = (detail: string): FileCheck => ({ state: "changed", detail })

const checkCreate = async (op: CreateFileOp): Promise<FileCheck> => {
  const stat = await lstatOrUndefined(op.path)
  if (stat === undefined) return { state: "before" }
  // the rename comes after `staged`: at `intent` whatever is there is not ours
  if (op.state === "intent") return { state: "before" }
  if (!stat.isFile()) return changed("is no longer a regular file")
  const digest = await digestFile(op.path)
  if (digest?.sha256 === op.sha256 && digest?.size === op.size) return { state: "after" }
  return changed("changed since the transaction created it (sha256 differs)")
}

const checkReplace = async (op: ReplaceFileOp, backup: Backup | undefined): Promise<FileCheck> => {
  if (op.state === "intent") return { state: "before" }
  const stat = await lstatOrUndefined(op.path)
  if (stat === undefined) return changed("was deleted since the transaction replaced it")
  if (!stat.isFile()) return changed("is no longer a regular file")
  const digest = await digestFile(op.path)
  if (digest?.sha256 === op.sha256 && digest?.size === op.size) return { state: "after" }
  if (backup !== undefined && digest?.sha256 === backup.sha256 && digest?.size === backup.size) return { state: "before" }
  return changed("changed since the transaction replaced it (sha256 differs)")
}

const checkAppend = async (holder: Holder, op: AppendTextOp): Promise<FileCheck> => {
  const stat = await lstatOrUndefined(op.path)
  if (stat === undefined) return op.existed ? changed("was deleted since the transaction appended to it") : { state: "before" }
  if (!stat.isFile()) return changed("is no longer a regular file")
  if (!op.existed && stat.size === 0) return { state: "partial" }
  if (op.existed && stat.size === op.old_size) return { state: "before" }
  const end = op.old_size + op.size
  if (stat.size === end && (await digestRange(op.path, op.old_size, op.size)) === op.sha256) return { state: "after" }
  if (op.state === "intent" && stat.size > op.old_size && stat.size < end) {
    // a write cut short by the crash: what is there must be the start of what was appended
    const length = stat.size - op.old_size
    const written = await digestRange(op.path, op.old_size, length)
    const ours = op.staged !== undefined
      ? await digestRange(Path.join(holder.dir, op.staged), 0, length)
      : sha256(Buffer.from(op.text ?? "", "utf8").subarray(0, length))
    if (written === ours) return { state: "partial" }
  }
  return changed(
    stat.size > end
      ? "grew since the transaction appended to it"
      : "changed since the transaction appended to it (its end differs)"
  )
}

const backupOf = (holder: Holder, op: ReplaceFileOp): Backup | undefined =>
  holder.record.backups.find((backup) => backup.file === op.backup)

/** the operations on one file */
type FileOp = Exclude<Operation, SqlOp | CreateFilesOp | RemoveFilesOp>

const checkFile = (holder: Holder, op: FileOp): Promise<FileCheck> => {
  switch (op.kind) {
    case "create_file":
      return checkCreate(op)
    case "replace_file":
      return checkReplace(op, backupOf(holder, op))
    case "append_text":
      return checkAppend(holder, op)
  }
}

const fileAction = (op: FileOp, check: FileCheck, force: boolean): string => {
  const acts = check.state === "after" || check.state === "partial" || (check.state === "changed" && force)
  const dirs = "created_dirs" in op && op.created_dirs.length > 0
    ? `; remove ${op.created_dirs.length} created folder(s) if empty`
    : ""
  switch (op.kind) {
    case "create_file":
      return `${acts ? "delete the file" : "nothing to delete"}${dirs}`
    case "replace_file":
      return acts ? "restore the backup" : "nothing to restore"
    case "append_text":
      if (!acts) return `nothing to remove${dirs}`
      return op.existed ? `truncate to ${op.old_size} bytes` : `delete the file${dirs}`
  }
}

/** what a rollback found for one file operation, and what it does about it */
const fileFinding = (op: FileOp, check: FileCheck, force: boolean): Finding => ({
  seq: op.seq,
  kind: op.kind,
  target: op.path,
  state: check.state,
  action: fileAction(op, check, force),
  ...(check.detail === undefined ? {} : { detail: check.detail })
})

const undoFile = (holder: Holder, op: FileOp, check: FileCheck, force: boolean) =>
  Effect.gen(function*() {
    const acts = check.state === "after" || check.state === "partial" || (check.state === "changed" && force)
    const fsOp = (run: () => Promise<unknown>) => io(op.path, "cannot undo", run)
    switch (op.kind) {
      case "create_file": {
        if (acts) yield* fsOp(() => unlinkDurably(op.path))
        break
      }
      case "replace_file": {
        if (!acts) break
        const backup = backupOf(holder, op)!
        yield* atomicWriteStream(op.path, fileStream(Path.join(holder.dir, backup.file)), { mode: backup.mode })
        yield* fsOp(() => setMtime(op.path, backup.mtime_ms))
        break
      }
      case "append_text": {
        if (!acts) break
        if (!op.existed) {
          yield* fsOp(() => unlinkDurably(op.path))
          break
        }
        yield* fsOp(async () => {
          const stat = await lstatOrUndefined(op.path)
          // forced on a file now shorter than before: there is nothing of ours left to cut
          if (stat === undefined || stat.size < op.old_size) return
          await truncateDurably(op.path, op.old_size)
          if (op.old_mtime_ms !== undefined) await setMtime(op.path, op.old_mtime_ms)
        })
        break
      }
    }
    // a write killed before its rename leaves a temp file next to the target
    if (op.kind !== "append_text" && op.state !== "done") {
      yield* fsOp(async () => {
        for (const temp of await tempsOf(op.path)) await fs.rm(temp, { force: true })
      })
    }
    if (op.kind !== "replace_file") yield* fsOp(() => removeDirsIfEmpty(op.created_dirs))
  })

// ---------------------------------------------------------------------------------------------
// batches

/** a batch as a rollback sees it: one finding, naming the first file that changed when one did */
const batchFinding = (op: CreateFilesOp, check: Batch.BatchCheck, force: boolean, chained = 0): Finding => {
  const first = check.changed[0]
  const deleted = check.ours.length + (force ? check.changed.length : 0)
  const extras = [
    ...(chained === 0 ? [] : [`${chained} file(s) checked when the later operations on them are undone`]),
    ...(op.state === "done" ? [] : ["delete the temp files left"]),
    ...(op.created_dirs.length === 0 ? [] : [`remove ${op.created_dirs.length} created folder(s) if empty`])
  ]
  const action = [
    deleted === 0 ? "nothing to delete" : `delete ${deleted} of the ${op.files.length} file(s)`,
    ...extras
  ].join("; ")
  return {
    seq: op.seq,
    kind: op.kind,
    target: first?.path ?? Batch.commonDir(op),
    state: first !== undefined ? "changed" : check.ours.length > 0 ? "after" : chained > 0 ? "chained" : "before",
    action,
    ...(first === undefined ? {} : {
      detail: `${first.detail}${check.changed.length > 1 ? ` (and ${check.changed.length - 1} more file(s) of the batch)` : ""}`
    })
  }
}

// ---------------------------------------------------------------------------------------------
// removals

interface RemovalCheck {
  /** removed files to move back */
  readonly ours: ReadonlyArray<Removal.RemovedFile>
  /** files that cannot be moved back (something is in their place, or their copy is gone) */
  readonly changed: ReadonlyArray<{ readonly path: string; readonly detail: string }>
}

const checkRemoval = async (holder: Holder, op: RemoveFilesOp, skip: ReadonlySet<string>): Promise<RemovalCheck> => {
  const ours: Array<Removal.RemovedFile> = []
  const changed: Array<{ path: string; detail: string }> = []
  for (const file of op.files) {
    if (skip.has(file.path)) continue
    const found = await Removal.check(holder.dir, file)
    if (found.state === "after") ours.push(file)
    else if (found.state === "changed") changed.push({ path: file.path, detail: found.detail ?? "changed since" })
  }
  return { ours, changed }
}

/** a removal as a rollback sees it; forced, a file that cannot be moved back is left as it is now */
const removalFinding = (op: RemoveFilesOp, check: RemovalCheck): Finding => {
  const first = check.changed[0]
  return {
    seq: op.seq,
    kind: op.kind,
    target: first?.path ?? op.files[0]?.path ?? "",
    state: first !== undefined ? "changed" : check.ours.length > 0 ? "after" : "before",
    action: check.ours.length === 0 ? "nothing to put back" : `move ${check.ours.length} of the ${op.files.length} removed file(s) back`,
    ...(first === undefined ? {} : {
      detail: `${first.detail}${check.changed.length > 1 ? ` (and ${check.changed.length - 1} more file(s) of the removal)` : ""}`
    })
  }
}

/** the backup a restore needs must be intact, forced or not */
const verifyBackup = (holder: Holder, op: ReplaceFileOp) =>
  Effect.gen(function*() {
    const backup = backupOf(holder, op)
    const path = Path.join(holder.dir, backup?.file ?? op.backup)
    const digest = yield* io(path, "cannot read the backup", () => digestFile(path))
    if (backup === undefined || digest?.sha256 !== backup.sha256) {
      return yield* new JournalError({
        reason: "bad_journal",
        path,
        transaction: holder.record.id,
        detail: `the backup of ${op.path} is missing or damaged; it cannot be restored`
      })
    }
  })

// ---------------------------------------------------------------------------------------------
// SQL

const summarize = (
  findings: ReadonlyArray<RowFinding>,
  force: boolean
): { readonly state: State; readonly action: string; readonly detail?: string } => {
  const conflicts = findings.filter((finding) => finding.state === "changed")
  const undone = findings.filter((finding) => finding.state === "after").length
  const state: State = conflicts.length > 0 ? "changed" : undone > 0 ? "after" : "before"
  const forced = force ? conflicts.length : 0
  const action = undone + forced === 0 ? "nothing to undo" : `undo ${undone + forced} row change(s)`
  const first = conflicts[0]
  return first === undefined
    ? { state, action }
    : {
      state,
      action,
      detail: `${first.target} ${first.detail ?? "changed since"}${
        conflicts.length > 1 ? ` (and ${conflicts.length - 1} more row(s))` : ""
      }`
    }
}

const dbGone = (op: SqlOp): Finding => ({
  seq: op.seq,
  kind: "sql",
  target: op.db,
  state: "changed",
  action: "nothing can be undone",
  detail: "the database is gone"
})

const undoSqlOp = (connection: WriteConnection, capture: Capture.Capture, op: SqlOp, force: boolean) =>
  Effect.map(
    Effect.zipRight(
      // a cascade's rows are undone child first (the reverse of the log): checked at the commit
      connection.query("PRAGMA defer_foreign_keys = ON"),
      Effect.forEach([...op.changes].reverse(), (change) => undoChange(connection, change, force, capture))
    ),
    (findings) => findings.flat()
  )

// ---------------------------------------------------------------------------------------------
// rollback

/** @internal */
export interface UndoOptions {
  readonly cause: RollbackCause
  readonly busyTimeoutMs: number
  readonly force: boolean
  readonly dryRun: boolean
  /** the later transaction that changed a target, for the refusal message */
  readonly blame?: (target: string) => string | undefined
}

/** @internal */
export interface UndoResult {
  readonly findings: ReadonlyArray<Finding>
  readonly status: Status
  /**
   * false when a progress record could not be written (a full disk): the disk is as `status`
   * says, the record is behind, and the next recovery, finding every change undone, catches up
   */
  readonly recorded: boolean
}

/**
 * A progress record of a rollback that cannot be written does not stop the rollback: every
 * undo compares the disk with the record again, so one run with a record left behind is finished
 * by the next, and undoing (which deletes and truncates) is what frees a full disk.
 */
const saveProgress = (holder: Holder, label: string, unrecorded: { count: number }) =>
  save(holder, label).pipe(
    Effect.catchAll((error) =>
      Effect.zipRight(
        Effect.sync(() => unrecorded.count++),
        Effect.logDebug(`rollback of ${holder.record.id}: ${error.message}; going on`)
      )
    )
  )

const pending = (holder: Holder): Array<Operation> =>
  holder.record.operations.filter((op) => op.undone !== true).reverse()

/** every pending operation against the disk; SQL undone in a transaction that is then rolled back */
const checkAll = (holder: Holder, force: boolean, busyTimeoutMs: number): Effect.Effect<Array<Finding>, JournalError> =>
  Effect.gen(function*() {
    const ops = pending(holder)
    const findings = new Map<number, Finding>()
    const seen = new Set<string>()
    for (const op of ops) {
      if (op.kind === "sql") continue
      if (op.kind === "remove_files") {
        const check = yield* io(op.files[0]?.path ?? holder.dir, "cannot inspect", () => checkRemoval(holder, op, seen))
        for (const file of op.files) seen.add(file.path)
        findings.set(op.seq, removalFinding(op, check))
        continue
      }
      if (op.kind === "create_files") {
        // files a later operation changed are checked when that one is undone
        const check = yield* io(Batch.commonDir(op), "cannot inspect", () => Batch.check(op, seen))
        const chained = op.state === "intent" ? 0 : op.files.filter((file) => seen.has(file.path)).length
        for (const file of op.files) seen.add(file.path)
        findings.set(op.seq, batchFinding(op, check, force, chained))
        continue
      }
      if (seen.has(op.path)) {
        const action = "checked when the later operation on it is undone"
        findings.set(op.seq, { seq: op.seq, kind: op.kind, target: op.path, state: "chained", action })
        continue
      }
      seen.add(op.path)
      const check = yield* io(op.path, "cannot inspect", () => checkFile(holder, op))
      if (op.kind === "replace_file" && (check.state === "after" || check.state === "changed")) yield* verifyBackup(holder, op)
      findings.set(op.seq, fileFinding(op, check, force))
    }
    const sqlOps = ops.filter((op): op is SqlOp => op.kind === "sql")
    for (const db of [...new Set(sqlOps.map((op) => op.db))]) {
      const ofDb = sqlOps.filter((op) => op.db === db)
      const exists = yield* io(db, "cannot inspect", () => lstatOrUndefined(db))
      if (exists === undefined) {
        for (const op of ofDb) {
          findings.set(op.seq, dbGone(op))
        }
        continue
      }
      yield* withWriteTransaction(db, busyTimeoutMs, (connection) =>
        Effect.flatMap(Capture.watch(connection), (capture) =>
          Effect.forEach(ofDb, (op) =>
            Effect.map(undoSqlOp(connection, capture, op, force), (rows) => {
              const summary = summarize(rows, force)
              findings.set(op.seq, { seq: op.seq, kind: "sql", target: db, ...summary })
            }))))
    }
    return ops.map((op) => findings.get(op.seq)!)
  })

const refusal = (holder: Holder, conflicts: ReadonlyArray<Finding>, options: UndoOptions, during: boolean): JournalError => {
  const first = conflicts[0]!
  const later = options.blame?.(first.target)
  const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ""
  const tail = during
    ? "the rollback stopped part-way; run it again (with --force to undo anyway)"
    : later === undefined
    ? "nothing was undone (use --force to undo anyway)"
    : `the later transaction ${later} changed it; roll that back first (or use --force); nothing was undone`
  return new JournalError({
    reason: "changed_since",
    path: first.target,
    transaction: holder.record.id,
    detail: `${first.detail ?? "changed since"}${more}; ${tail}`
  })
}

/** the status a finished rollback leaves */
const finalStatus = (holder: Holder): Status => holder.record.status === "completed" ? "rolled_back" : "failed"

/**
 * @internal
 * Rolls back the transaction of `holder` (the caller holds the journal lock, unless dry run).
 */
export const undo = (holder: Holder, options: UndoOptions): Effect.Effect<UndoResult, JournalError> =>
  Effect.gen(function*() {
    // a rollback resumed keeps the force it started with
    const force = options.force || holder.record.rollback?.force === true
    const findings = yield* checkAll(holder, force, options.busyTimeoutMs)
    const conflicts = findings.filter((finding) => finding.state === "changed")
    if (conflicts.length > 0 && !force) return yield* refusal(holder, conflicts, options, false)
    if (options.dryRun) return { findings, status: holder.record.status, recorded: true }

    const now = Date.now()
    holder.record = {
      ...holder.record,
      rollback: holder.record.rollback === undefined
        ? { cause: options.cause, force, started_at: now }
        : { cause: holder.record.rollback.cause, force, started_at: holder.record.rollback.started_at }
    }
    const unrecorded = { count: 0 }
    yield* saveProgress(holder, "rollback started", unrecorded)

    /** one operation undone (a crash step) */
    const undoOne = (op: Operation): Effect.Effect<Finding, JournalError> =>
      Effect.suspend(() => {
        if (op.kind === "sql") {
          return Crash.step(`undo: sql ${op.db}`, (aboutToChange) =>
            Effect.gen(function*() {
              const exists = yield* io(op.db, "cannot inspect", () => lstatOrUndefined(op.db))
              if (exists === undefined) {
                if (!force) return yield* refusal(holder, [dbGone(op)], options, true)
                yield* aboutToChange
                return dbGone(op)
              }
              return yield* withWriteTransaction(op.db, options.busyTimeoutMs, (connection) =>
                Effect.gen(function*() {
                  const summary = summarize(yield* undoSqlOp(connection, yield* Capture.watch(connection), op, force), force)
                  const finding: Finding = { seq: op.seq, kind: op.kind, target: op.db, ...summary }
                  if (finding.state === "changed" && !force) return yield* refusal(holder, [finding], options, true)
                  yield* aboutToChange
                  yield* connection.commit
                  return finding
                }))
            }))
        }
        if (op.kind === "remove_files") {
          return Crash.step(`undo: remove_files ${op.files.length} file(s)`, (aboutToChange) =>
            Effect.gen(function*() {
              const check = yield* io(op.files[0]?.path ?? holder.dir, "cannot inspect", () => checkRemoval(holder, op, new Set()))
              const finding = removalFinding(op, check)
              if (finding.state === "changed" && !force) return yield* refusal(holder, [finding], options, true)
              yield* aboutToChange
              for (const file of check.ours) yield* io(file.path, "cannot move the removed file back", () => Removal.moveBack(holder.dir, file))
              return finding
            }))
        }
        if (op.kind === "create_files") {
          return Crash.step(`undo: create_files ${op.files.length} file(s)`, (aboutToChange) =>
            Effect.gen(function*() {
              const check = yield* io(Batch.commonDir(op), "cannot inspect", () => Batch.check(op, new Set()))
              const finding = batchFinding(op, check, force)
              if (finding.state === "changed" && !force) return yield* refusal(holder, [finding], options, true)
              yield* aboutToChange
              yield* Batch.undo(op, holder.record.id, [...check.ours, ...(force ? check.changed.map((file) => file.path) : [])])
              return finding
            }))
        }
        return Crash.step(`undo: ${op.kind} ${op.path}`, (aboutToChange) =>
          Effect.gen(function*() {
            const check = yield* io(op.path, "cannot inspect", () => checkFile(holder, op))
            const finding = fileFinding(op, check, force)
            if (check.state === "changed" && !force) return yield* refusal(holder, [finding], options, true)
            if (op.kind === "replace_file" && (check.state === "after" || check.state === "changed")) {
              yield* verifyBackup(holder, op)
            }
            yield* aboutToChange
            yield* undoFile(holder, op, check, force)
            return finding
          }))
      })
    const markUndone = (op: Operation) =>
      Effect.suspend(() => {
        holder.record = {
          ...holder.record,
          operations: holder.record.operations.map((candidate) =>
            candidate.seq === op.seq ? { ...candidate, undone: true } : candidate
          )
        }
        return saveProgress(holder, `undone ${op.seq}`, unrecorded)
      })

    // On a full disk an undo that needs room (SQLite writes even to delete rows) waits, with
    // every older operation on the same target, until the others (deleting files) have freed
    // some; then it runs again, once.
    const done: Array<Finding> = []
    const deferred: Array<Operation> = []
    const waiting = new Set<string>()
    for (const op of pending(holder)) {
      const finding = targetsOf(op).some((target) => waiting.has(target))
        ? undefined
        : yield* undoOne(op).pipe(Effect.catchIf(isNoSpace, () => Effect.succeed(undefined)))
      if (finding === undefined) {
        deferred.push(op)
        for (const target of targetsOf(op)) waiting.add(target)
        continue
      }
      done.push(finding)
      yield* markUndone(op)
    }
    for (const op of deferred) {
      done.push(yield* undoOne(op))
      yield* markUndone(op)
    }

    const status = finalStatus(holder)
    holder.record = {
      ...holder.record,
      status,
      rollback: { ...holder.record.rollback!, finished_at: Date.now() }
    }
    // `error` is kept: why the transaction failed stays on record
    yield* saveProgress(holder, status, unrecorded)
    // nothing can roll this transaction back again: its backups are dead weight (unless the
    // record is behind, and the next recovery reads them again)
    if (unrecorded.count === 0) {
      yield* Effect.promise(() => fs.rm(Path.join(holder.dir, BACKUPS), { recursive: true, force: true }).catch(() => undefined))
    }
    return { findings: done.length > 0 ? done : findings, status, recorded: unrecorded.count === 0 }
  })

/** the files or database an operation changed: an older operation on one is undone after it */
const targetsOf = (op: Operation): ReadonlyArray<string> =>
  op.kind === "sql" ? [op.db] : op.kind === "create_files" || op.kind === "remove_files" ? op.files.map((file) => file.path) : [op.path]

/** @internal whether a transaction still has a rollback (or its whole run) to finish */
export const isPending = (holder: Holder): boolean =>
  holder.record.status === "prepared" ||
  (holder.record.status === "completed" && holder.record.rollback !== undefined &&
    holder.record.rollback.finished_at === undefined)

/** @internal records why the last rollback attempt stopped (best effort) */
export const recordRollbackError = (holder: Holder, error: JournalError, cause: RollbackCause, force: boolean) =>
  Effect.gen(function*() {
    // a completed transaction whose rollback never started stays as it is: nothing to resume
    if (holder.record.rollback === undefined && holder.record.status !== "prepared") return
    holder.record = {
      ...holder.record,
      rollback: {
        ...(holder.record.rollback ?? { cause, force, started_at: Date.now() }),
        error: error.message
      }
    }
    yield* save(holder, "rollback stopped")
  }).pipe(Effect.ignore)
