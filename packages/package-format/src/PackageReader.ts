/**
 * Reads a session package (folder, `.tgz`, or `.tgz.age` decrypted as it streams with the keys
 * of the command, `Encryption.Keys`) and checks all of it before anything is written
 * anywhere: entry names and types, the layout, duplicates (also by case), credentials (by name,
 * and skill files by their first bytes; a skill file the manifest's `allowed_files` lists may
 * travel), sizes (also decompressed, against gzip bombs: by each tar header, so a bomb is refused
 * before its body is inflated), the manifest, the metadata, and every file's size and
 * SHA-256 against the manifest. Sessions are streamed, never buffered; an optional inspector (a
 * stream, or a synchronous scan) sees each session's bytes in the same pass that hashes them. A
 * folder is read with synchronous calls, every file into the same buffer.
 *
 * A `.tgz` may hold the package's files at its top (what our writer makes), each under `./`
 * (`tar czf x.tgz -C pkg .`), under one top folder (`tar czf x.tgz pkg`), or both: the first
 * entry fixes which (see `internal/prefix.ts`), every name is checked raw and again once that
 * prefix is stripped, and refusals name the entry as the archive does.
 *
 * `extract` then unpacks a verified `.tgz` into a temp sibling of the destination, re-checking
 * every hash (and the prefix), and renames it into place.
 *
 * @since 0.1.0
 */
import { LineTooLong } from "@sessionport/schema/LineLimit"
import { Chunk, Effect, Option, Stream } from "effect"
import { createHash } from "node:crypto"
import * as nodeFs from "node:fs"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import { CHECKED_BYTES, contentRule, nameRule } from "./Credentials.js"
import * as Encryption from "./Encryption.js"
import * as Progress from "./Progress.js"
import {
  classifyFile,
  credentialDetail,
  duplicateDetail,
  type FileKind,
  folderRefusal,
  NameSet,
  unsafeReason
} from "./internal/entries.js"
import * as Age from "./internal/age.js"
import {
  destinationProblem,
  errorText,
  fsyncDir,
  lstatOrUndefined,
  randomSuffix,
  removeQuietly,
  renameFolderInto
} from "./internal/files.js"
import * as InternalLimits from "./internal/limits.js"
import { ArchivePrefix, entryName } from "./internal/prefix.js"
import {
  ENTRY_OVERHEAD,
  EntryReader,
  type EntrySource,
  type InflateLimit,
  openArchive,
  openFolder,
  readFailure
} from "./internal/source.js"
import { type StagedFile, Staging } from "./internal/staging.js"
import * as Layout from "./Layout.js"
import * as Manifest from "./Manifest.js"
import type { PackageFile, PackageManifest } from "./Manifest.js"
import { PackageError } from "./PackageError.js"
import type { Format } from "./PackageWriter.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Limits = InternalLimits.Limits

/**
 * 4 GiB per file, 64 GiB in all, 200,000 entries, 64 MiB per metadata file; a `.tgz` expands at
 * most 200 times (at least to 1 MiB). Session JSONL compresses 4 to 20 times with gzip, and the
 * tar headers of a package of many empty files some 50 times; gzip itself cannot go past about
 * 1,030 times, which a run of one byte (a bomb) reaches.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLimits: Limits = InternalLimits.defaultLimits

/**
 * A package that passed every check.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerifiedPackage<S = void> {
  readonly path: string
  readonly format: Format
  readonly manifest: PackageManifest
  /** "absent": a codex-session-transfer package has no `files` list, so nothing could be compared */
  readonly checksums: "verified" | "absent"
  /** every file except the manifest, as found (real size and SHA-256), by path */
  readonly files: ReadonlyArray<PackageFile>
  /** the text of every non-session, non-skill file, the manifest included */
  readonly metadata: ReadonlyMap<string, string>
  /** what the inspector answered for each `sessions/*` entry */
  readonly sessions: ReadonlyMap<string, S>
  /** the folder a `.tgz` was unpacked into while it was checked (`stageInto`), holding every file */
  readonly staged?: string | undefined
  /**
   * what every entry of the archive sits under, stripped from every name above: `""` (a folder,
   * or what our writer makes), `"./"` (`tar czf x.tgz -C pkg .`), `"pkg/"` (`tar czf x.tgz pkg`)
   * or `"./pkg/"`; `extract` requires the same
   */
  readonly prefix: string
  /** the macOS AppleDouble files (`._NAME`) of an archive with a prefix: read past, never unpacked */
  readonly appleDouble: ReadonlyArray<PackageFile>
}

