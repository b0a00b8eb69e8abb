/**
 * An OpenCode data folder as the CLI tests compare it ("exactly as before": every table's rows,
 * every other file byte for byte), and fresh copies of a data folder kept as a template, the
 * targets of the crash suites among them.
 *
 * @since 0.1.0
 */
import { openDatabase, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { fileState, rowidName } from "@sessionport/codex-oracle/HomeState"
import * as fs from "node:fs"
import * as path from "node:path"

/**
 * A logical dump of a database: each table's schema and its rows (with the rowid), in rowid
 * order. The file bytes of a database may differ after an insert and its undo; its rows may not.
 *
 * @since 0.1.0
 */
export const dbDump = (file: string): Record<string, ReadonlyArray<string>> => {
  const db = openDatabase(file, { readonly: true })
  try {
    const out: Record<string, ReadonlyArray<string>> = {}
    const objects = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all() as Array<
      { type: string; name: string; sql: string | null }
    >
    out["(schema)"] = objects.map((o) => JSON.stringify(o))
    for (const { name } of objects.filter((o) => o.type === "table")) {
      const rowid = name.startsWith("sqlite_") ? undefined : rowidName(db, name)
      const select = rowid === undefined
        ? `SELECT * FROM "${name}"`
        : `SELECT ${rowid} AS "(rowid)", * FROM "${name}" ORDER BY ${rowid}`
      const rows = db.prepare(select).all().map((row) => JSON.stringify(row, (_, v) => typeof v === "bigint" ? String(v) : v))
      out[name] = rowid === undefined ? rows.sort() : rows
    }
    return out
  } finally {
    db.close()
  }
}

/**
 * What an OpenCode data folder holds, for "exactly as before": its database as a logical dump,
 * and every other file byte for byte with its mtime. Left out: sessionport's own folder (the
 * journal keeps its records there) and SQLite's `-wal`/`-shm`, whose bytes follow no change of
 * rows (a `-journal` left behind is a difference).
 *
 * @since 0.1.0
 */
export const dataState = (dataDir: string) => {
  const files = fileState(dataDir, { skip: ["sessionport", "opencode.db", "opencode.db-wal", "opencode.db-shm"] })
  return { db: dbDump(path.join(dataDir, "opencode.db")), files }
}

/**
 * A copy of a data folder (mtimes kept): `<root>/opencode`, in a temp folder of its own.
 *
 * @since 0.1.0
 */
export const copyTemplate = (template: string): { readonly root: string; readonly dataDir: string } => {
  const root = tempDir("opencode-b")
  const dataDir = path.join(root, "opencode")
  fs.cpSync(template, dataDir, { recursive: true, preserveTimestamps: true })
  return { root, dataDir }
}

/**
 * The target of one run of a crash suite (`@sessionport/codex-oracle/CrashLoop`): a copy of
 * `template`, named by `--opencode-data`, its commands run with HOME `home`, removed after the run.
 *
 * @since 0.1.0
 */
export const crashTarget = (template: string, home: string) => {
  const { dataDir, root } = copyTemplate(template)
  return {
    dataDir,
    options: ["--opencode-data", dataDir],
    env: { HOME: home },
    dispose: () => fs.rmSync(root, { recursive: true, force: true })
  }
}
