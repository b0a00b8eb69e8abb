/**
 * A minimal baseline installer, written from the shared contract alone (the layout, the 8
 * manifest fields, the 25 `threads` columns; codex-session-transfer's install as our research
 * describes it) with tar-stream and better-sqlite3, and no sessionport module: what a tool that
 * knows nothing of sessionport does with a package.
 *
 * 1. A `.tgz` is unpacked (regular files and folders only) into a temporary folder, as `tar xzf`.
 * 2. The 8 manifest fields must be there with their types; every other field is ignored.
 * 3. Each `metadata/threads.jsonl` row must have the 25 columns (`column in row`), the NOT NULL
 *    ones non-null and of their SQL type, `sandbox_policy` a JSON object (the peer parses it to
 *    rewrite its roots). Its rollout is `sessions/<basename(rollout_path)>` (over `/` and `\`),
 *    with no `.zst` fallback: plain JSONL whose first line is the thread's `session_meta`.
 * 4. Everything is checked before anything is written. Rollouts go to
 *    `<home>/sessions/<what follows \sessions\ in rollout_path, any case>`, else
 *    `sessions/imported/<name>`; `state_5.sqlite` is created if absent with the early-2026
 *    `threads` table, and exactly the 25 columns are written with `INSERT OR REPLACE` in one
 *    transaction (`rollout_path` the installed file); `session_index.jsonl` is merged by id.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"

const requireHere = createRequire(import.meta.url)
// the drivers the workspace already has, found where sessionport's packages get them
const tarStream = createRequire(requireHere.resolve("@sessionport/package-format/package.json"))("tar-stream") as {
  extract(): NodeJS.WritableStream & AsyncIterable<AsyncIterable<Uint8Array> & { header: { name: string; type: string } }> & {
    destroy(error?: Error): void
  }
}
interface Database {
  prepare(sql: string): { run(...params: Array<unknown>): unknown; all(...params: Array<unknown>): Array<any> }
  exec(sql: string): void
  transaction<A extends Array<unknown>>(fn: (...args: A) => void): (...args: A) => void
  close(): void
}
const BetterSqlite3 = createRequire(requireHere.resolve("@effect/sql-sqlite-node/package.json"))("better-sqlite3") as new(
  file: string
) => Database

/** The 8 shared manifest fields and their types. */
const MANIFEST: ReadonlyArray<readonly [string, (value: unknown) => boolean]> = [
  ["format_version", (v) => typeof v === "number"],
  ["package_kind", (v) => typeof v === "string"],
  ["minimum_working_set_only", (v) => typeof v === "boolean"],
  ["cwd_filter", (v) => v === null || typeof v === "string"],
  ["thread_ids", (v) => Array.isArray(v) && v.every((x) => typeof x === "string")],
  ["skills_included", (v) => Array.isArray(v) && v.every((x) => typeof x === "string")],
  ["deferred_components", (v) => Array.isArray(v) && v.every((x) => typeof x === "string")],
  ["preferred_installer_skill", (v) => typeof v === "string"]
]