/**
 * Sees one session's bytes as they stream past. It may stop reading early (e.g. after the first
 * lines): the rest is still read and hashed.
 *
 * @since 0.1.0
 * @category models
 */
export type Inspector<S, E> = (entry: string, content: Stream.Stream<Uint8Array, PackageError>) => Effect.Effect<S, E | PackageError>

/**
 * Sees one session's bytes synchronously, chunk by chunk, in the pass that hashes them: the cheap
 * form of {@link Inspector} (no stream per session), for callers whose work on the bytes is
 * synchronous anyway. What `push`, `end` or the function making the scan throws fails verify
 * with `corrupt_archive` naming the session and the thrown error's message (a thrown
 * {@link PackageError} fails it as it is).
 *
 * @since 0.1.0
 * @category models
 */
export interface Scan<S> {
  /**
   * the next chunk, valid during the call only (its memory is reused for the next one); answers
   * `false` when it needs no more (the rest is still read and hashed)
   */
  readonly push: (bytes: Uint8Array) => boolean
  /** once the content ended or `push` answered `false`: what verify keeps for the session */
  readonly end: () => S
}

/**
 * At most one way to look at the sessions: a stream each (`inspectSession`), or a synchronous
 * {@link Scan} each (`scanSession`).
 *
 * @since 0.1.0
 * @category models
 */
export type VerifyOptions<S, E> =
  & {
    readonly limits?: Partial<Limits> | undefined
    /**
     * the agents besides Codex this reader can install (default none): a package holding
     * sessions of any other agent is refused whole (`unsupported_agent`)
     */
    readonly agents?: ReadonlyArray<string> | undefined
    /**
     * a folder (which must not exist; its parent must) that a `.tgz`'s files are unpacked into in
     * the same pass that checks them, answered as `staged`; the caller removes it. A folder
     * package is not copied.
     */
    readonly stageInto?: string | undefined
  }
  & (
    | {
      readonly inspectSession?: Inspector<S, E> | undefined
      readonly scanSession?: undefined
    }
    | {
      readonly inspectSession?: undefined
      readonly scanSession: (entry: string) => Scan<S>
    }
  )

const refuse = (reason: PackageError["reason"], pkg: string, detail: string, entry?: string) =>
  new PackageError({ reason, package: pkg, ...(entry === undefined ? {} : { entry }), detail })

/** The form of a package, and its size on disk when it is a `.tgz`. */
interface Detected {
  readonly format: Format
  readonly bytes: number
}

/** Detects the form of `path`: a folder, a gzip file, or neither. */
const detect = (path: string): Effect.Effect<Detected, PackageError> =>
  Effect.tryPromise({
    try: async (): Promise<Detected | PackageError> => {
      let stat: nodeFs.Stats
      try {
        stat = await fs.stat(path)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return refuse("not_found", path, "no such file or folder")
        throw error
      }
      if (stat.isDirectory()) {
        const manifest = await lstatOrUndefined(Path.join(path, Layout.MANIFEST))
        const threads = await lstatOrUndefined(Path.join(path, ...Layout.THREADS.split("/")))
        return manifest === undefined && threads === undefined
          ? refuse("not_a_package", path, `a folder without ${Layout.MANIFEST}`)
          : { format: "directory", bytes: stat.size }
      }
      if (!stat.isFile()) return refuse("not_a_package", path, "neither a folder nor a .tgz file")
      const handle = await fs.open(path, "r")
      try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(Age.HEAD_BYTES), 0, Age.HEAD_BYTES, 0)
        switch (Age.kindOf(buffer.subarray(0, bytesRead))) {
          case "gzip":
            return { format: "tgz", bytes: stat.size }
          case "age":
            return { format: "tgz.age", bytes: stat.size }
          case "armored":
            return refuse("not_a_package", path, "an ASCII-armored age file (age -a): decrypt it with age -d and read the .tgz; sessionport reads binary age files")
          default:
            return refuse("not_a_package", path, "neither a folder, a gzip-compressed tar, nor an age-encrypted one")
        }
      } finally {
        await handle.close()
      }
    },
    catch: (error) => refuse("io", path, `cannot read: ${errorText(error)}`)
  }).pipe(Effect.flatMap((result) => result instanceof PackageError ? Effect.fail(result) : Effect.succeed(result)))

