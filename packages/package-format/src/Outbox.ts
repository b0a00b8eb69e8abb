/**
 * The exchange folder's format: one outbox per machine, `DIR/<machine id>/`, written only by that
 * machine.
 *
 * ```
 * DIR/<machine id>/
 *   outbox.json      the index (OutboxIndex)
 *   receipts.json    the packages this machine has taken from the others (Receipts)
 *   README.txt       written once
 *   packages/000007-<first 32 hex of the SHA-256>.tgz   immutable (`.tgz.age`: encrypted)
 *   tmp/             the owner's staging; everyone else ignores it
 * ```
 *
 * Every file goes to a temp name first and is then renamed, so no two machines ever write one
 * path. Names are strict ({@link classifyName}): the copies and temps that sync engines make
 * are told apart and never read. A package's name carries its digest, so a stale or partial copy
 * under a valid name is caught by {@link checkFile}. An encrypted package (`.tgz.age`, see
 * `Encryption`) is named and checked by its bytes as published, so nothing of the exchange needs
 * a key but reading a package ({@link opens} says whether the keys at hand do). Knows no agent.
 *
 * @since 0.1.0
 */
import { Effect, Either, Option, ParseResult, Schema } from "effect"
import { randomBytes } from "node:crypto"
import * as nodeFs from "node:fs"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import * as AtomicFile from "./AtomicFile.js"
import { sha256OfFile } from "./internal/digest.js"
import * as Age from "./internal/age.js"
import { errorText, ioError } from "./internal/files.js"
import * as Names from "./internal/outboxNames.js"
import { Producer } from "./Manifest.js"
import type { KeyRing } from "./Encryption.js"
import { PackageError } from "./PackageError.js"

/** @since 0.1.0 @category constants */
export const FORMAT = 1

/** @since 0.1.0 @category constants */
export const INDEX_FILE = Names.INDEX_FILE

/** @since 0.1.0 @category constants */
export const RECEIPTS_FILE = Names.RECEIPTS_FILE

/** @since 0.1.0 @category constants */
export const README_FILE = Names.README_FILE

/** Where the packages are, inside an outbox. @since 0.1.0 @category constants */
export const PACKAGES_DIR = Names.PACKAGES_DIR

/** The owner's staging folder, inside an outbox. @since 0.1.0 @category constants */
export const TMP_DIR = Names.TMP_DIR

// ---------------------------------------------------------------------------------------------
// names
// ---------------------------------------------------------------------------------------------

/**
 * What a path inside an outbox is (see {@link classifyName}).
 *
 * @since 0.1.0
 * @category models
 */
export type NameKind = Names.Kind

/**
 * What a path inside an outbox (`/` or `\` separated, relative to `DIR/<machine id>/`) is:
 * - `package`: `packages/<seq, 6+ digits>-<32 hex>.tgz` (or `.tgz.age`), exactly;
 * - `index` / `receipts` / `readme`: `outbox.json` / `receipts.json` / `README.txt` at the top;
 * - `conflict_copy`: one of those with an engine's conflict text (Syncthing
 *   `.sync-conflict-20261207-020541-K4VBOVP`, Dropbox `(… conflicted copy …)`, ` (1)`, OneDrive
 *   `-<PC name>`);
 * - `engine_temp`: a sync engine's or the desktop's file (`.syncthing.x.tmp`, `~$x`, `.~x`,
 *   `x.partial`, `.dropbox*`, `.DS_Store`, …);
 * - `own_temp`: our temps (`*.tmp-*`) and anything under `tmp/`;
 * - `other`: anything else.
 *
 * Only `package`, `index`, `receipts` are ever read.
 *
 * @since 0.1.0
 * @category names
 */
export const classifyName: (relativePath: string) => NameKind = Names.classify

/**
 * The file a conflict copy stands for (`packages/000007-….tgz`, `….tgz.age`, `outbox.json`, …), or
 * `undefined` when `relativePath` is not a conflict copy.
 *
 * @since 0.1.0
 * @category names
 */
export const conflictOf: (relativePath: string) => string | undefined = Names.conflictOf

