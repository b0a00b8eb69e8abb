/** The sync sidecar of a home or data folder, for the tests that check nothing of a sync is left in it. */
import { openDatabase } from "@sessionport/codex-oracle/Fixtures"
import * as fs from "node:fs"
import { sidecarPath } from "./scenarios.js"

/** The sidecar's rows (its tables as docs/sync.md lists them); 0 when there is no sidecar. */
export const sidecarRows = (home: string): number => {
  if (!fs.existsSync(sidecarPath(home))) return 0
  const db = openDatabase(sidecarPath(home), { readonly: true })
  try {
    let n = 0
    for (const table of ["lineages", "lineage_ids", "local_sessions", "incoming_seen", "packages_seen"]) {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)
      if (exists !== undefined) n += Number(db.prepare(`SELECT count(*) AS n FROM "${table}"`).get().n)
    }
    return n
  } finally {
    db.close()
  }
}