/** The entries of a package; an encrypted one decrypted with the command's keys (`Encryption.Keys`). */
const openSource = (path: string, format: Format, inflate: InflateLimit, onConsumed?: (bytes: number) => void) =>
  Effect.flatMap(Encryption.ambient, (keys) =>
    Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => format === "directory" ? openFolder(path) : await openArchive(path, inflate, keys, { onConsumed }),
        catch: (error) => readFailure(path, error)
      }),
      (source) => Effect.promise(source.close)
    ))

const nextEntry = (path: string, source: EntrySource) =>
  Effect.tryPromise({ try: source.next, catch: (error) => readFailure(path, error) })

const fieldsOf = (error: PackageError) => ({
  reason: error.reason,
  package: error.package,
  ...(error.entry === undefined ? {} : { entry: error.entry }),
  detail: error.detail
})

/** A refusal of the whole package, its entry named as the archive does (with `prefix`). */
const asArchived = (prefix: string) => (error: PackageError): PackageError =>
  prefix === "" || error.entry === undefined ? error : new PackageError({ ...fieldsOf(error), entry: prefix + error.entry })

/** A refusal that an archive of the package's folder (instead of its contents) may explain, with the way out. */
const hinted = (error: PackageError, hint: string | undefined): PackageError =>
  hint === undefined || (error.reason !== "not_a_package" && error.reason !== "unexpected_file")
    ? error
    : new PackageError({ ...fieldsOf(error), detail: `${error.detail}; ${hint}` })

/** The stream an inspector sees; it ends (for the inspector) once the inspector has returned. */
const inspectorStream = (path: string, entry: string, reader: EntryReader, done: () => boolean) =>
  Stream.repeatEffectChunkOption(
    Effect.suspend(() =>
      done()
        ? Effect.fail(Option.none())
        : Effect.tryPromise({ try: () => reader.readOwned(), catch: (error) => Option.some(readFailure(path, error, entry)) }).pipe(
          Effect.flatMap((bytes) => bytes === undefined ? Effect.fail(Option.none()) : Effect.succeed(Chunk.of(bytes)))
        )
    )
  )

type JsonLine = { readonly line: number; readonly value: unknown } | { readonly line: number; readonly error: string }

const jsonLines = (text: string): Array<JsonLine> =>
  text.split("\n").flatMap((raw, i): Array<JsonLine> => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    if (line.trim() === "") return []
    try {
      return [{ line: i + 1, value: JSON.parse(line) as unknown }]
    } catch (error) {
      return [{ line: i + 1, error: errorText(error) }]
    }
  })

/** The file name at the end of a path written on any platform. */
const baseName = (path: string) => path.split(/[\\/]/).pop() ?? ""

/**
 * The checks that need the whole package: credentials allowed, manifest, metadata, rollouts
 * named, checksums. `flagged`: the skill files that look like credentials, with their rule.
 */
