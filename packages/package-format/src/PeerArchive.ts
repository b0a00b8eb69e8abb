/**
 * Archives of coding-cli-session-sync (`{tool}-session-…tgz`, `{tool}-sessions-…tgz`, for Codex,
 * Claude Code and OpenCode), read as input: `sniff` tells one from a sessionport package by its
 * first file, `unpack` checks every entry as the package reader does and writes the session
 * files into a temporary agent home, from which our own exporter then makes a sessionport
 * package (see `@sessionport/cli-kit`'s `PackageSource`).
 *
 * The checks are those of `PackageReader.verify`: files and folders only, every name safe and
 * normalized, no duplicate (also by case), every size limit and the gzip-bomb check. What is not
 * a session file is dropped and reported by path and reason, never by content: `config.toml`
 * (sessionport never replaces this machine's config), files named like credentials, the rest of
 * `~/.claude` the peer sweeps in, and its OpenCode `part/<sessionID>*` files (see
 * `internal/peerLayout.ts`). The archive's own `checksum_sha256` never covers the archive (the
 * peer hashes an earlier file), so integrity is reported as unverified, never compared.
 *
 * @since 0.5.0
 */
import { Effect, Either, ParseResult, Schema } from "effect"
import { createHash } from "node:crypto"
import * as nodeFs from "node:fs"
import * as Path from "node:path"
import { nameRule } from "./Credentials.js"
import * as Encryption from "./Encryption.js"
import * as Age from "./internal/age.js"
import { sha256OfFile } from "./internal/digest.js"
import { duplicateDetail, NameSet, unsafeReason } from "./internal/entries.js"
import { errorText } from "./internal/files.js"
import * as InternalLimits from "./internal/limits.js"
import * as PeerLayout from "./internal/peerLayout.js"
import { entryName } from "./internal/prefix.js"
import { EntryReader, openArchive, readFailure } from "./internal/source.js"
import { Staging, type StagedFile } from "./internal/staging.js"
import { PackageError } from "./PackageError.js"

/** @since 0.5.0 @category models */
export type PeerTool = PeerLayout.PeerTool

/** What the `origin` of a package made from such an archive says it is. @since 0.5.0 @category constants */
export const FORMAT = "coding-cli-session-sync"

const text = Schema.optional(Schema.NullOr(Schema.String))
const count = Schema.optional(Schema.NullOr(Schema.Number))
const rest = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * `metadata.json`, as the peer writes it (`Metadata.to_dict`): every field optional but `tool`,
 * unknown fields kept.
 *
 * @since 0.5.0
 * @category models
 */
export const PeerMetadata = Schema.Struct({
  version: text,
  tool: Schema.Literal(...PeerLayout.TOOLS),
  export_timestamp: text,
  source_hostname: text,
  /** the first session of the archive */
  session: Schema.optional(Schema.NullOr(Schema.Struct({ id: text, name: text, tool: text, created_at: text, last_modified: text }, rest))),
  archive: Schema.optional(Schema.NullOr(Schema.Struct({ filename: text, checksum_sha256: text, size_bytes: count, file_count: count }, rest))),
  session_count: count,
  /** every session of a multi-session archive */
  all_session_ids: Schema.optional(Schema.NullOr(Schema.Array(Schema.String)))
}, rest).annotations({ identifier: "PeerMetadata" })

/** @since 0.5.0 @category models */
export type PeerMetadata = typeof PeerMetadata.Type

/**
 * A file of the archive that is not installed: its path in the archive and why (`config`,
 * `not_a_session`, `not_selected`, `not_carried`, `unsupported_format`, `bad_part_layout`,
 * `credential:<rule>`). Never its content.
 *
 * @since 0.5.0
 * @category models
 */
export interface Dropped {
  readonly path: string
  readonly reason: string
}

/**
 * Where a package made from a coding-cli-session-sync archive came from.
 *
 * @since 0.5.0
 * @category models
 */
