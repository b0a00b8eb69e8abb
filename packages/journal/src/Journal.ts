/**
 * The transaction journal: every change sessionport makes to a Codex home (new files, replaced
 * files, appended lines, SQLite rows) is a transaction that can be rolled back exactly, and a
 * process killed at any point leaves a state the next {@link JournalShape.recover} rolls back
 * to exactly the state before.
 *
 * **Layout.** `<codexHome>/sessionport/journal/<uuidv7>/transaction.json` (see
 * {@link TransactionRecord}) and `backups/`; `sessionport/journal/.lock` while a sessionport
 * process runs a transaction, a rollback or a recovery (a second one is refused `locked`; a lock
 * whose pid is dead, or now another process than the one that took it, is taken over).
 *
 * **Damaged records.** A `transaction.json` that cannot be used stops only what needs it: it is
 * listed as {@link DamagedTransaction}, skipped by recovery (reported), and refused by rollback
 * with what to do; never guessed at.
 *
 * **Write-ahead.** Each operation is recorded (`intent`) before the change and its outcome
 * (`done`) after; file contents are streamed to a temp file whose size and sha256 are recorded
 * (`staged`) before the rename, and SQL changes are made inside `BEGIN IMMEDIATE` and recorded
 * with their exact old and new values before the `COMMIT`. `createFiles` records a whole batch
 * with the same three records, whatever its number of files: a thousand new sessions cost three
 * journal writes, not five thousand. A rollback (or recovery) compares the disk with each
 * operation's before- and after-states, so it undoes only what happened, and refuses, changing
 * nothing, when a file or row changed since (unless forced).
 *
 * **Steps** (for `SESSIONPORT_CRASH_AT=<n>`, which sends the process SIGKILL right after step n,
 * and `<n>:before`, right before step n's change). Steps are counted from 1 over the whole
 * process, every journal call included:
 *
 * - `begin`: `lock` · (rollback steps of abandoned transactions) · `journal: begin`
 * - `createFile`: `journal: intent` · `mkdir` (counted even when no folder is missing) ·
 *   `journal: staged` (the temp file is complete) · `write` (rename, then mtime; `:before` dies
 *   with the complete temp file left next to the target) · `journal: done`
 * - `createFiles` of n files: `journal: intent` (every path, the folders to create) · `mkdir`
 *   (all the missing folders; counted even when none is) · n × `temp` (the file complete in its
 *   temp sibling, mtime set, not yet fsynced; `:before` dies with the temp created and its first
 *   chunk written) · `journal: staged` (every temp fsynced, every size and sha256 recorded) ·
 *   n × `rename` (`:before` dies with the earlier files in place, the others still temps) ·
 *   `sync` (each folder of the batch fsynced once: the renames and new folders are durable) ·
 *   `journal: done`; 2n + 5 steps
 * - `replaceFile`: `backup` (the copy into `backups/`) · `journal: intent` · `journal: staged` ·
 *   `write` · `journal: done`
 * - `appendText`: `journal: intent` · `mkdir` · `append` · `journal: done`; `appendTexts` of n
 *   files: `journal: intent` · n × (`mkdir` · `append`) · `journal: done`; `appendFiles` of n:
 *   n × `temp` (staged in the transaction's folder) · `journal: intent` · n × (`mkdir` ·
 *   `append`) · `journal: done`
 * - `removeFiles` of n files: `journal: intent` (every path, size, sha256) · n × `move` (into the
 *   transaction's backups) · `sync` (the folders) · `rmdir` (the folders left empty; counted even
 *   when none is) · `journal: done`; n + 4 steps
 * - `sql`, `insertRows`, `updateRows`, `deleteRows`: `journal: intent` (the changes are made, not
 *   committed) · `commit` (`:before` dies before the COMMIT) · `journal: done`
 * - `setSummary`: `journal: summary`
 * - `commit`: `journal: completed` · `unlock`
 * - abort (the scope closed without commit): rollback steps · `unlock`
 * - `rollback`: `lock` · (rollback steps of other abandoned transactions) · rollback steps ·
 *   `unlock`; a dry run takes none
 * - `recover`: `lock` · rollback steps of each abandoned transaction (or interrupted rollback),
 *   newest first · `unlock`; none at all in a home without a journal
 * - rollback steps: `journal: rollback started` · for each operation not yet undone, newest
 *   first: `undo` · `journal: undone`; then `journal: <final status>`
 *
 * A refused call (target exists, a check fails before its first step) takes no step. So the
 * `install` transaction of `test/driver.ts` (3 creates, 1 append, 2 SQL steps, 1 replace) takes
 * 2 + 3×5 + 4 + 2×3 + 5 + 2 = 34 steps, and its `batch` transaction (`createFiles` of 20 files,
 * 1 append) 2 + (2×20 + 5) + 4 + 2 = 53.
 *
 * Background work (the writes and fsyncs of a batch's temps) is settled before the process dies
 * at a step, so each step leaves the state described; a real crash may come in between, which a
 * rollback handles the same way (it compares the disk with the record).
 *
 * @since 0.1.0
 */