const conclude = <S>(
  path: string,
  format: Format,
  files: Map<string, PackageFile>,
  metadata: Map<string, string>,
  sessions: Map<string, S>,
  flagged: Map<string, string>,
  knownAgents: ReadonlyArray<string>
): Effect.Effect<Omit<VerifiedPackage<S>, "prefix" | "appleDouble">, PackageError> =>
  Effect.gen(function*() {
    const manifestText = metadata.get(Layout.MANIFEST)
    if (manifestText === undefined) {
      return yield* files.has(Layout.THREADS)
        ? refuse("missing_file", path, "the package has no manifest", Layout.MANIFEST)
        : refuse("not_a_package", path, `no ${Layout.MANIFEST} in it`)
    }
    const manifest = yield* Manifest.parse(manifestText, path)
    yield* agentsCheck(path, manifest, files, knownAgents)
    const allowed = new Set((manifest.allowed_files ?? []).map((file) => file.path))
    for (const [entry, rule] of flagged) {
      if (!allowed.has(entry)) return yield* refuse("credential_file", path, credentialDetail(rule, entry), entry)
    }
    const threadsText = metadata.get(Layout.THREADS)
    if (threadsText === undefined) return yield* refuse("missing_file", path, "every package lists its threads here", Layout.THREADS)

    const badMetadata = (entry: string, detail: string) => refuse("bad_metadata", path, detail, entry)
    const threads: Array<{ readonly id: string; readonly rollout: string; readonly line: number }> = []
    for (const parsed of jsonLines(threadsText)) {
      if ("error" in parsed) return yield* badMetadata(Layout.THREADS, `line ${parsed.line} is not JSON (${parsed.error})`)
      const row = parsed.value as { id?: unknown; rollout_path?: unknown } | null
      if (typeof row !== "object" || row === null || typeof row.id !== "string" || typeof row.rollout_path !== "string") {
        return yield* badMetadata(Layout.THREADS, `line ${parsed.line} has no string "id" and "rollout_path"`)
      }
      threads.push({ id: row.id, rollout: baseName(row.rollout_path), line: parsed.line })
    }
    for (const entry of [Layout.SESSION_INDEX, Layout.DYNAMIC_TOOLS]) {
      const text = metadata.get(entry)
      if (text === undefined) continue
      const bad = jsonLines(text).find((parsed) => "error" in parsed)
      if (bad !== undefined) return yield* badMetadata(entry, `line ${bad.line} is not JSON`)
    }
    for (const entry of [Layout.PATH_LOCALIZATION, Layout.REQUIRED_DIRECTORIES]) {
      const text = metadata.get(entry)
      if (text === undefined) continue
      try {
        JSON.parse(text)
      } catch (error) {
        return yield* badMetadata(entry, `not JSON (${errorText(error)})`)
      }
    }

    for (const thread of threads) {
      if (unsafeReason(thread.rollout) !== undefined) {
        return yield* badMetadata(Layout.THREADS, `line ${thread.line}: rollout_path has no usable file name`)
      }
      const entry = Layout.sessionEntry(thread.rollout)
      // Codex keeps the plain `.jsonl` path in its row after compressing the file to `.jsonl.zst`
      if (!files.has(entry) && !files.has(`${entry}.zst`)) {
        return yield* refuse("missing_file", path, `thread ${thread.id} names this rollout but the package does not have it`, entry)
      }
    }

    if (manifest.files !== undefined) {
      const listed = new Set<string>()
      for (const expected of manifest.files) {
        if (listed.has(expected.path)) return yield* refuse("bad_manifest", path, `files lists ${expected.path} twice`, Layout.MANIFEST)
        listed.add(expected.path)
        const actual = files.get(expected.path)
        if (actual === undefined) return yield* refuse("missing_file", path, "listed in the manifest but not in the package", expected.path)
        if (actual.size !== expected.size) {
          return yield* refuse("checksum_mismatch", path, `${actual.size} bytes, the manifest says ${expected.size}`, expected.path)
        }
        if (actual.sha256 !== expected.sha256.toLowerCase()) {
          return yield* refuse("checksum_mismatch", path, `sha256 ${actual.sha256}, the manifest says ${expected.sha256}`, expected.path)
        }
      }
      for (const entry of files.keys()) {
        if (!listed.has(entry)) return yield* refuse("unexpected_file", path, "not listed in the manifest's files", entry)
      }
    }

    return {
      path,
      format,
      manifest,
      checksums: manifest.files === undefined ? "absent" : "verified",
      files: [...files.values()].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
      metadata,
      sessions
    } satisfies Omit<VerifiedPackage<S>, "prefix" | "appleDouble">
  })

/**
 * The agents of a package: each known here, each session of one listed and its transcript
 * present, and no file of an agent or session the manifest does not declare.
 */