/** The 25 columns with their type and constraints, as Codex's early-2026 schema has them. */
const COLUMNS: ReadonlyArray<{ readonly name: string; readonly type: "TEXT" | "INTEGER"; readonly ddl: string; readonly notNull: boolean }> = [
  ["id", "TEXT", "PRIMARY KEY"],
  ["rollout_path", "TEXT", "NOT NULL"],
  ["created_at", "INTEGER", "NOT NULL"],
  ["updated_at", "INTEGER", "NOT NULL"],
  ["source", "TEXT", "NOT NULL"],
  ["model_provider", "TEXT", "NOT NULL"],
  ["cwd", "TEXT", "NOT NULL"],
  ["title", "TEXT", "NOT NULL"],
  ["sandbox_policy", "TEXT", "NOT NULL"],
  ["approval_mode", "TEXT", "NOT NULL"],
  ["tokens_used", "INTEGER", "NOT NULL DEFAULT 0"],
  ["has_user_event", "INTEGER", "NOT NULL DEFAULT 0"],
  ["archived", "INTEGER", "NOT NULL DEFAULT 0"],
  ["archived_at", "INTEGER", ""],
  ["git_sha", "TEXT", ""],
  ["git_branch", "TEXT", ""],
  ["git_origin_url", "TEXT", ""],
  ["cli_version", "TEXT", "NOT NULL DEFAULT ''"],
  ["first_user_message", "TEXT", "NOT NULL DEFAULT ''"],
  ["agent_nickname", "TEXT", ""],
  ["agent_role", "TEXT", ""],
  ["memory_mode", "TEXT", "NOT NULL DEFAULT 'enabled'"],
  ["model", "TEXT", ""],
  ["reasoning_effort", "TEXT", ""],
  ["agent_path", "TEXT", ""]
].map(([name, type, ddl]) => ({
  name: name!,
  type: type as "TEXT" | "INTEGER",
  ddl: ddl!,
  notNull: ddl!.includes("NOT NULL") || ddl === "PRIMARY KEY"
}))

/** A package the baseline cannot install: the first reason, nothing written. */
export class Refused extends Error {}

const refuse = (reason: string): never => {
  throw new Refused(reason)
}

/** `tar xzf` into a new temporary folder: regular files and folders only, no name outside it. */
const unpack = async (tgz: string): Promise<string> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baseline-unpacked-"))
  try {
    return await unpackInto(tgz, dir)
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

const unpackInto = async (tgz: string, dir: string): Promise<string> => {
  const extract = tarStream.extract()
  const gunzip = fs.createReadStream(tgz).pipe(zlib.createGunzip())
  gunzip.on("error", (error) => extract.destroy(error))
  gunzip.pipe(extract)
  for await (const entry of extract) {
    const { name, type } = entry.header
    const target = path.resolve(dir, name)
    if (target !== dir && !target.startsWith(dir + path.sep)) refuse(`${name}: outside the folder`)
    if (type === "directory") fs.mkdirSync(target, { recursive: true })
    else if (type !== "file") refuse(`${name}: a ${type}, not a file`)
    else {
      fs.mkdirSync(path.dirname(target), { recursive: true })
      const chunks: Array<Uint8Array> = []
      for await (const chunk of entry) chunks.push(chunk)
      fs.writeFileSync(target, Buffer.concat(chunks), { flag: "wx" })
      continue
    }
    for await (const _ of entry) void _
  }
  return dir
}

const jsonLines = (file: string): Array<Record<string, unknown>> =>
  fs.existsSync(file)
    ? fs.readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line))
    : []

/** `rollout_path`'s last name, over either separator. */
const baseName = (file: string) => file.split(/[\\/]/).pop()!

/** Where the baseline puts a rollout: what follows the first `\sessions\` (any case), else `imported/<name>`. */
const targetOf = (home: string, rolloutPath: string): string => {
  const windows = rolloutPath.replaceAll("/", "\\")
  const at = windows.toLowerCase().indexOf("\\sessions\\")
  const suffix = at === -1 ? ["imported", baseName(rolloutPath)] : windows.slice(at + "\\sessions\\".length).split("\\")
  if (suffix.some((part) => part === "" || part === "." || part === "..")) refuse(`${rolloutPath}: not a plain path under sessions`)
  return path.join(home, "sessions", ...suffix)
}

const isInteger = (v: unknown) => typeof v === "number" && Number.isInteger(v)