export interface Origin {
  readonly format: typeof FORMAT
  readonly tool: PeerTool
  /** `version` of its `metadata.json` (the metadata format, "1.0") */
  readonly version: string | null
  /** the archive as the person named it */
  readonly archive: string
  /** SHA-256 of the archive file (what a repeat sync recognises it by) */
  readonly archive_sha256: string
  /** the `checksum_sha256` its metadata states: reported, never compared (it covers another file) */
  readonly stated_checksum: string | null
  readonly integrity: "unverified"
  readonly source_hostname: string | null
  /** local time of the source machine, no zone */
  readonly export_timestamp: string | null
  /** the sessions its metadata names (a Codex day folder, a Claude or OpenCode session id) */
  readonly session_ids: ReadonlyArray<string>
  readonly dropped: ReadonlyArray<Dropped>
}

/** What a file is: a sessionport package (or anything else the package reader judges), or a peer archive. @since 0.5.0 @category models */
export type Kind = { readonly _tag: "Sessionport" } | { readonly _tag: "Peer" }

/** @since 0.5.0 @category models */
export interface UnpackOptions {
  readonly limits?: Partial<InternalLimits.Limits> | undefined
  /** the archive as the person named it (refusals and `origin.archive`); default its path */
  readonly label?: string | undefined
}

/** @since 0.5.0 @category models */
export interface Unpacked {
  readonly tool: PeerTool
  /** the agent home the session files were written into (`<dest>/home`) */
  readonly home: string
  /** Claude: the sessions to take (those the metadata names, else every transcript); Codex and OpenCode: empty (every one) */
  readonly sessionIds: ReadonlyArray<string>
  readonly origin: Origin
  /** one line per class of dropped files, and what the archive lacks */
  readonly warnings: ReadonlyArray<string>
}

const SESSIONPORT: Kind = { _tag: "Sessionport" }
const PEER: Kind = { _tag: "Peer" }

/** Folder entries read past before the first file decides. */
const SNIFFED_FOLDERS = 64

/**
 * Whether `path` is a coding-cli-session-sync archive: a gzip tar whose first file is under
 * `.codex/`, `.claude/` or `opencode/storage/`, is `metadata.json`, or is an OpenCode session
 * (`ses_*.json`) at the root; such an archive encrypted with age too, when the command's keys
 * (`Encryption.Keys`) open it. Anything else (a folder, a file that cannot be read, a sessionport
 * package, an encrypted file no key opens) is left to the package reader, which says what is
 * wrong with it.
 *
 * @since 0.5.0
 * @category reading
 */
export const sniff = (path: string): Effect.Effect<Kind> =>
  Effect.flatMap(Encryption.ambient, (keys) => Effect.promise(async () => {
    try {
      const stat = await nodeFs.promises.stat(path)
      if (!stat.isFile()) return SESSIONPORT
      const kind = Age.kindOf(Age.headOf(path))
      // an encrypted file is looked into only with a key; without one the package reader says so
      if (kind !== "gzip" && (kind !== "age" || Encryption.isEmpty(keys))) return SESSIONPORT
      const source = await openArchive(path, InternalLimits.expansionLimits(stat.size, InternalLimits.defaultLimits).inflate, keys)
      try {
        for (let i = 0; i < SNIFFED_FOLDERS; i++) {
          const entry = await source.next()
          if (entry === undefined) return SESSIONPORT
          const name = entryName(entry.name, entry.type)
          if (entry.type === "directory" && PeerLayout.isPeerFolder(name)) continue
          return entry.type === "file" && PeerLayout.isPeerName(name) ? PEER : SESSIONPORT
        }
        return SESSIONPORT
      } finally {
        await source.close()
      }
    } catch {
      return SESSIONPORT
    }
  })).pipe(Effect.withSpan("PeerArchive.sniff", { attributes: { path } }))

/**
 * The `package_id` of the package made from an archive: a name-based UUID (version 8) of the
 * archive's SHA-256, so that a repeat sync of the same archive is recorded as the same package.
 *
 * @since 0.5.0
 * @category constructors
 */