import type { SqlClient } from "@effect/sql/SqlClient"
import { Context, Effect, FiberRef, Layer, Option, type Scope, type Stream } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as Path from "node:path"
import * as AbortedNote from "./Aborted.js"
import { errorText, io, lstatOrUndefined, tempsOf } from "./internal/files.js"
import * as Lock from "./internal/lock.js"
import { BUSY_TIMEOUT_MS } from "./internal/sqlite.js"
import {
  BACKUPS,
  damagedRecord,
  type Holder,
  idTime,
  isCompleted,
  isId,
  journalDirOf,
  lastStateOfRecord,
  listIds,
  newId,
  readRecord,
  RECORD,
  save
} from "./internal/store.js"
import { openTransaction } from "./internal/transaction.js"
import { isPending, recordRollbackError, undo } from "./internal/undo.js"
import { JournalError } from "./JournalError.js"
import type * as SqlChange from "./SqlChange.js"
import { FORMAT, type OperationKind, type Status, type TransactionRecord } from "./TransactionRecord.js"

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
 * What a file is written from: a stream of chunks (streamed to disk, never held whole), chunks
 * produced synchronously ({@link chunks}), bytes, or a string (written as UTF-8).
 *
 * @since 0.1.0
 * @category models
 */
export type Content<E = never, R = never> = Stream.Stream<Uint8Array, E, R> | Chunks<E> | Uint8Array | string

/**
 * Content produced synchronously, pulled chunk by chunk as it is written, with the same
 * backpressure as a stream: for bytes at hand without waiting (a local file read and rewritten
 * on the way), where a stream per file would cost more than the work. Made by {@link chunks}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Chunks<E = never> {
  readonly _tag: "Chunks"
  /** pulled once per write (an iteration left early is closed with `return`) */
  readonly chunks: Iterable<Uint8Array>
  /** which thrown values fail the operation as `E`; anything else thrown is a defect */
  readonly isFailure: (thrown: unknown) => thrown is E
}

/**
 * Content pulled from `chunks`, which must not reuse a chunk's memory (the chunks are written
 * after the iteration moved on). What the iteration throws fails the operation when `isFailure`
 * accepts it (e.g. `Rewriter.isRewriteError`), and is a defect otherwise (or always, without
 * `isFailure`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const chunks = <E = never>(chunks: Iterable<Uint8Array>, isFailure?: (thrown: unknown) => thrown is E): Chunks<E> => ({
  _tag: "Chunks",
  chunks,
  isFailure: isFailure ?? ((_: unknown): _ is E => false)
})

/** @since 0.1.0 @category models */
export interface CreateFileOptions {
  /** set after the write */
  readonly mtime?: Date | undefined
  /** permission bits (default `0o666` less the umask) */
  readonly mode?: number | undefined
}

/**
 * One file of {@link Transaction.createFiles}.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileToCreate<E = never, R = never> {
  /** absolute; must not exist */
  readonly path: string
  /**
   * Run when its turn comes, after the previous file's content ended (a stream may depend on
   * what earlier ones did). Its chunks are written after the stream moved on: it must not reuse
   * a chunk's memory (no node stream does).
   */
  readonly content: Content<E, R>
  /** set on the file (before the rename) */
  readonly mtime?: Date | undefined
  /** permission bits (default `0o666` less the umask) */
  readonly mode?: number | undefined
}