/** One row against the contract; answers where its rollout is in the package and goes in the home. */
const checkRow = (pkg: string, home: string, row: Record<string, unknown>) => {
  for (const column of COLUMNS) {
    if (!(column.name in row)) refuse(`row ${String(row.id)}: no ${column.name}`)
    const value = row[column.name]
    if (value === null) {
      if (column.notNull) refuse(`row ${String(row.id)}: ${column.name} is null`)
      continue
    }
    if (column.type === "TEXT" ? typeof value !== "string" : !isInteger(value)) {
      refuse(`row ${String(row.id)}: ${column.name} is not ${column.type}: ${JSON.stringify(value)}`)
    }
  }
  let policy: unknown
  try {
    policy = JSON.parse(row.sandbox_policy as string)
  } catch {
    refuse(`row ${String(row.id)}: sandbox_policy is not JSON`)
  }
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) refuse(`row ${String(row.id)}: sandbox_policy is not an object`)
  const name = baseName(row.rollout_path as string)
  const source = path.join(pkg, "sessions", name)
  if (!fs.existsSync(source)) refuse(`row ${String(row.id)}: no sessions/${name} in the package`)
  const lines = fs.readFileSync(source, "utf8").split("\n").filter((line) => line.trim() !== "")
  let first: any
  try {
    first = JSON.parse(lines[0] ?? "")
    for (const line of lines) JSON.parse(line)
  } catch {
    refuse(`sessions/${name}: not plain JSONL`)
  }
  if (first?.type !== "session_meta" || first.payload?.id !== row.id) refuse(`sessions/${name}: does not start with the session_meta of ${String(row.id)}`)
  return { source, target: targetOf(home, row.rollout_path as string) }
}

/** @since 0.3.0 */
export interface BaselineResult {
  readonly threadIds: ReadonlyArray<string>
  /** installed rollouts, absolute */
  readonly rollouts: ReadonlyArray<string>
}

/** Installs a package folder or `.tgz` into `home` (created if needed); throws {@link Refused}. */
export const installBaseline = async (pkg: string, home: string): Promise<BaselineResult> => {
  const root = fs.statSync(pkg).isDirectory() ? pkg : await unpack(pkg)
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package_manifest.json"), "utf8")) as Record<string, unknown>
    for (const [field, ok] of MANIFEST) {
      if (!(field in manifest) || !ok(manifest[field])) refuse(`package_manifest.json: ${field} is missing or not of its type`)
    }
    const rows = jsonLines(path.join(root, "metadata", "threads.jsonl"))
    const plans = rows.map((row) => ({ row, ...checkRow(root, home, row) }))
    const ids = rows.map((row) => row.id as string).sort()
    const wanted = [...(manifest.thread_ids as Array<string>)].sort()
    if (JSON.stringify(ids) !== JSON.stringify(wanted)) refuse(`threads.jsonl holds ${ids.join(", ")}, the manifest ${wanted.join(", ")}`)

    // checked: now written
    for (const plan of plans) {
      fs.mkdirSync(path.dirname(plan.target), { recursive: true })
      fs.copyFileSync(plan.source, plan.target)
    }
    fs.mkdirSync(home, { recursive: true })
    const db = new BetterSqlite3(path.join(home, "state_5.sqlite"))
    try {
      db.exec(`CREATE TABLE IF NOT EXISTS threads (${COLUMNS.map((c) => `${c.name} ${c.type} ${c.ddl}`.trim()).join(", ")})`)
      const insert = db.prepare(
        `INSERT OR REPLACE INTO threads (${COLUMNS.map((c) => c.name).join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`
      )
      db.transaction(() => {
        for (const plan of plans) insert.run(...COLUMNS.map((c) => c.name === "rollout_path" ? plan.target : plan.row[c.name]))
      })()
    } finally {
      db.close()
    }
    const indexFile = path.join(home, "session_index.jsonl")
    const incoming = jsonLines(path.join(root, "metadata", "session_index.jsonl"))
    const kept = jsonLines(indexFile).filter((line) => !incoming.some((i) => i.id === line.id))
    const merged = [...kept, ...incoming]
    if (merged.length > 0) fs.writeFileSync(indexFile, merged.map((line) => JSON.stringify(line) + "\n").join(""))
    return { threadIds: ids, rollouts: plans.map((plan) => plan.target) }
  } finally {
    if (root !== pkg) fs.rmSync(root, { recursive: true, force: true })
  }
}