export const packageId = (archiveSha256: string): string => {
  const bytes = createHash("sha256").update(`${FORMAT}:${archiveSha256}`).digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x80
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** What made the archive, as inspect shows it: `coding-cli-session-sync 1.0 (codex)`. @since 0.5.0 @category rendering */
export const producer = (origin: Origin): string => `${FORMAT}${origin.version === null ? "" : ` ${origin.version}`} (${origin.tool})`

const NAMES: Readonly<Record<PeerTool, string>> = { codex: "Codex", claude: "Claude Code", opencode: "OpenCode" }

const refuse = (reason: PackageError["reason"], pkg: string, detail: string, entry?: string) =>
  new PackageError({ reason, package: pkg, ...(entry === undefined ? {} : { entry }), detail })

const sha256File = (path: string, label: string) =>
  Effect.try({ try: () => sha256OfFile(path, { noFollow: false }), catch: (error) => refuse("io", label, `cannot read: ${errorText(error)}`) })

/** A staging step (a file opened, written or closed, the end) that fails as one clear line; waits for the room it answers. */
const staged = <A>(label: string, entry: string | undefined, f: () => A | Promise<A>) =>
  Effect.tryPromise({ try: async () => await f(), catch: (error) => refuse("io", label, `cannot unpack: ${errorText(error)}`, entry) })

const emptyContent = (): AsyncIterator<Uint8Array> => ({ next: async () => ({ done: true, value: undefined }) })

const decodeMetadata = Schema.decodeUnknownEither(PeerMetadata)

/** `metadata.json`'s text, read: its fields, or why it is refused. */
const readMetadata = (textOf: string, label: string) => {
  const bad = (detail: string) => refuse("bad_metadata", label, detail, PeerLayout.METADATA)
  let json: unknown
  try {
    json = JSON.parse(textOf)
  } catch (error) {
    return Effect.fail(bad(`not JSON (${errorText(error)})`))
  }
  const decoded = decodeMetadata(json)
  return Either.isRight(decoded)
    ? Effect.succeed(decoded.right)
    : Effect.fail(bad(`not coding-cli-session-sync metadata: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left).replace(/\s*\n\s*/g, " ")}`))
}

/** A Claude session file, kept only if its session is taken. */
interface OfSession {
  readonly entry: string
  readonly path: string
  readonly session: string
  readonly transcript: boolean
}

/**
 * Checks every entry of a coding-cli-session-sync archive and writes its session files into
 * `<dest>/home` (`dest` must exist; `home` must not) as the agent's home tree; everything else is
 * dropped and reported. Fails on the first entry the package reader would refuse too, on a
 * `metadata.json` that is not the peer's (or names another tool than the archive holds), and on
 * files of two tools.
 *
 * @since 0.5.0
 * @category reading
 */
export const unpack = (path: string, dest: string, options: UnpackOptions = {}): Effect.Effect<Unpacked, PackageError> => {
  const label = options.label ?? path
  return Effect.gen(function*() {
    const limits: InternalLimits.Limits = { ...InternalLimits.defaultLimits, ...options.limits }
    const size = yield* Effect.try({
      try: () => nodeFs.statSync(path).size,
      catch: (error) =>
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? refuse("not_found", label, "no such file")
          : refuse("io", label, `cannot read: ${errorText(error)}`)
    })
    const archiveSha256 = yield* sha256File(path, label)
    const expansion = InternalLimits.expansionLimits(size, limits)
    const keys = yield* Encryption.ambient
    const source = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => openArchive(path, expansion.inflate, keys, { label }), catch: (error) => readFailure(label, error) }),
      (source) => Effect.promise(source.close)
    )
    const home = Path.join(dest, "home")
    const staging = new Staging(home)
    // what a refused archive left under way is ended and waited for (the caller removes `dest`)
    yield* Effect.addFinalizer(() => Effect.promise(() => staging.settle()))
    yield* staged(label, undefined, () => staging.start())

    const names = new NameSet()
    // two entries must not land on one file of the home (a root `ses_X.json` and `storage/session/global/ses_X.json`)
    const targets = new NameSet()
    let tool: { readonly tool: PeerTool; readonly entry: string } | undefined
    const kept: Array<string> = []
    const ofSession: Array<OfSession> = []
    const dropped: Array<Dropped> = []
    const rootJsons: Array<string> = []
    let metadataText: string | undefined
    let entries = 0
    let declared = 0
    let total = 0

    while (true) {
      const raw = yield* Effect.tryPromise({ try: source.next, catch: (error) => readFailure(label, error) })
      if (raw === undefined) break
      const blamed = entryName(raw.name, raw.type)
      const fail = (reason: PackageError["reason"], detail: string) => refuse(reason, label, detail, blamed)
      if (++entries > limits.maxEntries) return yield* fail("too_large", `more than ${limits.maxEntries} entries`)
      if (raw.type !== "file" && raw.type !== "directory") {
        return yield* fail("unsafe_entry", `${raw.type} entries are not allowed (only files and folders)`)
      }
      const unsafe = unsafeReason(blamed)
      if (unsafe !== undefined) return yield* fail("unsafe_entry", unsafe)
      const folder = raw.type === "directory"
      const root = PeerLayout.rootOf(blamed, folder)
      if (root._tag === "Outside") {
        return yield* fail(
          "unexpected_file",
          "not part of a coding-cli-session-sync archive (.codex/, .claude/, opencode/, a session's <id>.json, metadata.json)"
        )
      }
      if (root._tag === "Tool") {
        if (tool === undefined) tool = { tool: root.tool, entry: blamed }
        else if (tool.tool !== root.tool) {
          return yield* fail(
            "unexpected_file",
            `files of ${NAMES[root.tool]} in an archive of ${NAMES[tool.tool]} (${tool.entry}): a coding-cli-session-sync archive holds one tool's`
          )
        }
      }
      if (folder) {
        const clash = names.addFolder(blamed)
        if (clash !== undefined) return yield* fail("duplicate_entry", duplicateDetail(blamed, clash))
        continue
      }
      const clash = names.addFile(blamed)
      if (clash !== undefined) return yield* fail("duplicate_entry", duplicateDetail(blamed, clash))

      const placement = PeerLayout.place(blamed, nameRule(blamed))
      const isMetadata = placement._tag === "Metadata"
      const maxSize = isMetadata ? Math.min(limits.maxEntrySize, limits.maxMetadataSize) : limits.maxEntrySize
      const tooBig = (bytes: number) =>
        fail(
          "too_large",
          bytes > limits.maxEntrySize ? `over the ${limits.maxEntrySize}-byte limit per file` : `metadata over the ${limits.maxMetadataSize}-byte limit`
        )
      if (raw.size > maxSize) return yield* tooBig(raw.size)
      declared += raw.size
      if (declared > limits.maxTotalSize) return yield* fail("too_large", `the files add up to more than the ${limits.maxTotalSize}-byte limit`)
      // refused at its header: inflating the body first is what a bomb costs
      const bomb = expansion.declared(declared)
      if (bomb !== undefined) return yield* fail("too_large", bomb)

      let target: string | undefined
      if (placement._tag === "Keep" || placement._tag === "OfSession") {
        target = placement.path
        const lands = targets.addFile(target)
        if (lands !== undefined) return yield* fail("duplicate_entry", `unpacks to ${target}, as an earlier entry does`)
        if (placement._tag === "Keep") kept.push(target)
        else ofSession.push({ entry: blamed, path: target, session: placement.session, transcript: placement.transcript })
      } else if (placement._tag === "Drop") {
        dropped.push({ path: blamed, reason: placement.reason })
      } else if (placement._tag === "RootJson") {
        rootJsons.push(blamed)
      }

      const reader = new EntryReader(raw.content ?? emptyContent(), (bytes, sizeSoFar) => {
        if (sizeSoFar > maxSize) throw tooBig(sizeSoFar)
        total += bytes
        if (total > limits.maxTotalSize) throw fail("too_large", `the files add up to more than the ${limits.maxTotalSize}-byte limit`)
      }, isMetadata)
      let file: StagedFile | undefined
      if (target !== undefined) {
        const opened = yield* staged(label, blamed, () => staging.open(target))
        file = opened
        reader.tee = (bytes) => {
          try {
            return opened.write(bytes)?.catch((error) => Promise.reject(refuse("io", label, `cannot unpack: ${errorText(error)}`, blamed)))
          } catch (error) {
            throw refuse("io", label, `cannot unpack: ${errorText(error)}`, blamed)
          }
        }
      }
      // a dropped file is read past (and counted), never written
      yield* Effect.tryPromise({ try: () => reader.drain(), catch: (error) => readFailure(label, error, blamed) })
      if (file !== undefined) yield* staged(label, blamed, file.close)
      if (isMetadata) metadataText = reader.text()
    }
    yield* staged(label, undefined, () => staging.done())

    const metadata = metadataText === undefined ? undefined : yield* readMetadata(metadataText, label)
    if (metadata !== undefined && tool !== undefined && metadata.tool !== tool.tool) {
      return yield* refuse(
        "bad_metadata",
        label,
        `says the archive is of ${metadata.tool}, but it holds ${NAMES[tool.tool]}'s files (${tool.entry})`,
        PeerLayout.METADATA
      )
    }
    const archiveTool = tool?.tool ?? metadata?.tool
    if (archiveTool === undefined) {
      return yield* refuse("not_a_package", label, "neither a tool's files nor a metadata.json: not a coding-cli-session-sync archive")
    }
    const warnings: Array<string> = []
    if (metadata === undefined) {
      warnings.push(`the archive has no ${PeerLayout.METADATA} (coding-cli-session-sync writes one last): taken as a ${NAMES[archiveTool]} archive by its folders`)
    }
    for (const entry of rootJsons) dropped.push({ path: entry, reason: PeerLayout.rootJsonReason(archiveTool) })

    // Claude: the peer copies every transcript of ~/.claude; only the sessions it names are taken
    const named = metadata?.all_session_ids ?? (typeof metadata?.session?.id === "string" ? [metadata.session.id] : undefined)
    const transcripts = new Set(ofSession.filter((f) => f.transcript).map((f) => f.session))
    const taken = named === undefined ? transcripts : new Set(named.filter((id) => transcripts.has(id)))
    for (const file of ofSession) {
      if (taken.has(file.session)) continue
      dropped.push({ path: file.entry, reason: transcripts.has(file.session) ? "not_selected" : "not_a_session" })
      yield* Effect.try({
        try: () => nodeFs.rmSync(Path.join(home, ...file.path.split("/")), { force: true }),
        catch: (error) => refuse("io", label, `cannot unpack: ${errorText(error)}`, file.entry)
      })
    }
    if (archiveTool === "claude") {
      const missing = (named ?? []).filter((id) => !transcripts.has(id))
      if (missing.length > 0) {
        warnings.push(`${PeerLayout.METADATA} names ${missing.length} Claude session(s) the archive holds no transcript of: ${missing.join(", ")}`)
      }
      const others = [...transcripts].filter((id) => !taken.has(id)).length
      if (others > 0) {
        warnings.push(
          `the archive also carries ${others} other Claude transcript(s) (coding-cli-session-sync copies all of ~/.claude); not installed`
        )
      }
    }
    warnings.push(...dropWarnings(dropped, archiveTool, kept))

    const origin: Origin = {
      format: FORMAT,
      tool: archiveTool,
      version: metadata?.version ?? null,
      archive: label,
      archive_sha256: archiveSha256,
      stated_checksum: metadata?.archive?.checksum_sha256 ?? null,
      integrity: "unverified",
      source_hostname: metadata?.source_hostname ?? null,
      export_timestamp: metadata?.export_timestamp ?? null,
      session_ids: named ?? [],
      dropped
    }
    return {
      tool: archiveTool,
      home,
      sessionIds: archiveTool === "claude" ? [...taken].sort() : [],
      origin,
      warnings
    } satisfies Unpacked
  }).pipe(Effect.scoped, Effect.withSpan("PeerArchive.unpack", { attributes: { path } }))
}

/** One line per class of dropped files that a person should hear of. */
const dropWarnings = (dropped: ReadonlyArray<Dropped>, tool: PeerTool, kept: ReadonlyArray<string>): Array<string> => {
  const out: Array<string> = []
  for (const file of dropped) {
    if (file.reason === "config") out.push(`${file.path}: not copied: sessionport never replaces this machine's config`)
  }
  const credentials = dropped.filter((file) => file.reason.startsWith("credential:")).length
  if (credentials > 0) out.push(`${credentials} file(s) named like credentials left out`)
  const legacy = dropped.filter((file) => file.reason === "unsupported_format").length
  if (legacy > 0) {
    out.push(`${legacy} Claude session file(s) of before Claude Code 2.x (<id>.json) not installed: sessionport reads 2.x transcripts`)
  }
  if (tool === "opencode" && !kept.some(PeerLayout.isPart)) {
    out.push("coding-cli-session-sync carries no OpenCode parts: messages arrive without their text")
  }
  return out
}