/**
 * A package's stem, `000007-<first 32 hex of sha256>`: what receipts list.
 *
 * @since 0.1.0
 * @category names
 */
export const packageStem = (seq: number, sha256: string): string => {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`package seq must be a positive integer, not ${seq}`)
  if (!/^[0-9a-f]{32,64}$/.test(sha256)) throw new RangeError(`package digest must be lowercase hex, not ${sha256}`)
  return `${String(seq).padStart(6, "0")}-${sha256.slice(0, 32)}`
}

/**
 * A package's file name, `000007-<first 32 hex of sha256>.tgz` (in `packages/`); `.tgz.age` when
 * it is `encrypted`.
 *
 * @since 0.1.0
 * @category names
 */
export const packageName = (seq: number, sha256: string, encrypted: boolean = false): string =>
  `${packageStem(seq, sha256)}${encrypted ? Names.ENCRYPTED_EXT : Names.PLAIN_EXT}`

/**
 * A package's path inside its outbox, `packages/000007-….tgz` (`.tgz.age`): an index entry's `file`.
 *
 * @since 0.1.0
 * @category names
 */
export const packageFile = (seq: number, sha256: string, encrypted: boolean = false): string =>
  `${PACKAGES_DIR}/${packageName(seq, sha256, encrypted)}`

/** @since 0.1.0 @category models */
export interface PackageName {
  readonly seq: number
  /** the first 32 hex of the file's SHA-256 */
  readonly sha32: string
  /** the name without `.tgz` (`.tgz.age`) */
  readonly stem: string
  /** a `.tgz.age` */
  readonly encrypted: boolean
}

/**
 * A package file name (`000007-….tgz` or `.tgz.age`, no folder) read back; none for any other name, also for
 * a seq written otherwise than {@link packageName} writes it (`0000007-…`).
 *
 * @since 0.1.0
 * @category names
 */
export const parsePackageName = (name: string): Option.Option<PackageName> => {
  const match = Names.PACKAGE_NAME.exec(name)
  if (match === null) return Option.none()
  const seq = Number(match[1])
  const sha32 = match[2]!
  const encrypted = match[3] !== undefined
  if (!Number.isSafeInteger(seq) || seq < 1 || packageName(seq, sha32, encrypted) !== name) return Option.none()
  return Option.some({ seq, sha32, stem: packageStem(seq, sha32), encrypted })
}

/**
 * A new machine id, `<hostname slug, ≤ 20 of [a-z0-9-]>-<8 random hex>` (`alice-laptop-3f9a01c2`).
 * The random part keeps two machines of one name apart.
 *
 * @since 0.1.0
 * @category names
 */
export const newMachineId = (hostname: string): string => {
  const slug = hostname.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+/, "").slice(0, 20).replace(/-+$/, "")
  return `${slug === "" ? "machine" : slug}-${randomBytes(4).toString("hex")}`
}

/** A machine id as {@link newMachineId} makes them. @since 0.1.0 @category names */
export const MACHINE_ID = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?-[0-9a-f]{8}$/

/** @since 0.1.0 @category names */
export const isMachineId = (name: string): boolean => MACHINE_ID.test(name)

// ---------------------------------------------------------------------------------------------
// schemas
// ---------------------------------------------------------------------------------------------

const Timestamp = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/, {
    message: () => "expected an ISO 8601 UTC time (2026-01-02T03:04:05.678Z)"
  })
)
const MachineId = Schema.String.pipe(Schema.pattern(MACHINE_ID, { message: () => "expected a machine id (name-1a2b3c4d)" }))
const Sha256 = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/, { message: () => "expected 64 lowercase hex" }))
const Stem = Schema.String.pipe(
  Schema.pattern(Names.PACKAGE_STEM, { message: () => "expected a package stem (000007-<32 hex>)" })
)
const Count = Schema.Int.pipe(Schema.nonNegative())

/** One session of a package, as the listing gave it when it was pushed. @since 0.1.0 @category schemas */
export const OutboxSession = Schema.Struct({
  agent: Schema.String,
  id: Schema.String,
  size: Count,
  updated_at: Schema.String,
  /** the session is in the package as the parent of this fork */
  parent_of: Schema.optional(Schema.String)
}).annotations({ identifier: "OutboxSession" })

