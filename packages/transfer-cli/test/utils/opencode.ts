/**
 * OpenCode data folders for the CLI tests: "the same as before" (every table's rows, and every
 * other file byte for byte), packages edited by hand (re-sealed), and a stand-in for a running
 * OpenCode (a process holding `opencode.db` open).
 */
import { openDatabase } from "@sessionport/codex-oracle/Fixtures"
import { fileState, rowidName } from "@sessionport/codex-oracle/HomeState"
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

/**
 * A logical dump of a database: each table's schema and its rows (with the rowid), in rowid
 * order. The file bytes of a database may differ after an insert and its undo; its rows may not.
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
 */
export const dataState = (dataDir: string) => {
  const files = fileState(dataDir, { skip: ["sessionport", "opencode.db", "opencode.db-wal", "opencode.db-shm"] })
  return { db: dbDump(path.join(dataDir, "opencode.db")), files }
}

/** Rows of a table of a data folder's database. */
export const rowsOf = (dataDir: string, sql: string, ...params: Array<unknown>): Array<Record<string, unknown>> => {
  const db = openDatabase(path.join(dataDir, "opencode.db"), { readonly: true })
  try {
    return db.prepare(sql).all(...params)
  } finally {
    db.close()
  }
}

/** The transaction folders of a data folder's journal (none when it has no journal). */
export const journalTransactions = (dataDir: string): Array<string> => {
  const journal = path.join(dataDir, "sessionport", "journal")
  return fs.existsSync(journal) ? fs.readdirSync(journal).filter((name) => !name.startsWith(".")) : []
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** The manifest of a folder package made to match its files again (each listed file's size and SHA-256). */
export const reseal = (pkgDir: string): void => {
  const file = path.join(pkgDir, "package_manifest.json")
  const manifest = JSON.parse(fs.readFileSync(file, "utf8"))
  manifest.files = (manifest.files as Array<{ path: string }>).map(({ path: rel }) => {
    const bytes = fs.readFileSync(path.join(pkgDir, ...rel.split("/")))
    return { path: rel, size: bytes.length, sha256: sha256(bytes) }
  })
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + "\n")
}

/** A transcript's lines, parsed. */
export const readLines = (file: string): Array<Record<string, any>> =>
  fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))

/** A transcript written back, one compact JSON line per row. */
export const writeLines = (file: string, lines: ReadonlyArray<unknown>): void =>
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l) + "\n").join(""))

const betterSqlite3 = createRequire(import.meta.url).resolve("better-sqlite3")

/**
 * A process holding `database` open the way OpenCode does while it runs (a better-sqlite3
 * connection in WAL mode, idle); answers its pid once the file is open, and what kills it.
 */
export const holdOpen = (database: string): Promise<{ readonly pid: number; readonly kill: () => void }> =>
  new Promise((resolve, reject) => {
    const script = `const D = require(${JSON.stringify(betterSqlite3)}); const db = new D(${JSON.stringify(database)});` +
      ` db.pragma("journal_mode = WAL"); db.prepare("SELECT count(*) FROM session").get();` +
      ` process.stdout.write("open\\n"); setInterval(() => {}, 1000)`
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (d) => (stderr += d))
    child.stdout.on("data", (d) => {
      if (String(d).includes("open")) resolve({ pid: child.pid!, kill: () => child.kill("SIGKILL") })
    })
    child.on("exit", (code) => reject(new Error(`the holder exited (${code}): ${stderr}`)))
  })