const agentsCheck = (
  path: string,
  manifest: PackageManifest,
  files: ReadonlyMap<string, PackageFile>,
  knownAgents: ReadonlyArray<string>
): Effect.Effect<void, PackageError> =>
  Effect.gen(function*() {
    const declared = new Set(manifest.agents ?? [])
    const unknown = [...declared].filter((agent) => agent !== "codex" && !knownAgents.includes(agent))
    if (unknown.length > 0) {
      return yield* refuse(
        "unsupported_agent",
        path,
        `holds sessions of ${unknown.join(", ")}, which this sessionport cannot install (it knows codex${
          knownAgents.length === 0 ? "" : `, ${knownAgents.join(", ")}`
        }); upgrade sessionport`
      )
    }
    const listed = new Set<string>()
    for (const session of manifest.agent_sessions ?? []) {
      const key = `${session.agent}/${session.id}`
      if (!declared.has(session.agent) || session.agent === "codex") {
        return yield* refuse("bad_manifest", path, `agent_sessions names ${key}, but agents does not declare ${session.agent}`, Layout.MANIFEST)
      }
      if (!Layout.isSafeSegment(session.id)) {
        return yield* refuse("bad_manifest", path, `agent_sessions: session id ${JSON.stringify(session.id)} cannot name a file`, Layout.MANIFEST)
      }
      if (listed.has(key)) return yield* refuse("bad_manifest", path, `agent_sessions lists ${key} twice`, Layout.MANIFEST)
      listed.add(key)
      const transcript = Layout.agentTranscriptEntry(session.agent, session.id)
      if (!files.has(transcript)) return yield* refuse("missing_file", path, `session ${key} has no transcript`, transcript)
    }
    for (const entry of files.keys()) {
      const parsed = Layout.parseAgentEntry(entry)
      if (parsed === undefined) continue
      if (!declared.has(parsed.agent) || parsed.agent === "codex") {
        return yield* refuse("unexpected_file", path, `the manifest does not declare agent ${parsed.agent}`, entry)
      }
      if (parsed.kind !== "metadata" && !listed.has(`${parsed.agent}/${parsed.id}`)) {
        return yield* refuse("unexpected_file", path, `session ${parsed.agent}/${parsed.id} is not in the manifest's agent_sessions`, entry)
      }
    }
  })

/**
 * Reads and checks a whole package. Nothing is written; sessions are streamed once (hashing and
 * inspecting together).
 *
 * @since 0.1.0
 * @category reading
 */