/** @since 0.1.0 @category models */
export interface CreateFilesOptions<E = never, R = never> {
  /**
   * Runs as each file's content has ended (its size and sha256 known, its bytes on their way to
   * its temp file; nothing in place yet), in order, before the next file's content is run: for
   * what the producer of one file reports and the next needs, or progress.
   */
  readonly onWritten?: ((written: Written, index: number) => Effect.Effect<void, E, R>) | undefined
}

/** @since 0.1.0 @category models */
export interface AppendFile<E = never, R = never> {
  readonly path: string
  readonly content: Content<E, R>
  /** the target's size when the caller read it: the append is made only onto exactly that */
  readonly expectSize?: number | undefined
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
  /**
   * Creates files that must not exist (and the missing folders above them) as one operation,
   * whatever their number: three journal records in all (`intent` with every path, `staged` with
   * every size and sha256, `done`), each file streamed to a temp file next to it and hashed,
   * every temp fsynced, then renamed into place, each folder fsynced once. Contents run one
   * after the other, in order. Answers what was written, in order. The whole batch is refused,
   * taking no step, when a path is given twice, exists, or is outside the roots.
   */
  readonly createFiles: <E = never, R = never>(
    files: Iterable<FileToCreate<E, R>>,
    options?: CreateFilesOptions<E, R>
  ) => Effect.Effect<ReadonlyArray<Written>, E | JournalError, R>
  /** Replaces an existing regular file, after copying it into the transaction's backups. */
  readonly replaceFile: <E = never, R = never>(
    path: string,
    content: Content<E, R>,
    options?: ReplaceFileOptions
  ) => Effect.Effect<Written, E | JournalError, R>
  /**
   * Appends UTF-8 text (creating the file and its folders when missing), fsynced. Meant for index
   * lines: the text is kept in the record.
   */
  readonly appendText: (path: string, text: string) => Effect.Effect<Written, JournalError>
  /**
   * `appendText` to several files (each at most once) as one step of the record: two journal
   * writes however many files. Answers what was appended to each, in order.
   */
  /**
   * Appends content of any size (a stream, chunks, bytes) to several files (each at most once) as
   * one step of the record: each content is staged in the transaction's folder first (hashed,
   * fsynced), then copied onto its target's end. The record keeps sizes and hashes, not the bytes.
   *
   * An append that depends on what the target held when the caller read it gives `expectSize`:
   * the target must still be that long, and hold the same bytes (the SHA-256 of those bytes, taken
   * before the content is staged, is checked again through the handle that appends, right before
   * the write); else it fails `changed_under` and nothing is appended to it (Codex appending to a
   * rollout while a sync works on it).
   */
  readonly appendFiles: <E = never, R = never>(
    items: ReadonlyArray<AppendFile<E, R>>
  ) => Effect.Effect<ReadonlyArray<Written>, E | JournalError, R>
  readonly appendTexts: (
    items: ReadonlyArray<{ readonly path: string; readonly text: string }>
  ) => Effect.Effect<ReadonlyArray<Written>, JournalError>
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
  /**
   * Removes existing regular files as one operation: each is recorded (size, SHA-256, mode,
   * mtime), then moved whole into the transaction's `backups/` (the file is kept until the
   * transaction's folder is removed), the folders made durable, and the folders the files left
   * empty removed (never a root's top folders). Rollback moves each file back (recreating its
   * folders) where nothing is in its place. Refused, taking no step, when a path is given twice,
   * is missing, is not a regular file, or is outside the roots.
   */
  readonly removeFiles: (paths: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Written>, JournalError>
  /**
   * Replaces the summary given at `begin` (durably; not an operation, nothing to undo): for a
   * transaction whose plan is known only as it goes (a pull plans each package after the
   * previous one's writes).
   */
  readonly setSummary: (summary: unknown) => Effect.Effect<void, JournalError>
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
 * What a rollback found on disk for one operation:
 * - `after`: as the transaction left it: undone.
 * - `partial`: an append cut short by a crash: truncated.
 * - `before`: as it was before (it never happened, or was already undone): nothing to undo.
 * - `changed`: changed since: refused, or undone anyway when forced.
 * - `chained`: a later operation of the transaction touched the same file; checked when that one is undone.
 *
 * @since 0.1.0
 * @category models
 */
export type UndoState = "after" | "partial" | "before" | "changed" | "chained"

/**
 * One operation as a rollback saw it (or, for a dry run, would undo it).
 *
 * @since 0.1.0
 * @category models
 */
export interface UndoStep {
  readonly seq: number
  readonly kind: OperationKind
  /**
   * the file, or the database; for `create_files`, the first file that changed since when one
   * did, else the deepest folder holding the whole batch
   */
  readonly target: string
  readonly state: UndoState
  /** what is (or would be) done, one line */
  readonly action: string
  /** what changed since, for `changed` */
  readonly detail?: string
}

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
  /** transactions skipped because their record is damaged, newest first; present when there are some */
  readonly damaged?: ReadonlyArray<DamagedTransaction>
}

/**
 * A transaction whose `transaction.json` cannot be used (not JSON, not a record, or naming paths
 * a record cannot name). Listed, skipped by recovery, refused by rollback: never guessed at.
 *
 * @since 0.1.0
 * @category models
 */
export interface DamagedTransaction {
  readonly id: string
  /** ms since the epoch, from the id */
  readonly createdAt: number
  readonly status: "damaged"
  /** the record */
  readonly path: string
  /** what is wrong, what the transaction may have left, and what to do: one line */
  readonly message: string
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
  /**
   * `begin`, `body`, `commit`; a failing `body` rolls back everything it did before the failure
   * goes on, and `Aborted.current` says whether that rollback finished.
   */
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
   * rollbacks; skips (and reports) those whose record is damaged. Idempotent; every command
   * runs it first. Refused (`changed_since`) when a file changed since, unless `force`.
   */
  readonly recover: (options?: { readonly force?: boolean | undefined }) => Effect.Effect<RecoverReport, JournalError>
  /** Transactions, newest first; those whose record is damaged as such. */
  readonly list: Effect.Effect<ReadonlyArray<TransactionInfo | DamagedTransaction>, JournalError>
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

const emptyCounts = (): Record<OperationKind, number> => ({
  create_file: 0,
  create_files: 0,
  replace_file: 0,
  append_text: 0,
  sql: 0,
  remove_files: 0
})

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