/** @since 0.1.0 @category models */
export type OutboxSession = typeof OutboxSession.Type

/**
 * One package of an outbox. `file` must be the name its `seq`, `sha256` and `encrypted` give;
 * `sha256` and `size` are those of the file as published (for an encrypted one, the ciphertext).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutboxEntry = Schema.Struct({
  seq: Schema.Int.pipe(Schema.positive()),
  file: Schema.String,
  sha256: Sha256,
  size: Count,
  package_id: Schema.String,
  pushed_at: Timestamp,
  agents: Schema.Array(Schema.String),
  sessions: Schema.Array(OutboxSession),
  /** the package is age-encrypted (`.tgz.age`); absent: a plain `.tgz` */
  encrypted: Schema.optional(Schema.Boolean)
}).pipe(
  Schema.filter((entry) =>
    entry.file === packageFile(entry.seq, entry.sha256, entry.encrypted === true) ||
    `file must be ${packageFile(entry.seq, entry.sha256, entry.encrypted === true)} (its seq, digest and encryption), not ${entry.file}`
  )
).annotations({ identifier: "OutboxEntry" })

/** @since 0.1.0 @category models */
export type OutboxEntry = typeof OutboxEntry.Type

/**
 * `outbox.json`: what a machine has published, in seq order (no seq twice).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutboxIndex = Schema.Struct({
  format: Schema.Literal(FORMAT),
  kind: Schema.Literal("sessionport-outbox"),
  machine_id: MachineId,
  machine_name: Schema.String,
  /** the config that writes this outbox: another one means a copied config (two machines, one id) */
  writer: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{16}$/, { message: () => "expected 16 lowercase hex" })),
  producer: Producer,
  updated_at: Timestamp,
  packages: Schema.Array(OutboxEntry)
}).pipe(
  Schema.filter((index) => {
    for (let i = 1; i < index.packages.length; i++) {
      if (index.packages[i]!.seq <= index.packages[i - 1]!.seq) {
        return `packages must be in increasing seq order (seq ${index.packages[i]!.seq} after ${index.packages[i - 1]!.seq})`
      }
    }
    return true
  })
).annotations({ identifier: "OutboxIndex" })

/** @since 0.1.0 @category models */
export type OutboxIndex = typeof OutboxIndex.Type

/**
 * `receipts.json`: per other machine, the stems of the packages this machine has taken fully.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Receipts = Schema.Struct({
  format: Schema.Literal(FORMAT),
  kind: Schema.Literal("sessionport-receipts"),
  machine_id: MachineId,
  updated_at: Timestamp,
  pulled: Schema.Record({ key: Schema.String, value: Schema.Array(Stem) })
}).pipe(
  // a refined record key would drop a bad key silently: refuse it instead
  Schema.filter((receipts) => {
    const bad = Object.keys(receipts.pulled).find((id) => !isMachineId(id))
    return bad === undefined || `pulled: ${JSON.stringify(bad)} is not a machine id (expected a machine id, name-1a2b3c4d)`
  })
).annotations({ identifier: "Receipts" })

/** @since 0.1.0 @category models */
export type Receipts = typeof Receipts.Type

/** A session's key in {@link lastPushed}: `agent:id`. @since 0.1.0 @category models */
export const sessionKey = (agent: string, id: string): string => `${agent}:${id}`

/** @since 0.1.0 @category models */
export interface Pushed {
  readonly size: number
  readonly updated_at: string
  readonly seq: number
}

/**
 * What an outbox last published of each session (its entry in the highest-seq package holding
 * it), by {@link sessionKey}.
 *
 * @since 0.1.0
 * @category models
 */
export const lastPushed = (index: OutboxIndex): Map<string, Pushed> => {
  const pushed = new Map<string, Pushed>()
  for (const entry of index.packages) {
    for (const session of entry.sessions) {
      const key = sessionKey(session.agent, session.id)
      if ((pushed.get(key)?.seq ?? 0) <= entry.seq) {
        pushed.set(key, { size: session.size, updated_at: session.updated_at, seq: entry.seq })
      }
    }
  }
  return pushed
}

