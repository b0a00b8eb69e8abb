/**
 * Row changes the journal can undo exactly: inserts (undone by deleting by key), updates of
 * one row (undone by writing the old values back) and deletes (undone by inserting the complete
 * old rows). Only the columns given are written; the caller knows the target schema.
 *
 * Values bind as SQLite does with better-sqlite3, except that a JS number that is a safe integer
 * binds as INTEGER (as Codex's own writes do) and any other number as REAL; `bigint` binds as
 * INTEGER, `Uint8Array` as BLOB.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category models */
export type SqlValue = null | string | number | bigint | Uint8Array

/** Column name → value. @since 0.1.0 @category models */
export type Row = Readonly<Record<string, SqlValue>>

/** @since 0.1.0 @category models */
export interface Insert {
  readonly _tag: "Insert"
  readonly table: string
  readonly rows: ReadonlyArray<Row>
  /** the columns that identify a row (usually the primary key); every row gives them */
  readonly keyColumns: ReadonlyArray<string>
  /**
   * record each row by its key and digest instead of whole (the default): the record would
   * otherwise hold a second copy of every row written (a 10,000-session sync: 29 MB), and
   * rollback, which deletes by key, only needs to tell an unchanged row from a changed one.
   * `false` records whole rows.
   */
  readonly digest?: boolean | undefined
}

/** @since 0.1.0 @category models */
export interface Update {
  readonly _tag: "Update"
  readonly table: string
  /** must match exactly one row; its columns may not be changed by `values` */
  readonly key: Row
  readonly values: Row
}

/** @since 0.1.0 @category models */
export interface Delete {
  readonly _tag: "Delete"
  readonly table: string
  /** every row matching one of these keys is deleted (a key may match several rows) */
  readonly keys: ReadonlyArray<Row>
}

/** @since 0.1.0 @category models */
export type SqlChange = Insert | Update | Delete

/**
 * Inserts `rows`; each must be new (no row with its key), else the step fails `target_exists`.
 * The transaction records each row by key and SHA-256 unless `digest: false`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const insertRows = (
  table: string,
  rows: ReadonlyArray<Row>,
  keyColumns: ReadonlyArray<string>,
  options: { readonly digest?: boolean } = {}
): Insert => ({
  _tag: "Insert",
  table,
  rows,
  keyColumns,
  digest: options.digest !== false
})

/**
 * Sets `values` on the one row matching `key` (`target_missing` when none, `invalid` when several).
 *
 * @since 0.1.0
 * @category constructors
 */
export const updateRows = (table: string, key: Row, values: Row): Update => ({ _tag: "Update", table, key, values })

/**
 * Deletes every row matching each key, recording the complete rows first.
 *
 * @since 0.1.0
 * @category constructors
 */
export const deleteRows = (table: string, keys: ReadonlyArray<Row>): Delete => ({ _tag: "Delete", table, keys })