  /** `confine` for many paths: each distinct folder is resolved once */
  const confineAll = (paths: ReadonlyArray<string>): Effect.Effect<Array<string>, JournalError> =>
    io(dir, "cannot resolve", async () => {
      const journal = await realpathOfNearest(dir)
      const realRoots = await Promise.all(roots.map((root) => realpathOfNearest(root)))
      const folders = new Map<string, Promise<string>>()
      const realFolder = (folder: string) => {
        let real = folders.get(folder)
        if (real === undefined) folders.set(folder, real = realpathOfNearest(folder))
        return real
      }
      const out: Array<string> = []
      for (const path of paths) {
        if (!Path.isAbsolute(path)) {
          throw new JournalError({ reason: "invalid", path, detail: "the journal takes absolute paths only" })
        }
        const absolute = Path.resolve(path)
        // the target itself must not exist (a symlink there is refused as existing)
        const real = Path.join(await realFolder(Path.dirname(absolute)), Path.basename(absolute))
        if (within(real, journal)) {
          throw new JournalError({ reason: "invalid", path: absolute, detail: "is inside the journal folder" })
        }
        if (!realRoots.some((root) => within(real, root) && real !== root)) {
          throw new JournalError({ reason: "outside_roots", path: absolute, detail: roots.join(", ") })
        }
        out.push(absolute)
      }
      return out
    })

  const loadHolder = (id: string) =>
    Effect.gen(function*() {
      const record = yield* readRecord(dir, id)
      if (record === undefined) return yield* new JournalError({ reason: "not_found", path: dir, transaction: id })
      return { dir: Path.join(dir, id), record } as Holder
    })