// ---------------------------------------------------------------------------------------------
// reading and writing
// ---------------------------------------------------------------------------------------------

/**
 * A file of an outbox, read: `missing` (not there: a fresh outbox, or not arrived yet),
 * `unreadable` (there, but not a file of this format: `detail` says why, one line), `parsed`.
 *
 * @since 0.1.0
 * @category models
 */
export type ReadResult<A> =
  | { readonly _tag: "missing"; readonly path: string }
  | { readonly _tag: "unreadable"; readonly path: string; readonly detail: string }
  | { readonly _tag: "parsed"; readonly path: string; readonly value: A }

const firstIssue = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return "invalid"
  return issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`
}

const readJson = <A, I>(
  schema: Schema.Schema<A, I>,
  dir: string,
  file: string,
  what: string
): Effect.Effect<ReadResult<A>> =>
  Effect.promise(async (): Promise<ReadResult<A>> => {
    const path = Path.join(dir, file)
    const unreadable = (detail: string): ReadResult<A> => ({ _tag: "unreadable", path, detail })
    let text: string
    try {
      text = await fs.readFile(path, "utf8")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { _tag: "missing", path }
      return unreadable(errorText(error))
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      return unreadable(`not JSON (${errorText(error)})`)
    }
    // the format first, so a newer sessionport's file gets a clear answer whatever else changed
    const format = (json as { format?: unknown } | null)?.format
    if (typeof format === "number" && format > FORMAT) {
      return unreadable(`format ${format} is newer than this sessionport reads (${FORMAT}); upgrade sessionport`)
    }
    const decoded = Schema.decodeUnknownEither(schema)(json)
    if (Either.isLeft(decoded)) return unreadable(`not ${what}: ${firstIssue(decoded.left)}`)
    const id = (decoded.right as { machine_id?: string }).machine_id
    // the folder's name is the id: a renamed or misplaced outbox is not the machine it claims
    if (id !== Path.basename(Path.resolve(dir))) {
      return unreadable(`its machine_id ${id} is not its folder's name ${Path.basename(Path.resolve(dir))}`)
    }
    return { _tag: "parsed", path, value: decoded.right }
  })

/**
 * Reads `<dir>/outbox.json`, `dir` being an outbox (`DIR/<machine id>`). Never fails: a file
 * that is not a valid index of this very outbox is `unreadable`.
 *
 * @since 0.1.0
 * @category reading
 */
export const readIndex = (dir: string): Effect.Effect<ReadResult<OutboxIndex>> =>
  readJson(OutboxIndex, dir, INDEX_FILE, "an outbox index").pipe(Effect.withSpan("Outbox.readIndex"))

/**
 * Reads `<dir>/receipts.json`, as {@link readIndex} reads the index.
 *
 * @since 0.1.0
 * @category reading
 */
export const readReceipts = (dir: string): Effect.Effect<ReadResult<Receipts>> =>
  readJson(Receipts, dir, RECEIPTS_FILE, "a receipts file").pipe(Effect.withSpan("Outbox.readReceipts"))

/** The text a schema's value is written as: two-space JSON with a final newline. */
const encodeJson = <A, I>(schema: Schema.Schema<A, I>, value: A): Effect.Effect<string> =>
  // a value that its own schema refuses is a bug of the caller: never written
  Schema.encode(schema)(value).pipe(
    Effect.map((encoded) => JSON.stringify(encoded, null, 2) + "\n"),
    Effect.orDie
  )

/**
 * Replaces `<dir>/outbox.json` atomically (`AtomicFile`). `dir` must exist.
 *
 * @since 0.1.0
 * @category writing
 */
export const writeIndex = (dir: string, index: OutboxIndex): Effect.Effect<void, PackageError> =>
  encodeJson(OutboxIndex, index).pipe(
    Effect.flatMap((text) => AtomicFile.writeFile(Path.join(dir, INDEX_FILE), text)),
    Effect.withSpan("Outbox.writeIndex")
  )