export const verify = <S = void, E = never>(
  path: string,
  options?: VerifyOptions<S, E>
): Effect.Effect<VerifiedPackage<S>, PackageError | E> =>
  Effect.suspend(() => {
    // the archive's form, learnt as it is read: a refusal of an archived folder gets a hint
    let archive: ArchivePrefix | undefined
    return Effect.gen(function*() {
      const limits: Limits = { ...defaultLimits, ...options?.limits }
      const { bytes: archiveBytes, format } = yield* detect(path)
      const expansion = InternalLimits.expansionLimits(archiveBytes, limits)
      // a .tgz's progress is its bytes inflated (its size is known), a folder's the bytes hashed
      const archived = format !== "directory"
      const task = yield* Progress.ambient("verifying", archived ? archiveBytes : 0, "bytes")
      const source = yield* openSource(path, format, expansion.inflate, task.advance)
      const names = new NameSet()
      const files = new Map<string, PackageFile>()
      const metadata = new Map<string, string>()
      const sessions = new Map<string, S>()
      const flagged = new Map<string, string>()
      const staging = archived && options?.stageInto !== undefined ? new Staging(options.stageInto) : undefined
      // what a refused package left under way is ended and waited for (the caller removes the folder)
      if (staging !== undefined) yield* Effect.addFinalizer(() => Effect.promise(() => staging.settle()))
      let entries = 0
      let total = 0
      let declared = 0
      // a folder's names are clean; an archive's may all sit under `./` or one top folder
      const prefix = archived ? ArchivePrefix.detect() : ArchivePrefix.none()
      archive = prefix
      const appleDouble: Array<PackageFile> = []

      while (true) {
        const raw = yield* nextEntry(path, source)
        if (raw === undefined) {
          const stray = prefix.finish()
          if (stray?._tag === "Refused") return yield* refuse(stray.reason, path, stray.detail, stray.entry)
          break
        }
        // refusals name the entry as the archive does (prefix included), the rest the stripped name
        const blamed = entryName(raw.name, raw.type)
        const fail = (reason: PackageError["reason"], detail: string) => refuse(reason, path, detail, blamed)
        if (++entries > limits.maxEntries) return yield* fail("too_large", `more than ${limits.maxEntries} entries`)
        if (raw.type !== "file" && raw.type !== "directory") {
          return yield* fail("unsafe_entry", `${raw.type} entries are not allowed (only files and folders)`)
        }
        const judged = prefix.judge(raw.name, raw.type)
        if (judged._tag === "Refused") return yield* refuse(judged.reason, path, judged.detail, judged.entry ?? blamed)
        if (judged._tag === "Root") continue
        const name = judged.name

        if (raw.type === "directory") {
          const refusal = folderRefusal(name)
          if (refusal !== undefined) return yield* fail("unexpected_file", refusal)
          const clash = names.addFolder(name)
          if (clash !== undefined) return yield* fail("duplicate_entry", duplicateDetail(blamed, prefix.prefix + clash))
          if (staging !== undefined) yield* staged(path, blamed, () => staging.addFolder(name))
          continue
        }

        let kind: FileKind | "apple-double" = "apple-double"
        if (judged._tag === "Entry") {
          const classified = classifyFile(name)
          if ("refused" in classified) return yield* fail(classified.refused, classified.detail)
          kind = classified.kind
          const clash = names.addFile(name)
          if (clash !== undefined) return yield* fail("duplicate_entry", duplicateDetail(blamed, prefix.prefix + clash))
        }
        const maxSize = kind === "metadata" ? Math.min(limits.maxEntrySize, limits.maxMetadataSize) : limits.maxEntrySize
        const tooBig = (size: number) =>
          fail(
            "too_large",
            size > limits.maxEntrySize
              ? `over the ${limits.maxEntrySize}-byte limit per file`
              : `metadata over the ${limits.maxMetadataSize}-byte limit`
          )
        if (raw.size > maxSize) return yield* tooBig(raw.size)
        declared += raw.size
        if (declared > limits.maxTotalSize) return yield* fail("too_large", `the files add up to more than the ${limits.maxTotalSize}-byte limit`)
        // refused at its header: inflating the body first is what a bomb costs
        const bomb = archived ? expansion.declared(declared) : undefined
        if (bomb !== undefined) return yield* fail("too_large", bomb)

        const reader = new EntryReader(
          raw.content ?? emptyContent(),
          (bytes, sizeSoFar) => {
            if (sizeSoFar > maxSize) throw tooBig(sizeSoFar)
            if (format === "directory") task.advance(bytes)
            total += bytes
            if (total > limits.maxTotalSize) throw fail("too_large", `the files add up to more than the ${limits.maxTotalSize}-byte limit`)
          },
          kind === "metadata",
          source.reusesChunks
        )
        const file = staging === undefined || kind === "apple-double" ? undefined : yield* staged(path, blamed, () => staging.open(name))
        if (file !== undefined) reader.tee = teeInto(file, path, blamed)
        // a skill file not named like a credential is judged by its first bytes
        const named = kind === "skill" ? nameRule(name) : undefined
        const head = kind === "skill" && named === undefined ? headOf(CHECKED_BYTES) : undefined
        const readAll = Effect.tryPromise({ try: () => reader.drain(head?.push), catch: (error) => readFailure(path, error, blamed) })
        const inspect = options?.inspectSession
        const scanSession = options?.scanSession
        if (kind === "session" && scanSession !== undefined) {
          sessions.set(name, yield* scanned(path, name, blamed, reader, scanSession))
        } else if (kind === "session" && inspect !== undefined) {
          let inspected = false
          const result = yield* inspect(name, inspectorStream(path, blamed, reader, () => inspected)).pipe(
            Effect.ensuring(Effect.sync(() => {
              inspected = true
            }))
          )
          yield* readAll
          sessions.set(name, result)
        } else {
          yield* readAll
        }
        if (file !== undefined) yield* staged(path, blamed, file.close)
        if (kind === "apple-double") {
          appleDouble.push({ path: name, size: reader.size, sha256: reader.sha256() })
          continue
        }
        const credential = named ?? (head === undefined ? undefined : yield* contentRule(name, head.bytes()))
        if (credential !== undefined) flagged.set(name, credential)
        if (name === Layout.MANIFEST) {
          metadata.set(name, reader.text())
          continue
        }
        if (kind === "metadata") metadata.set(name, reader.text())
        files.set(name, { path: name, size: reader.size, sha256: reader.sha256() })
      }
      const verified = yield* conclude(path, format, files, metadata, sessions, flagged, options?.agents ?? []).pipe(
        Effect.mapError(asArchived(prefix.prefix))
      )
      if (appleDouble.length > 0) {
        yield* Effect.logWarning(
          `${path}: skipped ${appleDouble.length} macOS metadata file(s) (._NAME, which macOS tar adds next to files with extended attributes)`
        )
      }
      const done = { ...verified, prefix: prefix.prefix, appleDouble }
      return staging === undefined ? done : { ...done, staged: yield* staged(path, undefined, () => staging.done()) }
    }).pipe(
      Effect.mapError((error) => error instanceof PackageError ? hinted(error, archive?.hint) : error),
      Effect.scoped,
      Effect.withSpan("PackageReader.verify", { attributes: { path } })
    )
  })