  /** a record a rollback acts on names absolute paths outside the journal, and backups inside it */
  const checkRecord = (holder: Holder) => {
    const problem = (() => {
      const paths = holder.record.operations.flatMap((op) =>
        op.kind === "sql"
          ? [op.db]
          : op.kind === "create_files"
          ? [...op.files.map((file) => file.path), ...op.created_dirs]
          : op.kind === "remove_files"
          ? op.files.map((file) => file.path)
          : [op.path, ...("created_dirs" in op ? op.created_dirs : [])]
      )
      const bad = paths.find((path) => !Path.isAbsolute(path) || Path.resolve(path) !== path || within(path, dir))
      if (bad !== undefined) return `it names ${bad}`
      const backup = [
        ...holder.record.backups,
        ...holder.record.operations.flatMap((op) => op.kind === "remove_files" ? op.files.map((file) => ({ file: file.backup })) : [])
      ].find((backup) => !/^backups\/[^/\\]+$/.test(backup.file) || backup.file.includes(".."))
      return backup === undefined ? undefined : `it names the backup ${backup.file}`
    })()
    return problem === undefined
      ? Effect.void
      : Effect.fail(damagedRecord(dir, holder.record.id, problem, lastStateOfRecord(holder.record)))
  }

  /** a record, none (its folder died being created), or the refusal to use a damaged one */
  const readOrDamaged = (id: string) =>
    readRecord(dir, id).pipe(Effect.catchIf((error) => error.reason === "bad_journal", Effect.succeed))

  const damagedInfo = (error: JournalError): DamagedTransaction => ({
    id: error.transaction!,
    createdAt: idTime(error.transaction!),
    status: "damaged",
    path: error.path,
    message: error.message
  })

  const report = (holder: Holder, findings: ReadonlyArray<UndoStep>, status: Status, dryRun: boolean): RollbackReport => ({
    id: holder.record.id,
    kind: holder.record.kind,
    dryRun,
    status,
    steps: findings
  })

  /**
   * under the lock: rolls back abandoned transactions (newest first), tidies finished ones, and
   * skips damaged ones (the home cannot be told from them; a person decides)
   */
  const recoverPending = (force: boolean, exclude?: string) =>
    Effect.gen(function*() {
      const recovered: Array<RollbackReport> = []
      const damaged: Array<DamagedTransaction> = []
      for (const id of (yield* listIds(dir)).reverse()) {
        if (id === exclude) continue
        // most transactions are completed: nothing to recover, no decode needed
        if (yield* isCompleted(dir, id)) continue
        const record = yield* readOrDamaged(id)
        if (record instanceof JournalError) {
          damaged.push(damagedInfo(record))
          continue
        }
        const txDir = Path.join(dir, id)
        if (record === undefined) {
          // died before its first record: it changed nothing
          yield* io(txDir, "cannot remove", () => fs.rm(txDir, { recursive: true, force: true }))
          continue
        }
        const holder: Holder = { dir: txDir, record }
        if (!isPending(holder)) {
          if (record.status === "rolled_back" || record.status === "failed") {
            yield* Effect.promise(() =>
              fs.rm(Path.join(txDir, BACKUPS), { recursive: true, force: true }).catch(() => undefined)
            )
          }
          continue
        }
        const unusable = yield* Effect.match(checkRecord(holder), { onFailure: (error) => error, onSuccess: () => undefined })
        if (unusable !== undefined) {
          damaged.push(damagedInfo(unusable))
          continue
        }
        if (record.status === "prepared" && record.error === undefined) {
          holder.record = { ...record, error: `process ${record.pid} stopped before the transaction completed` }
        }
        const result = yield* undo(holder, { cause: "recover", busyTimeoutMs, force, dryRun: false }).pipe(
          Effect.tapError((error) => recordRollbackError(holder, error, "recover", force))
        )
        // journal writes killed before their rename
        yield* Effect.promise(() =>
          tempsOf(Path.join(txDir, RECORD))
            .then((temps) => Promise.all(temps.map((temp) => fs.rm(temp, { force: true }))))
            .catch(() => undefined)
        )
        recovered.push(report(holder, result.findings, result.status, false))
      }
      return { recovered, damaged }
    })

