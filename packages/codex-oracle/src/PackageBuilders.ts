/**
 * Builders for test packages: valid ones, and hostile ones crafted byte by byte.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { once } from "node:events"
import * as fs from "node:fs"
import * as os from "node:os"
import * as Path from "node:path"
import * as zlib from "node:zlib"
import * as tar from "tar-stream"

export const sha256 = (bytes: Uint8Array | string): string => createHash("sha256").update(bytes).digest("hex")

/** A fresh temp folder for the test, removed afterwards. */
export const withTmp = <A, E, R>(use: (dir: string) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => fs.mkdtempSync(Path.join(os.tmpdir(), "sessionport-pf-"))),
    use,
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )

/** Every path under `dir` (folders end with `/`), sorted. */
export const snapshot = (dir: string): Array<string> => {
  const out: Array<string> = []
  const walk = (at: string, prefix: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const rel = prefix + entry.name
      if (entry.isDirectory()) {
        out.push(rel + "/")
        walk(Path.join(at, entry.name), rel + "/")
      } else {
        out.push(rel)
      }
    }
  }
  walk(dir, "")
  return out.sort()
}

export const THREAD_ID = "019a0000-0000-7000-8000-000000000001"
export const ROLLOUT = `rollout-2025-11-20T10-00-00-${THREAD_ID}.jsonl`
export const SESSION = `sessions/${ROLLOUT}`

/** A rollout-like JSONL of roughly `bytes` bytes. */
export const sessionText = (bytes: number): string => {
  const lines = [JSON.stringify({ timestamp: "2025-11-20T10:00:00.000Z", type: "session_meta", payload: { id: THREAD_ID, cwd: "/home/alice/proj" } })]
  let size = lines[0]!.length + 1
  for (let i = 0; size < bytes; i++) {
    const line = JSON.stringify({
      timestamp: "2025-11-20T10:00:01.000Z",
      type: "response_item",
      payload: { type: "message", role: "user", content: [{ type: "input_text", text: `line ${i} ✓ ${"x".repeat(i % 200)}` }] }
    })
    lines.push(line)
    size += Buffer.byteLength(line) + 1
  }
  return lines.join("\n") + "\n"
}

export const threadsLine = (id = THREAD_ID, rollout = `/home/alice/.codex/sessions/2025/11/20/${ROLLOUT}`) =>
  JSON.stringify({ id, rollout_path: rollout, cwd: "/home/alice/proj", title: "t" }) + "\n"

/** The eight fields shared with codex-session-transfer. */
export const baselineManifest = {
  format_version: 1,
  package_kind: "session-skill-package",
  minimum_working_set_only: true,
  cwd_filter: null,
  thread_ids: [THREAD_ID],
  skills_included: [],
  deferred_components: [],
  preferred_installer_skill: "codex-session-transfer"
}

/** The files of a small valid package (manifest aside). */
export const baseFiles = (): Record<string, string | Buffer> => ({
  "README.md": "A Codex session package.\n",
  "metadata/threads.jsonl": threadsLine(),
  "metadata/session_index.jsonl": JSON.stringify({ id: THREAD_ID, thread_name: "t", updated_at: "2025-11-20T10:00:00Z" }) + "\n",
  "metadata/path_localization.json": JSON.stringify({ rule: "r", examples: [] }),
  [SESSION]: sessionText(4096)
})

export interface ManifestOptions {
  /** list sizes and checksums (sessionport) or not (codex-session-transfer) */
  readonly listFiles?: boolean
  readonly patch?: (manifest: Record<string, unknown>) => unknown
}

export const manifestFor = (files: Record<string, string | Buffer>, options: ManifestOptions = {}): string => {
  const manifest: Record<string, unknown> = { ...baselineManifest }
  if (options.listFiles !== false) {
    manifest.files = Object.entries(files).map(([path, content]) => ({ path, size: Buffer.byteLength(content), sha256: sha256(content) }))
  }
  return JSON.stringify(options.patch === undefined ? manifest : options.patch(manifest), null, 2) + "\n"
}