/** What an entry's reader hands each chunk: the staged file's write, failing as one clear line. */
const teeInto = (file: StagedFile, path: string, name: string) => {
  const failure = (error: unknown) => refuse("io", path, `cannot unpack: ${errorText(error)}`, name)
  return (bytes: Uint8Array): Promise<void> | undefined => {
    try {
      return file.write(bytes)?.catch((error) => Promise.reject(failure(error)))
    } catch (error) {
      throw failure(error)
    }
  }
}

/** A staging step (a folder, a file opened or closed, the end) that fails as one clear line; waits for the room it answers. */
const staged = <A>(path: string, entry: string | undefined, f: () => A | Promise<A>): Effect.Effect<A, PackageError> =>
  Effect.tryPromise({ try: async () => await f(), catch: (error) => refuse("io", path, `cannot unpack: ${errorText(error)}`, entry) })

const emptyContent = (): AsyncIterator<Uint8Array> => ({ next: async () => ({ done: true, value: undefined }) })

/** Keeps (copies) the first `limit` bytes of the chunks pushed to it. */
const headOf = (limit: number) => {
  const chunks: Array<Buffer> = []
  let size = 0
  return {
    push: (bytes: Uint8Array) => {
      if (size >= limit) return
      const part = Buffer.from(bytes.subarray(0, limit - size))
      chunks.push(part)
      size += part.byteLength
    },
    bytes: () => Buffer.concat(chunks)
  }
}

/** What a {@link Scan} threw (as opposed to the reader). */
class ScanFailure {
  constructor(readonly cause: unknown) {}
}

const scanning = <A>(f: () => A): A => {
  try {
    return f()
  } catch (error) {
    throw new ScanFailure(error)
  }
}

/** Reads (and hashes) a whole session, its bytes handed to a scan until it wants no more; `blamed`: its raw name. */
const scanned = <S>(path: string, entry: string, blamed: string, reader: EntryReader, scanOf: (entry: string) => Scan<S>) =>
  Effect.tryPromise({
    try: async () => {
      const scan = scanning(() => scanOf(entry))
      let wanted = true
      await reader.drain((bytes) => {
        if (wanted) wanted = scanning(() => scan.push(bytes))
      })
      return scanning(() => scan.end())
    },
    catch: (error) =>
      !(error instanceof ScanFailure)
        ? readFailure(path, error, blamed)
        : error.cause instanceof PackageError
        ? error.cause
        : error.cause instanceof LineTooLong
        ? refuse("too_large", path, error.cause.message, blamed)
        : refuse("corrupt_archive", path, errorText(error.cause), blamed)
  })

/**
 * @since 0.3.0
 * @category models
 */
export interface ExtractOptions {
  /** the files to unpack (the others are still read and checked, not written); default all */
  readonly only?: ((entry: string) => boolean) | undefined
}

/**
 * Unpacks a verified package into `dest` (which must not exist, or be an empty folder) and
 * answers the folder holding it. A `.tgz` is streamed a second time into a temp sibling of
 * `dest`, every file re-checked against what `verify` found (the archive may have changed since),
 * then renamed into place; a folder package is already unpacked and is answered as is.
 *
 * @since 0.1.0
 * @category reading
 */
