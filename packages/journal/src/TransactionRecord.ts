/**
 * The format of `<codexHome>/sessionport/journal/<id>/transaction.json`, the durable record of
 * one transaction. It is rewritten atomically at every durable step, so it always says what was
 * about to happen (the intent, written before a change) and what did (the outcome, after).
 *
 * - `status`: `prepared` (open, or abandoned by a dead process) → `completed` (committed) →
 *   `rolled_back` (undone on request); a transaction that never completed and whose changes were
 *   undone (in-process abort or `recover`) ends `failed`.
 * - `operations[].state`: `intent` (recorded, the change may not have happened) → `staged` (files:
 *   the new content is complete in a temp file and its size and sha256 are known, the rename may
 *   not have happened; for `create_files`, every file of the batch) → `done`. `undone: true` once a
 *   rollback undid it.
 * - `rollback`: present once a rollback started; `finished_at` once it ended.
 * - SQL values keep their SQLite type: `null`, a string (TEXT), a JSON number (INTEGER within
 *   ±2^53), `{"$int": "…"}` (larger INTEGER), `{"$real": "…"}` (REAL), `{"$blob": "<base64>"}`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** @since 0.1.0 @category constants */
export const FORMAT = 1

/** @since 0.1.0 @category models */
export const Status = Schema.Literal("prepared", "completed", "rolled_back", "failed")
/** @since 0.1.0 @category models */
export type Status = typeof Status.Type

/** @since 0.1.0 @category models */
export const OperationState = Schema.Literal("intent", "staged", "done")
/** @since 0.1.0 @category models */
export type OperationState = typeof OperationState.Type

/**
 * One SQLite value, typed (see the module notes).
 *
 * @since 0.1.0
 * @category models
 */
export const StoredValue = Schema.Union(
  Schema.Null,
  Schema.String,
  Schema.Number,
  Schema.Struct({ $int: Schema.String }),
  Schema.Struct({ $real: Schema.String }),
  Schema.Struct({ $blob: Schema.String })
)
/** @since 0.1.0 @category models */
export type StoredValue = typeof StoredValue.Type

/** Column name → value. @since 0.1.0 @category models */
export const StoredRow = Schema.Record({ key: Schema.String, value: StoredValue })
/** @since 0.1.0 @category models */
export type StoredRow = typeof StoredRow.Type

const common = {
  /** 1-based position in the transaction */
  seq: Schema.Number,
  state: OperationState,
  undone: Schema.optional(Schema.Boolean),
  /** what undoes it, for people reading the record */
  undo: Schema.String
}

/**
 * A file that did not exist. Undo: delete it if it still has `sha256`, then remove
 * `created_dirs` (deepest first) that are empty.
 *
 * @since 0.1.0
 * @category models
 */
export const CreateFileOp = Schema.Struct({
  kind: Schema.Literal("create_file"),
  path: Schema.String,
  /** folders that did not exist and were created for it, shallowest first */
  created_dirs: Schema.Array(Schema.String),
  size: Schema.optional(Schema.Number),
  sha256: Schema.optional(Schema.String),
  mtime_ms: Schema.optional(Schema.Number),
  ...common
})
/** @since 0.1.0 @category models */
export type CreateFileOp = typeof CreateFileOp.Type

/**
 * One file of a {@link CreateFilesOp}: `size` and `sha256` once the batch is `staged`.
 *
 * @since 0.1.0
 * @category models
 */
export const BatchFile = Schema.Struct({
  path: Schema.String,
  size: Schema.optional(Schema.Number),
  sha256: Schema.optional(Schema.String),
  /** the modification time set on it, when one was asked */
  mtime_ms: Schema.optional(Schema.Number)
})
/** @since 0.1.0 @category models */
export type BatchFile = typeof BatchFile.Type

/**
 * Files that did not exist, created as one operation with three records whatever their number:
 * `intent` (every path, and the folders to create), `staged` (every file's size and sha256, its
 * content complete and fsynced in its temp file; the renames come after) and `done` (every file
 * renamed into place, its folder fsynced).
 *
 * Each file is written first to `<folder>/.<name>.sessionport-<transaction id>-<seq>.tmp` (see
 * {@link batchTempPath}). Undo: delete every file that still has its `sha256` (all of them are
 * checked first: all or nothing); before `staged`, no file was renamed yet, so none is touched;
 * then delete the temp files left behind, and remove `created_dirs` (deepest first) that are
 * empty.
 *
 * @since 0.1.0
 * @category models
 */