/**
 * Replaces `<dir>/receipts.json` atomically (`AtomicFile`). `dir` must exist.
 *
 * @since 0.1.0
 * @category writing
 */
export const writeReceipts = (dir: string, receipts: Receipts): Effect.Effect<void, PackageError> =>
  encodeJson(Receipts, receipts).pipe(
    Effect.flatMap((text) => AtomicFile.writeFile(Path.join(dir, RECEIPTS_FILE), text)),
    Effect.withSpan("Outbox.writeReceipts")
  )

// ---------------------------------------------------------------------------------------------
// package files
// ---------------------------------------------------------------------------------------------


/**
 * The SHA-256 (64 hex) of a file's bytes, streamed.
 *
 * @since 0.1.0
 * @category package files
 */
export const digestOf = (path: string): Effect.Effect<string, PackageError> =>
  Effect.try({ try: () => sha256OfFile(path, { noFollow: true }), catch: (error) => ioError(path, "cannot read", error) }).pipe(
    Effect.withSpan("Outbox.digestOf")
  )

/**
 * A listed package file as it is on disk:
 * - `complete`: its size and SHA-256 are the listed ones;
 * - `arriving`: not there yet (`missing`), or smaller than listed (`size`: what is there), as a
 *   sync engine that writes in place leaves it: look again later;
 * - `damaged`: never going to be right under this name (`why`: larger than listed, the digest
 *   differs, not a regular file, unreadable).
 *
 * @since 0.1.0
 * @category models
 */
export type FileCheck =
  | { readonly _tag: "complete" }
  | { readonly _tag: "arriving"; readonly size: number; readonly missing: boolean }
  | { readonly _tag: "damaged"; readonly why: string }

/**
 * Checks `<dir>/<file>` (an index entry's `file`) against what the index says of it: the size
 * first, then the digest (read only when the size is right). Never fails.
 *
 * @since 0.1.0
 * @category package files
 */