export const extract: <S>(
  verified: VerifiedPackage<S>,
  dest: string,
  options?: ExtractOptions
) => Effect.Effect<string, PackageError> = Effect.fn(
  "PackageReader.extract"
)(function*<S>(verified: VerifiedPackage<S>, dest: string, options?: ExtractOptions) {
  if (verified.format === "directory") return verified.path
  const path = verified.path
  const fail = (reason: PackageError["reason"], detail: string, entry?: string) => refuse(reason, path, detail, entry)
  const io = (detail: string) => (error: unknown) => fail("io", `${detail}: ${errorText(error)}`)
  const problem = yield* Effect.tryPromise({ try: () => destinationProblem(dest, true), catch: io(`cannot inspect ${dest}`) })
  if (problem !== undefined) return yield* fail("destination_exists", `${dest} ${problem}`)

  const manifestText = verified.metadata.get(Layout.MANIFEST) ?? ""
  const expected = new Map<string, PackageFile>(verified.files.map((file) => [file.path, file]))
  const manifestBytes = Buffer.from(manifestText, "utf8")
  const manifestSha = createHash("sha256").update(manifestBytes).digest("hex")
  expected.set(Layout.MANIFEST, { path: Layout.MANIFEST, size: manifestBytes.byteLength, sha256: manifestSha })
  // read past, never unpacked: they still count against what the archive may decompress to
  const skipped = new Map<string, PackageFile>(verified.appleDouble.map((file) => [file.path, file]))
  const expectedTotal = [...expected.values(), ...skipped.values()].reduce((sum, file) => sum + file.size, 0)

  const temp = `${dest}.tmp-${randomSuffix()}`
  let moved = false
  // the files are written behind the reader (see `verify`'s staging); what a failure left under
  // way is ended and waited for before the temp folder goes
  const staging = new Staging(temp)
  yield* Effect.acquireRelease(
    Effect.tryPromise({ try: () => staging.start(), catch: io(`cannot create ${temp}`) }),
    () => moved ? Effect.void : Effect.promise(() => staging.settle().then(() => removeQuietly(temp)))
  )
  const source = yield* openSource(path, verified.format, {
    bytes: expectedTotal + (2 * (expected.size + skipped.size) + 16) * ENTRY_OVERHEAD,
    detail: "decompresses to more than the verified files plus tar overhead (the archive changed since it was verified)"
  })
  // the prefix verify found, on every entry: this pass cannot read the archive another way
  const prefix = ArchivePrefix.fixed(verified.prefix)
  const seen = new Set<string>()
  while (true) {
    const raw = yield* nextEntry(path, source)
    if (raw === undefined) break
    const blamed = entryName(raw.name, raw.type)
    const changed = (reason: PackageError["reason"], detail: string, entry = blamed) =>
      fail(reason, `${detail} (the archive changed since it was verified)`, entry)
    if (raw.type !== "file" && raw.type !== "directory") return yield* changed("unsafe_entry", `${raw.type} entry`)
    const judged = prefix.judge(raw.name, raw.type)
    if (judged._tag === "Refused") return yield* changed(judged.reason, judged.detail, judged.entry)
    if (judged._tag === "Root") continue
    const name = judged.name
    if (raw.type === "directory") {
      if (folderRefusal(name) !== undefined) return yield* changed("unexpected_file", "folder outside the layout")
      yield* staged(path, blamed, () => staging.addFolder(name))
      continue
    }
    const want = (judged._tag === "AppleDouble" ? skipped : expected).get(name)
    if (want === undefined) return yield* changed("unexpected_file", "not in the verified package")
    if (seen.has(name)) return yield* changed("duplicate_entry", "appears twice")
    seen.add(name)
    if (raw.size !== want.size) return yield* changed("checksum_mismatch", `${raw.size} bytes, verified ${want.size}`)
    const reader = new EntryReader(raw.content ?? emptyContent(), (_bytes, sizeSoFar) => {
      if (sizeSoFar > want.size) throw changed("checksum_mismatch", `more than the verified ${want.size} bytes`)
    }, false)
    const unpack = judged._tag === "Entry" && (options?.only === undefined || options.only(name))
    const file = unpack ? yield* staged(path, blamed, () => staging.open(name)) : undefined
    if (file !== undefined) reader.tee = teeInto(file, path, blamed)
    yield* Effect.tryPromise({ try: () => reader.drain(), catch: (error) => readFailure(path, error, blamed) })
    if (file !== undefined) yield* staged(path, blamed, file.close)
    if (reader.sha256() !== want.sha256) return yield* changed("checksum_mismatch", "sha256 differs from the verified one")
  }
  for (const name of [...expected.keys(), ...skipped.keys()]) {
    if (!seen.has(name)) return yield* fail("missing_file", "gone from the archive since it was verified", verified.prefix + name)
  }
  yield* staged(path, undefined, () => staging.done())
  const again = yield* Effect.tryPromise({ try: () => destinationProblem(dest, true), catch: io(`cannot inspect ${dest}`) })
  if (again !== undefined) return yield* fail("destination_exists", `${dest} ${again}`)
  yield* Effect.tryPromise({
    try: async () => {
      await renameFolderInto(temp, dest)
      moved = true
    },
    catch: io(`cannot move the package into ${dest}`)
  }).pipe(Effect.uninterruptible)
  yield* Effect.promise(() => fsyncDir(Path.dirname(Path.resolve(dest))).catch(() => undefined))
  return dest
}, Effect.scoped)