export const CreateFilesOp = Schema.Struct({
  kind: Schema.Literal("create_files"),
  /** the batch, in the order written */
  files: Schema.Array(BatchFile),
  /** folders that did not exist and were created for the batch, shallowest first */
  created_dirs: Schema.Array(Schema.String),
  ...common
})
/** @since 0.1.0 @category models */
export type CreateFilesOp = typeof CreateFilesOp.Type

/**
 * The temp file a {@link CreateFilesOp} writes a file of the batch to, next to it.
 *
 * @since 0.1.0
 * @category utils
 */
export const batchTempPath = (path: string, transaction: string, seq: number): string => {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.sessionport-${transaction}-${seq}.tmp`
}

/**
 * An existing file replaced. Undo: copy `backup` back if the file still has `sha256`.
 *
 * @since 0.1.0
 * @category models
 */
export const ReplaceFileOp = Schema.Struct({
  kind: Schema.Literal("replace_file"),
  path: Schema.String,
  /** the copy of the old file, relative to the transaction folder (an entry of `backups`) */
  backup: Schema.String,
  size: Schema.optional(Schema.Number),
  sha256: Schema.optional(Schema.String),
  mtime_ms: Schema.optional(Schema.Number),
  ...common
})
/** @since 0.1.0 @category models */
export type ReplaceFileOp = typeof ReplaceFileOp.Type

/**
 * Text appended. Undo: truncate to `old_size` (and restore `old_mtime_ms`), or delete the file
 * (and `created_dirs`) when it did not exist, if the tail is still exactly `text`.
 *
 * @since 0.1.0
 * @category models
 */
export const AppendTextOp = Schema.Struct({
  kind: Schema.Literal("append_text"),
  path: Schema.String,
  existed: Schema.Boolean,
  old_size: Schema.Number,
  old_mtime_ms: Schema.optional(Schema.Number),
  created_dirs: Schema.Array(Schema.String),
  /** the appended text itself: a partial append is recognised by its bytes */
  text: Schema.optional(Schema.String),
  /**
   * or, for content too large to keep in the record (`appendFiles`), the file in the
   * transaction's folder that holds the appended bytes (written and fsynced before the intent)
   */
  staged: Schema.optional(Schema.String),
  /** UTF-8 bytes appended */
  size: Schema.Number,
  sha256: Schema.String,
  ...common
})
/** @since 0.1.0 @category models */
export type AppendTextOp = typeof AppendTextOp.Type

/**
 * `true` on a change the database made by itself (a trigger, a foreign-key action) while the
 * journal made the asked change recorded before it; undone the same way.
 */
const side_effect = Schema.optional(Schema.Boolean)

/**
 * Rows inserted; `row` is each complete row as stored (every column, after defaults and
 * triggers, read back before the commit), or, when the insert asked for it (`SqlChange.Insert`
 * `digest`), its `digest` (SHA-256 of the row's canonical JSON): undo only needs to tell whether
 * the row is still the one inserted, and rows that are content (a session's messages) would
 * otherwise be kept twice. Undo: delete by key.
 *
 * @since 0.1.0
 * @category models
 */
export const InsertChange = Schema.Struct({
  kind: Schema.Literal("insert"),
  table: Schema.String,
  key_columns: Schema.Array(Schema.String),
  rows: Schema.Array(Schema.Struct({ key: StoredRow, row: Schema.optional(StoredRow), digest: Schema.optional(Schema.String) })),
  side_effect
})

/**
 * One row updated: `columns` were written; `old` and `new` are the complete row before and
 * after (triggers included). Undo: write back every column that differs from `old`.
 *
 * @since 0.1.0
 * @category models
 */
export const UpdateChange = Schema.Struct({
  kind: Schema.Literal("update"),
  table: Schema.String,
  key: StoredRow,
  columns: Schema.Array(Schema.String),
  old: StoredRow,
  new: StoredRow,
  side_effect
})

/**
 * The rows matching `key` deleted; `rows` are complete (every column). Undo: insert them again,
 * each with its rowid from `rowids` (when the table has rowids), unless another row has taken it
 * since. An older record has no `rowids`: its rows get new rowids.
 *
 * @since 0.1.0
 * @category models
 */
export const DeleteChange = Schema.Struct({
  kind: Schema.Literal("delete"),
  table: Schema.String,
  key: StoredRow,
  rows: Schema.Array(StoredRow),
  /** the rowid of each of `rows`, in order */
  rowids: Schema.optional(Schema.Array(StoredValue)),
  side_effect
})

/** @since 0.1.0 @category models */
export const RecordedChange = Schema.Union(InsertChange, UpdateChange, DeleteChange)
/** @since 0.1.0 @category models */
export type RecordedChange = typeof RecordedChange.Type

/**
 * Row changes committed in one SQLite transaction. The intent is written with the write lock
 * held and the changes made but not committed, so it holds the exact old and new values.
 *
 * @since 0.1.0
 * @category models
 */
export const SqlOp = Schema.Struct({
  kind: Schema.Literal("sql"),
  db: Schema.String,
  changes: Schema.Array(RecordedChange),
  ...common
})
/** @since 0.1.0 @category models */
export type SqlOp = typeof SqlOp.Type

/**
 * Existing files removed: each moved into the transaction's folder (`backup`, relative to it)
 * whole, its size, SHA-256, mode and mtime recorded first. Folders the removal left empty are
 * removed too (each is an ancestor of a removed file: putting the files back recreates them).
 * Undo: move each backup back where its file was, if nothing is there now.
 *
 * @since 0.3.0
 * @category models
 */
export const RemoveFilesOp = Schema.Struct({
  kind: Schema.Literal("remove_files"),
  files: Schema.Array(Schema.Struct({
    path: Schema.String,
    backup: Schema.String,
    size: Schema.Number,
    sha256: Schema.String,
    mode: Schema.Number,
    mtime_ms: Schema.Number
  })),
  ...common
})
/** @since 0.3.0 @category models */
export type RemoveFilesOp = typeof RemoveFilesOp.Type

/** @since 0.1.0 @category models */
export const Operation = Schema.Union(CreateFileOp, CreateFilesOp, ReplaceFileOp, AppendTextOp, SqlOp, RemoveFilesOp)
/** @since 0.1.0 @category models */
export type Operation = typeof Operation.Type

/** @since 0.1.0 @category models */
export type OperationKind = Operation["kind"]

/**
 * A copy of a file taken before the transaction replaced it.
 *
 * @since 0.1.0
 * @category models
 */
export const Backup = Schema.Struct({
  /** relative to the transaction folder: `backups/<seq>-<name>` */
  file: Schema.String,
  /** the file it is a copy of */
  of: Schema.String,
  size: Schema.Number,
  sha256: Schema.String,
  mode: Schema.Number,
  mtime_ms: Schema.Number
})
/** @since 0.1.0 @category models */
export type Backup = typeof Backup.Type

/** @since 0.1.0 @category models */
export const RollbackCause = Schema.Literal("rollback", "recover", "abort")
/** @since 0.1.0 @category models */
export type RollbackCause = typeof RollbackCause.Type

/** @since 0.1.0 @category models */
export const RollbackProgress = Schema.Struct({
  /** `rollback` asked by a user; `recover` of a dead process's transaction; `abort` of a failed one */
  cause: RollbackCause,
  force: Schema.Boolean,
  started_at: Schema.Number,
  finished_at: Schema.optional(Schema.Number),
  /** why the last attempt stopped, when it did */
  error: Schema.optional(Schema.String)
})
/** @since 0.1.0 @category models */
export type RollbackProgress = typeof RollbackProgress.Type

/**
 * @since 0.1.0
 * @category models
 */
export const TransactionRecord = Schema.Struct({
  format: Schema.Literal(FORMAT),
  /** UUIDv7: ids order transactions by creation, to the millisecond and within it */
  id: Schema.String,
  /** ms since the epoch */
  created_at: Schema.Number,
  kind: Schema.String,
  /** the caller's plan summary, any JSON */
  summary: Schema.Unknown,
  status: Status,
  /** the process that ran it */
  pid: Schema.Number,
  hostname: Schema.String,
  codex_home: Schema.String,
  completed_at: Schema.optional(Schema.Number),
  /** why the transaction failed (a one-line error), when it did */
  error: Schema.optional(Schema.String),
  backups: Schema.Array(Backup),
  operations: Schema.Array(Operation),
  rollback: Schema.optional(RollbackProgress)
})
/** @since 0.1.0 @category models */
export type TransactionRecord = typeof TransactionRecord.Type