  const withLock = <A, E, R>(
    purpose: string,
    transaction: string | null,
    use: (lock: Lock.Lock) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | JournalError, R> =>
    Effect.acquireUseRelease(
      Lock.acquire(dir, purpose, transaction, codexHome),
      use,
      (lock) => lock.release.pipe(Effect.catchAll((error) => Effect.logWarning(error.message)))
    )

  /**
   * an id, a unique prefix of one, or `latest`: the newest transaction that did not fail (to roll
   * back: nor was rolled back already, so that after a rollback the next one takes the one before)
   */
  const resolveId = (id: string, purpose: "rollback" | "read" = "read") =>
    Effect.gen(function*() {
      const ids = yield* listIds(dir)
      if (id === "latest") {
        for (const candidate of [...ids].reverse()) {
          const record = yield* readRecord(dir, candidate)
          if (record === undefined || record.status === "failed") continue
          if (purpose === "rollback" && record.status === "rolled_back") continue
          return candidate
        }
        return yield* new JournalError({ reason: "not_found", path: dir })
      }
      if (isId(id) && ids.includes(id)) return id
      const matches = id.length > 0 ? ids.filter((candidate) => candidate.startsWith(id.toLowerCase())) : []
      if (matches.length === 1) return matches[0]!
      return yield* new JournalError({
        reason: matches.length > 1 ? "invalid" : "not_found",
        path: dir,
        transaction: id,
        ...(matches.length > 1 ? { detail: ambiguous(id, matches) } : {})
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
        // files only: a database is shared by every transaction, its refusals name the row
        for (const op of record.operations) {
          if (op.kind === "create_files" || op.kind === "remove_files") for (const file of op.files) later.set(file.path, candidate)
          else if (op.kind !== "sql") later.set(op.path, candidate)
        }
      }
      return (target: string) => later.get(target)
    })

  // -------------------------------------------------------------------------------------------

  /** an open transaction; its scope's close rolls it back unless committed, noting the outcome */
  const open = (
    options: BeginOptions,
    onAbort: (aborted: AbortedNote.Aborted | undefined) => void
  ): Effect.Effect<Transaction, JournalError, Scope.Scope> =>
    Effect.zipRight(
      Effect.try({
        try: () => JSON.stringify(options.summary ?? null),
        catch: (error) =>
          new JournalError({ reason: "invalid", path: dir, detail: `the summary is not JSON: ${errorText(error)}` })
      }),
      Effect.map(
      Effect.acquireRelease(
        Effect.gen(function*() {
          let id = newId((yield* listIds(dir)).at(-1))
          const lock = yield* Lock.acquire(dir, "transaction", id, codexHome)
          return yield* Effect.gen(function*() {
            // under the lock: no other transaction can appear now
            const last = (yield* listIds(dir)).at(-1)
            if (last !== undefined && id <= last) {
              id = newId(last)
              yield* lock.retarget(id)
            }
            // damaged records are skipped: the caller's recovery reported them
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
            return openTransaction({ holder, lock, confine, confineAll, busyTimeoutMs, roots })
          }).pipe(Effect.onError(() => lock.release.pipe(Effect.ignore)))
        }),
        (open, exit) => Effect.map(open.close(exit), onAbort)
      ),
      (open) => open.transaction
    )).pipe(Effect.withSpan("Journal.begin"))

  const begin = (options: BeginOptions) => open(options, () => {})

  const transaction = <A, E, R>(
    options: BeginOptions,
    body: (transaction: Transaction) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | JournalError, R> =>
    Effect.suspend(() => {
      let aborted: AbortedNote.Aborted | undefined
      return Effect.zipRight(
        FiberRef.set(AbortedNote.current, Option.none()),
        Effect.scoped(
          Effect.flatMap(open(options, (outcome) => (aborted = outcome)), (tx) => Effect.tap(body(tx), () => tx.commit))
        ).pipe(Effect.onError(() => FiberRef.set(AbortedNote.current, Option.fromNullable(aborted))))
      )
    })

  const rollback = Effect.fn("Journal.rollback")(function*(id: string, options?: RollbackOptions) {
    const force = options?.force === true
    if ((yield* listIds(dir)).length === 0) {
      return yield* new JournalError({ reason: "not_found", path: dir, ...(id === "latest" ? {} : { transaction: id }) })
    }
    if (options?.dryRun === true) {
      const holder = yield* loadHolder(yield* resolveId(id, "rollback"))
      yield* refuseFinished(holder)
      yield* checkRecord(holder)
      const blame = yield* blameFor(holder.record.id)
      const result = yield* undo(holder, { cause: "rollback", busyTimeoutMs, force, dryRun: true, blame })
      return report(holder, result.findings, result.status, true)
    }
    return yield* withLock("rollback", id === "latest" ? null : id, (lock) =>
      Effect.gen(function*() {
        const resolved = yield* resolveId(id, "rollback")
        if (lock.info.transaction !== resolved) yield* lock.retarget(resolved)
        const { damaged } = yield* recoverPending(false, resolved)
        for (const tx of damaged) yield* Effect.logWarning(tx.message)
        const holder = yield* loadHolder(resolved)
        yield* refuseFinished(holder)
        yield* checkRecord(holder)
        const blame = yield* blameFor(resolved)
        const result = yield* undo(holder, { cause: "rollback", busyTimeoutMs, force, dryRun: false, blame }).pipe(
          Effect.tapError((error) => recordRollbackError(holder, error, "rollback", force))
        )
        return report(holder, result.findings, result.status, false)
      }))
  })

  const recover = Effect.fn("Journal.recover")(function*(options?: { readonly force?: boolean | undefined }) {
    // no journal: nothing to recover, and no folder to create in a home we may never touch
    if ((yield* io(dir, "cannot inspect", () => lstatOrUndefined(dir))) === undefined) return { recovered: [] }
    const { damaged, recovered } = yield* withLock("recover", null, () => recoverPending(options?.force === true)).pipe(
      // a home that cannot be written (a read-only copy or volume): nothing there can be rolled
      // back, nor changed by anyone; a command that only reads goes on unless something is pending
      Effect.catchIf((error) => error instanceof JournalError && error.reason === "read_only", (error) =>
        Effect.flatMap(anyPending, (pending) => pending ? Effect.fail(error) : Effect.succeed({ recovered: [], damaged: [] })))
    )
    return (damaged.length === 0 ? { recovered } : { recovered, damaged }) satisfies RecoverReport
  })

  /** whether a transaction is left unfinished (read without the lock) */
  const anyPending = Effect.gen(function*() {
    for (const id of yield* listIds(dir)) {
      if (yield* isCompleted(dir, id)) continue
      const record = yield* readOrDamaged(id)
      if (record !== undefined && !(record instanceof JournalError) && isPending({ dir: Path.join(dir, id), record })) return true
    }
    return false
  })

  const list = Effect.gen(function*() {
    const out: Array<TransactionInfo | DamagedTransaction> = []
    for (const id of (yield* listIds(dir)).reverse()) {
      const record = yield* readOrDamaged(id)
      if (record === undefined) continue
      if (record instanceof JournalError) {
        out.push(damagedInfo(record))
        continue
      }
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
    return out as ReadonlyArray<TransactionInfo | DamagedTransaction>
  }).pipe(Effect.withSpan("Journal.list"))

  const get = Effect.fn("Journal.get")(function*(id: string) {
    return (yield* loadHolder(yield* resolveId(id))).record
  })

  return { codexHome, dir, begin, transaction, rollback, recover, list, get }
}

/** An ambiguous prefix, with the transactions it matches (the newest few). */
const ambiguous = (prefix: string, matches: ReadonlyArray<string>): string => {
  const shown = [...matches].reverse().slice(0, SHOWN_CANDIDATES)
  return `${prefix} matches ${matches.length} transactions: ${shown.join(", ")}${matches.length > shown.length ? ", …" : ""}; give more of the id`
}

const SHOWN_CANDIDATES = 5

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: JournalOptions): Layer.Layer<Journal> => Layer.sync(Journal, () => make(options))
