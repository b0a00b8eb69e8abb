/**
 * OpenCode data folders for the CLI tests: the fixture export and a target OpenCode made, "the
 * same as before" (`@sessionport/opencode-oracle/DataState`: every table's rows, and every other
 * file byte for byte), packages edited by hand (re-sealed), and a stand-in for a running OpenCode
 * (a process holding `opencode.db` open).
 */
import { assert } from "@effect/vitest"
import { openDatabase, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Fixtures, Harness } from "@sessionport/opencode-oracle"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { sessionTransfer } from "./cli.js"

export { copyTemplate, crashTarget, dataState, dbDump } from "@sessionport/opencode-oracle/DataState"

/**
 * The fixture export of both sessions (`out`: `name.tgz`, or a folder package), and a data folder
 * OpenCode 1.18.33 made itself (one real run) kept as a template to copy; `maps` map the fixtures'
 * projects onto that machine's, `home` is its HOME.
 */
export const exportAndTemplate = (out: string) =>
  Effect.gen(function*() {
    const source = Fixtures.load().source
    const a = yield* Fixtures.copyData({ prefix: "opencode-a-" })
    const pkg = path.join(tempDir("pkg"), out)
    const exported = yield* sessionTransfer(
      ["export", "--agent", "opencode", "--opencode-data", a.dataDir, "--all", "--out", pkg],
      { env: { HOME: source.home } }
    )
    assert.strictEqual(exported.code, 0, exported.stderr)
    const m = yield* Harness.machine({ initDatabase: true })
    const template = path.join(tempDir("opencode-template"), "opencode")
    fs.cpSync(m.dataDir, template, { recursive: true, preserveTimestamps: true })
    const maps = ["--map", `${source.alpha}=${m.projects[0]!}`, "--map", `${source.beta}=${m.projects[1]!}`]
    return { pkg, template, maps, home: m.home }
  })

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