export const checkFile = (
  dir: string,
  file: string,
  expected: { readonly size: number; readonly sha256: string }
): Effect.Effect<FileCheck> =>
  Effect.sync((): FileCheck => {
    const path = Path.join(dir, file)
    let stat: nodeFs.Stats
    try {
      stat = nodeFs.lstatSync(path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { _tag: "arriving", size: 0, missing: true }
      return { _tag: "damaged", why: `cannot inspect: ${errorText(error)}` }
    }
    if (!stat.isFile()) return { _tag: "damaged", why: "not a regular file" }
    if (stat.size < expected.size) return { _tag: "arriving", size: stat.size, missing: false }
    if (stat.size > expected.size) {
      return { _tag: "damaged", why: `larger than listed (${stat.size} bytes, listed ${expected.size})` }
    }
    let digest: string
    try {
      digest = sha256OfFile(path, { noFollow: true })
    } catch (error) {
      return { _tag: "damaged", why: `cannot read: ${errorText(error)}` }
    }
    return digest === expected.sha256 ? { _tag: "complete" } : { _tag: "damaged", why: "digest differs" }
  }).pipe(Effect.withSpan("Outbox.checkFile"))

/**
 * Whether the keys at hand open a listed package: `plain` (not age-encrypted), `opens`, or
 * `locked`: `encrypted` (no key given), `cannot_decrypt` (none of the keys opens it), `damaged`
 * (its age header is not right); `why` says it in one line, naming the recipients' types.
 *
 * @since 0.6.0
 * @category models
 */
export type KeyCheck =
  | { readonly _tag: "plain" }
  | { readonly _tag: "opens" }
  | { readonly _tag: "locked"; readonly reason: "encrypted" | "cannot_decrypt" | "damaged"; readonly why: string }

/**
 * Checks `<dir>/<file>` against `ring` (the command's keys, `Encryption.ambient`): reads the age
 * header only and unwraps the file key, which the ring keeps for the read that follows (so a
 * passphrase's scrypt runs once). Never fails.
 *
 * @since 0.6.0
 * @category package files
 */
export const opens = (dir: string, file: string, ring: KeyRing | undefined): Effect.Effect<KeyCheck> =>
  Effect.promise(async (): Promise<KeyCheck> => {
    const path = Path.join(dir, file)
    const damaged = (why: string): KeyCheck => ({ _tag: "locked", reason: "damaged", why })
    try {
      if (Age.kindOf(Age.headOf(path)) !== "age") return { _tag: "plain" }
      const plain = await Age.decrypting(path, ring, file)
      plain.destroy()
      return { _tag: "opens" }
    } catch (error) {
      if (!(error instanceof PackageError)) return damaged(`cannot read: ${errorText(error)}`)
      return error.reason === "encrypted" || error.reason === "cannot_decrypt"
        ? { _tag: "locked", reason: error.reason, why: error.detail }
        : damaged(error.detail)
    }
  }).pipe(Effect.withSpan("Outbox.opens"))

// ---------------------------------------------------------------------------------------------
// the folder
// ---------------------------------------------------------------------------------------------

/**
 * A file in an outbox that sync engines or people left there and that is never read: a
 * `conflict_copy` (`of`: the file it stands for) or `other`. Temps are not problems.
 *
 * @since 0.1.0
 * @category models
 */
export interface Problem {
  /** inside the outbox, `/` separated */
  readonly path: string
  readonly kind: "conflict_copy" | "other"
  readonly of?: string
}

/** @since 0.1.0 @category models */
export interface ScannedMachine {
  readonly id: string
  /** `DIR/<id>` */
  readonly dir: string
  readonly index: ReadResult<OutboxIndex>
  readonly receipts: ReadResult<Receipts>
  readonly problems: ReadonlyArray<Problem>
}

/** @since 0.1.0 @category models */
export interface Scan {
  /** every folder of `DIR` named as a machine id, by name */
  readonly machines: ReadonlyArray<ScannedMachine>
  /** the other entries of `DIR` (engines' own files left out), by name */
  readonly strays: ReadonlyArray<string>
}

const listDir = async (path: string): Promise<Array<nodeFs.Dirent>> =>
  (await fs.readdir(path, { withFileTypes: true }).catch((): Array<nodeFs.Dirent> => []))
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

const problemsOf = async (dir: string): Promise<Array<Problem>> => {
  const problems: Array<Problem> = []
  const note = (path: string) => {
    const kind = classifyName(path)
    if (kind === "conflict_copy") problems.push({ path, kind, of: conflictOf(path)! })
    else if (kind === "other") problems.push({ path, kind })
  }
  for (const entry of await listDir(dir)) {
    if (entry.name === TMP_DIR) continue
    if (entry.name === PACKAGES_DIR && entry.isDirectory()) {
      for (const inner of await listDir(Path.join(dir, PACKAGES_DIR))) {
        const path = `${PACKAGES_DIR}/${inner.name}`
        // a folder under packages/ is never a package, whatever its name
        if (inner.isDirectory() && classifyName(path) === "package") problems.push({ path, kind: "other" })
        else note(path)
      }
      continue
    }
    note(entry.name)
  }
  return problems
}

/**
 * Reads the whole exchange folder: each machine's index and receipts (as {@link readIndex}
 * reads them) and the files nobody should read. Fails only when `DIR` itself cannot be listed.
 *
 * @since 0.1.0
 * @category reading
 */
export const scan = (folder: string): Effect.Effect<Scan, PackageError> =>
  Effect.gen(function*() {
    const entries = yield* Effect.tryPromise({
      try: () => fs.readdir(folder, { withFileTypes: true }),
      catch: (error) => ioError(folder, "cannot list the exchange folder", error)
    })
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    const machines: Array<ScannedMachine> = []
    const strays: Array<string> = []
    for (const entry of entries) {
      if (entry.isDirectory() && isMachineId(entry.name)) {
        const dir = Path.join(folder, entry.name)
        const index = yield* readIndex(dir)
        const receipts = yield* readReceipts(dir)
        const problems = yield* Effect.promise(() => problemsOf(dir))
        machines.push({ id: entry.name, dir, index, receipts, problems })
      } else if (!Names.isEngineFile(entry.name)) {
        strays.push(entry.name)
      }
    }
    return { machines, strays }
  }).pipe(Effect.withSpan("Outbox.scan"))
