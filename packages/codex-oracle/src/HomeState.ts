import { type Database, openDatabase } from "./Fixtures.js"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

/**
 * Everything a Codex home holds, for "identical to before": the SHA-256 of every file, and a
 * logical dump (every row of every table with its rowid, ordered) of every SQLite database, whose
 * file bytes may differ after an insert and a delete. sessionport's own folder and SQLite's
 * -wal/-shm files are left out.
 */
export const homeState = (home: string): Record<string, string> => {
  const state: Record<string, string> = {}
  const walk = (dir: string, rel: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const relPath = rel === "" ? entry.name : `${rel}/${entry.name}`
      const full = path.join(dir, entry.name)
      if (relPath === "sessionport") continue
      if (entry.isDirectory()) {
        state[`${relPath}/`] = "dir"
        walk(full, relPath)
      } else if (/\.sqlite-(wal|shm)$/.test(entry.name)) {
        continue
      } else if (entry.name.endsWith(".sqlite")) {
        state[relPath] = dump(full)
      } else {
        state[relPath] = createHash("sha256").update(fs.readFileSync(full)).digest("hex")
      }
    }
  }
  walk(home, "")
  return state
}

const dump = (file: string): string => {
  const db = openDatabase(file, { readonly: true })
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>
    const out: Record<string, unknown> = {}
    for (const { name } of tables) {
      const rowid = name.startsWith("sqlite_") ? undefined : rowidName(db, name)
      const rows = db.prepare(`SELECT ${rowid === undefined ? "" : `${rowid} AS "(rowid)", `}* FROM "${name}"`).all().map((row) => JSON.stringify(row, (_, v) => typeof v === "bigint" ? String(v) : v))
      out[name] = rows.sort()
    }
    return createHash("sha256").update(JSON.stringify(out)).digest("hex")
  } finally {
    db.close()
  }
}

/** The name a table's rowid answers to (a column may take `rowid`); none for a WITHOUT ROWID table. */
export const rowidName = (db: Database, table: string): string | undefined => {
  const listed = db.prepare("SELECT wr FROM pragma_table_list(?) WHERE schema = 'main'").get(table) as { wr: number } | undefined
  if (listed === undefined || listed.wr === 1) return undefined
  const columns = (db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as Array<{ name: string }>).map((c) => c.name.toLowerCase())
  return ["rowid", "_rowid_", "oid"].find((name) => !columns.includes(name))
}

/**
 * Every entry under `dir`, byte for byte and with its mtime (folders by name; SQLite files as
 * bytes too): for "nothing was touched at all", stricter than {@link homeState}. `skip`: names
 * of top-level entries left out (e.g. `sessionport`, where the journal keeps its records).
 */
export const fileState = (dir: string, options: { readonly skip?: ReadonlyArray<string> } = {}): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (at: string, rel: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      if (rel === "" && options.skip?.includes(entry.name)) continue
      const full = path.join(at, entry.name)
      const name = rel === "" ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) {
        out[`${name}/`] = "dir"
        walk(full, name)
      } else {
        const stat = fs.statSync(full)
        // to the millisecond: a restored mtime goes through a double of seconds, which keeps ~0.1 µs
        out[name] = `${stat.size} ${Math.floor(stat.mtimeMs)} ${createHash("sha256").update(fs.readFileSync(full)).digest("hex")}`
      }
    }
  }
  walk(dir, "")
  return out
}