export interface RawEntry {
  readonly name: string
  readonly type?: "file" | "directory" | "symlink" | "link" | "character-device" | "block-device" | "fifo" | "contiguous-file"
  readonly content?: string | Buffer
  readonly linkname?: string
  readonly pax?: Record<string, string>
}

/** A tar (uncompressed) of raw entries, exactly as given. */
export const tarOf = async (entries: ReadonlyArray<RawEntry>): Promise<Buffer> => {
  const pack = tar.pack()
  const chunks: Array<Buffer> = []
  pack.on("data", (chunk) => chunks.push(chunk as Buffer))
  const ended = new Promise<void>((resolve, reject) => {
    pack.on("end", () => resolve())
    pack.on("error", reject)
  })
  for (const entry of entries) {
    const type = entry.type ?? "file"
    await new Promise<void>((resolve, reject) => {
      const header = {
        name: entry.name,
        type,
        mtime: new Date(0),
        ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
        ...(entry.pax === undefined ? {} : { pax: entry.pax })
      }
      const done = (error?: Error | null) => error ? reject(error) : resolve()
      if (type === "file") pack.entry(header, entry.content ?? "", done)
      else pack.entry(header, done).end(undefined)
    })
  }
  pack.finalize()
  await ended
  return Buffer.concat(chunks)
}

/** The raw entries of a package: manifest first, then the files. */
export const entriesOf = (files: Record<string, string | Buffer>, manifest: string = manifestFor(files)): Array<RawEntry> => [
  { name: "package_manifest.json", content: manifest },
  ...Object.entries(files).map(([name, content]) => ({ name, content }))
]

export const gzip = (bytes: Buffer): Buffer => zlib.gzipSync(bytes)

/** Writes a .tgz of raw entries into `dir` and answers its path. */
export const writeTgz = async (dir: string, entries: ReadonlyArray<RawEntry>, name = "package.tgz"): Promise<string> => {
  const file = Path.join(dir, name)
  fs.writeFileSync(file, gzip(await tarOf(entries)))
  return file
}

/** The session entry of {@link writeTgzBomb}: named like a rollout, listed nowhere. */
export const BOMB = "sessions/rollout-2025-11-20T10-00-00-019a0000-0000-7000-8000-0000000000bb.jsonl"

const MiB = 1024 ** 2

/**
 * A gzip bomb: a `.tgz` whose first entry, {@link BOMB}, is `mib` MiB of the byte `fill`, followed
 * by the valid package. About 1 KiB on disk per MiB (3.5 GiB of zeros: 3.6 MB), and built in
 * milliseconds: one gzip member of 1 MiB compressed once and repeated (gunzip reads concatenated
 * members as one stream).
 */
export const writeTgzBomb = async (dir: string, mib: number, fill: number, name = "package.tgz"): Promise<string> => {
  const pack = tar.pack()
  const header = once(pack, "data")
  pack.entry({ name: BOMB, size: mib * MiB, mtime: new Date(0) })
  const [head] = (await header) as [Buffer]
  pack.destroy()
  const block = gzip(Buffer.alloc(MiB, fill))
  const file = Path.join(dir, name)
  // whole MiBs end on a 512-byte boundary: the next header follows the body without padding
  const members = [gzip(head), ...Array.from({ length: mib }, () => block), gzip(await tarOf(entriesOf(baseFiles())))]
  fs.writeFileSync(file, Buffer.concat(members))
  return file
}

/** Writes a folder package into `dir/name` and answers its path. */
export const writeFolder = (dir: string, files: Record<string, string | Buffer>, name = "package"): string => {
  const root = Path.join(dir, name)
  for (const [path, content] of Object.entries(files)) {
    const target = Path.join(root, ...path.split("/"))
    fs.mkdirSync(Path.dirname(target), { recursive: true })
    fs.writeFileSync(target, content)
  }
  return root
}
