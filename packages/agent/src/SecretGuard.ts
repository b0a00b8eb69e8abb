/**
 * Export's secret scan. A guard wraps the `PackageSink` every agent's part writes into: it knows
 * from each entry's path (the package layout) which agent, session and format a file is, scans
 * every transcript-like file as it goes in (Codex rollouts and metadata, Claude Code transcripts,
 * subagent transcripts, file-history backups and `history.jsonl`, OpenCode transcripts, every
 * agent's `sessions.jsonl`, the README listing titles), and reports what it found by file and
 * kind: never a secret.
 *
 * Scanning only, the bytes go in unchanged: the scanner sees them next to the hash
 * (`FileOnDisk.observe`), one read. Redacting, a tar header needs each size first: a file is
 * scanned, then the lines with findings are read (their bytes), and the file goes in with exactly
 * those lines rewritten (`[REDACTED:<kind>:<h8>]` over each secret); every other line byte for
 * byte, a file without findings unchanged. What lies where redaction must not write (signed
 * thinking, a line that is not UTF-8) is kept, and reported as kept.
 *
 * @since 0.6.0
 */
import { FileChunks, Layout, Manifest, PackageError, type PackageWriter } from "@sessionport/package-format"
import { Finding, Redactor, RuleSet, Scanner, SecretsError } from "@sessionport/secrets"
import { Chunk, Effect, Schema, Stream } from "effect"
import { Buffer } from "node:buffer"
import { nullSink } from "./internal/nullSink.js"
import { applyEdits, collectLines, type Edit, LineChanged, plan, redactable } from "./internal/secretLines.js"

/**
 * What export does about secrets.
 *
 * @since 0.6.0
 * @category models
 */
export interface Policy {
  /** replace each finding with its placeholder (else the bytes go in as they are) */
  readonly redact: boolean
  /** refuse the export ({@link SecretsFound}) when a secret would travel as it is: any found, or with `redact` any kept */
  readonly failOnSecrets: boolean
}

/**
 * What a file of a package is to the scanner: whose (agent, session; absent for files of a
 * whole agent or package) and how it reads.
 *
 * @since 0.6.0
 * @category models
 */
export interface Target {
  readonly agent?: string | undefined
  readonly session?: string | undefined
  readonly format: Scanner.Format
  /** the rules of which agent's records apply (a file of the package as a whole: Codex's) */
  readonly scanAs: Scanner.Agent
}

const SCANNED_AGENTS: ReadonlyArray<Scanner.Agent> = ["codex", "claude", "opencode"]
const CODEX_METADATA: ReadonlySet<string> = new Set([Layout.THREADS, Layout.SESSION_INDEX, Layout.DYNAMIC_TOOLS])
// generated from the sessions' titles and folders
const PACKAGE_TEXTS: ReadonlySet<string> = new Set([Layout.README, Layout.INSTALL_REMOTE])
const JSONL = /\.jsonl$/i
const ROLLOUT_ID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i

const formatOf = (name: string): Scanner.Format => JSONL.test(name) ? "jsonl" : "text"

/**
 * What the file at `entry` is to the scanner, or `undefined` for a file it leaves alone: the
 * manifest, path localization, the required folders, skills (screened by name and content when
 * export collects them). `codexSessions`: the session id of each Codex rollout entry (else read
 * from the rollout's name).
 *
 * @since 0.6.0
 * @category classifying
 */
export const target = (entry: string, codexSessions: ReadonlyMap<string, string> = new Map()): Target | undefined => {
  if (Layout.isSessionEntry(entry)) {
    return { agent: "codex", session: codexSessions.get(entry) ?? ROLLOUT_ID.exec(entry)?.[1], format: "jsonl", scanAs: "codex" }
  }
  if (CODEX_METADATA.has(entry)) return { agent: "codex", format: "jsonl", scanAs: "codex" }
  if (PACKAGE_TEXTS.has(entry)) return { format: "text", scanAs: "codex" }
  const parsed = Layout.parseAgentEntry(entry)
  if (parsed === undefined) return undefined
  const scanAs = SCANNED_AGENTS.find((agent) => agent === parsed.agent) ?? "codex"
  switch (parsed.kind) {
    case "metadata":
      return { agent: parsed.agent, format: formatOf(parsed.name), scanAs }
    case "transcript":
      return { agent: parsed.agent, session: parsed.id, format: "jsonl", scanAs }
    case "session-file":
      return { agent: parsed.agent, session: parsed.id, format: formatOf(parsed.rest), scanAs }
  }
}

/**
 * Export found secrets and `--fail-on-secrets` refuses it: nothing is written.
 *
 * @since 0.6.0
 * @category errors
 */
export class SecretsFound extends Schema.TaggedError<SecretsFound>("@sessionport/agent/SecretsFound")("SecretsFound", {
  detail: Schema.String,
  secrets: Manifest.SecretsInfo
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * Totals of a scan: secrets found, redacted and kept, the sessions and files holding them, and
 * the count of each kind (most found first).
 *
 * @since 0.6.0
 * @category summarizing
 */
export interface Totals {
  readonly found: number
  readonly redacted: number
  readonly kept: number
  /** `agent id` of each session with a finding */
  readonly sessions: ReadonlyArray<string>
  readonly files: number
  readonly kinds: ReadonlyArray<readonly [kind: string, count: number]>
}

/** @since 0.6.0 @category summarizing */
export const totals = (info: Manifest.SecretsInfo): Totals => {
  const kinds = new Map<string, number>()
  const sessions = new Set<string>()
  const files = new Set<string>()
  let found = 0
  let redacted = 0
  let kept = 0
  for (const f of info.findings) {
    found += f.count
    redacted += f.redacted
    kept += f.kept
    kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + f.count)
    files.add(f.file)
    if (f.session !== undefined) sessions.add(`${f.agent ?? "codex"} ${f.session}`)
  }
  return {
    found,
    redacted,
    kept,
    sessions: [...sessions],
    files: files.size,
    kinds: [...kinds].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  }
}

/** `openai ×2, aws ×1`. @since 0.6.0 @category summarizing */
export const kindList = (kinds: ReadonlyArray<readonly [string, number]>): string => kinds.map(([kind, n]) => `${kind} ×${n}`).join(", ")

/**
 * The refusal of `--fail-on-secrets`, or `undefined` when no secret would travel as it is: any
 * finding of a scan, only those kept of a redaction. `consequence` ends its message (what was
 * not done, what to do).
 *
 * @since 0.6.0
 * @category summarizing
 */
export const refusal = (info: Manifest.SecretsInfo, consequence: string): SecretsFound | undefined => {
  const travelling = info.findings.flatMap((f) => {
    const count = info.redacted ? f.kept : f.count
    return count === 0 ? [] : [{ ...f, count }]
  })
  const t = totals({ ...info, findings: travelling })
  if (t.found === 0) return undefined
  const where = t.sessions.length > 0
    ? `${t.sessions.length} session(s): ${t.sessions.slice(0, 3).join(", ")}${t.sessions.length > 3 ? `, and ${t.sessions.length - 3} more` : ""}`
    : `${t.files} file(s)`
  const what = info.redacted ? "secret(s) that cannot be redacted" : "secret(s)"
  return new SecretsFound({
    detail: `found ${t.found} ${what} (${kindList(t.kinds)}) in ${where}; ${consequence}`,
    secrets: info
  })
}

/** One scanned file's findings. */
interface Scanned {
  readonly target: Target
  readonly file: string
  readonly findings: ReadonlyArray<Finding.Finding>
}

/**
 * A guard over a sink: `sink` scans (and, with `redact`, redacts) what goes through it;
 * `report` is every finding, once the files are in.
 *
 * @since 0.6.0
 * @category models
 */
export interface Guard {
  readonly sink: PackageWriter.PackageSink
  readonly report: Effect.Effect<Manifest.SecretsInfo, PackageError.PackageError>
  /** files scanned so far and their bytes (as read, before redaction) */
  readonly scanned: () => { readonly files: number; readonly bytes: number }
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

async function* asAsync<A>(items: Iterable<A>): AsyncGenerator<A> {
  for (const item of items) yield item
}

/**
 * Wraps `sink`. `out`: the package (named in errors); `codexSessions`: the session id of each
 * Codex rollout entry.
 *
 * @since 0.6.0
 * @category constructors
 */
export const make = (
  sink: PackageWriter.PackageSink,
  options: { readonly out: string; readonly redact: boolean; readonly codexSessions?: ReadonlyMap<string, string> | undefined }
): Guard => {
  const { out, redact } = options
  const codexSessions = options.codexSessions ?? new Map<string, string>()
  // in the order the files went in; a scan ending later fills its slot
  const results: Array<Promise<Scanned | ScanFailure>> = []
  // the scans of files still going in (each ends once its last byte went by)
  const open = new Set<() => void>()
  let files = 0
  let bytes = 0

  const fail = (entry: string, detail: string, reason: PackageError.PackageError["reason"] = "io") =>
    new PackageError.PackageError({ reason, package: out, entry, detail })
  const scanFailure = (entry: string) => (error: unknown) =>
    error instanceof PackageError.PackageError
      ? error
      : fail(entry, error instanceof SecretsError ? error.message : `cannot scan for secrets: ${error instanceof Error ? error.message : String(error)}`)

  const record = (t: Target, file: string, findings: ReadonlyArray<Finding.Finding>) => {
    results.push(Promise.resolve({ target: t, file, findings }))
  }

  /** The file with an observer feeding a scanner of its own, which ends once `size` bytes went by. */
  const observed = (entry: PackageWriter.FileOnDisk, t: Target): PackageWriter.FileOnDisk => {
    const scanner = Scanner.make({ agent: t.scanAs, format: t.format })
    let seen = 0
    let ended = false
    let settle: (value: Scanned | ScanFailure) => void = () => undefined
    results.push(new Promise((resolve) => settle = resolve))
    files++
    bytes += entry.size
    const end = () => {
      if (ended) return
      ended = true
      open.delete(end)
      scanner.end().then(
        (result) => settle({ target: t, file: entry.path, findings: result.findings }),
        (error) => settle(new ScanFailure(scanFailure(entry.path)(error)))
      )
    }
    open.add(end)
    if (entry.size === 0) end()
    const previous = entry.observe
    return {
      ...entry,
      observe: async (chunk) => {
        await previous?.(chunk)
        await scanner.write(chunk)
        seen += chunk.byteLength
        if (seen >= entry.size) end()
      }
    }
  }

  /** Scans a file on disk, then plans its redaction: `undefined` when it goes in unchanged. */
  const prepare = (entry: PackageWriter.FileOnDisk, t: Target) =>
    Effect.gen(function*() {
      files++
      bytes += entry.size
      const result = yield* Scanner.scanFile(entry.source, { agent: t.scanAs, format: t.format, size: entry.size }).pipe(
        Effect.mapError(scanFailure(entry.path))
      )
      const wanted = redactable(result.findings)
      if (wanted.size === 0) {
        record(t, entry.path, result.findings)
        return undefined
      }
      const lines = yield* Effect.try({
        try: () => collectLines(FileChunks.open(entry.source, { length: entry.size }), wanted),
        catch: (error) => fail(entry.path, `cannot read ${entry.source}: ${error instanceof Error ? error.message : String(error)}`)
      })
      const planned = plan(result, lines, entry.size)
      record(t, entry.path, planned.findings)
      return planned.edits.size === 0 ? undefined : planned
    })

  /** The file with its planned lines rewritten, streamed (`onBytes` counts the bytes read). */
  const redacted = (
    entry: PackageWriter.FileOnDisk,
    edits: ReadonlyMap<number, Edit>,
    onBytes: ((bytes: number) => void) | undefined
  ): Stream.Stream<Uint8Array, PackageError.PackageError> =>
    Stream.fromAsyncIterable(
      {
        [Symbol.asyncIterator]: () => {
          const chunks = FileChunks.open(entry.source, { length: entry.size })
          const counted = onBytes === undefined ? chunks : (function*() {
            for (const chunk of chunks) {
              onBytes(chunk.byteLength)
              yield chunk
            }
          })()
          return asAsync(applyEdits(counted, edits))
        }
      },
      (error) =>
        error instanceof LineChanged
          ? fail(entry.path, `${entry.source} changed while it was exported (${error.message})`, "checksum_mismatch")
          : fail(entry.path, `cannot copy ${entry.source}: ${error instanceof Error ? error.message : String(error)}`)
    )

  const addRedacted = (entry: PackageWriter.FileOnDisk, t: Target, onBytes: ((bytes: number) => void) | undefined) =>
    Effect.flatMap(prepare(entry, t), (planned) =>
      planned === undefined
        ? sink.addFile(entry, onBytes)
        : sink.add({ path: entry.path, size: planned.size, content: redacted(entry, planned.edits, onBytes) }))

  const addFile: PackageWriter.PackageSink["addFile"] = (entry, onBytes) => {
    const t = target(entry.path, codexSessions)
    if (t === undefined) return sink.addFile(entry, onBytes)
    return redact ? addRedacted(entry, t, onBytes) : sink.addFile(observed(entry, t), onBytes)
  }

  const addFiles: PackageWriter.PackageSink["addFiles"] = (entries, onBytes) => {
    if (!redact) {
      const each = [...entries].map((entry) => {
        const t = target(entry.path, codexSessions)
        return t === undefined ? entry : observed(entry, t)
      })
      return sink.addFiles(each, onBytes)
    }
    // files that go in unchanged keep the fast path, in runs between the redacted ones
    return Effect.gen(function*() {
      const written: Array<Manifest.PackageFile> = []
      let run: Array<PackageWriter.FileOnDisk> = []
      const flush = Effect.suspend(() => {
        const files = run
        run = []
        return files.length === 0 ? Effect.void : Effect.map(sink.addFiles(files, onBytes), (f) => void written.push(...f))
      })
      for (const entry of entries) {
        const t = target(entry.path, codexSessions)
        const planned = t === undefined ? undefined : yield* prepare(entry, t)
        if (planned === undefined) {
          run.push(entry)
          continue
        }
        yield* flush
        written.push(yield* sink.add({ path: entry.path, size: planned.size, content: redacted(entry, planned.edits, onBytes) }))
      }
      yield* flush
      return written
    })
  }

  const addBytes: PackageWriter.PackageSink["addBytes"] = (path, content) => {
    const t = target(path, codexSessions)
    if (t === undefined) return sink.addBytes(path, content)
    const data = typeof content === "string" ? Buffer.from(content, "utf8") : asBuffer(content)
    return Effect.gen(function*() {
      files++
      bytes += data.byteLength
      const result = yield* Effect.tryPromise({
        try: async () => {
          const scanner = Scanner.make({ agent: t.scanAs, format: t.format })
          await scanner.write(data)
          return scanner.end()
        },
        catch: scanFailure(path)
      })
      const wanted = redact ? redactable(result.findings) : new Set<number>()
      if (wanted.size === 0) {
        record(t, path, result.findings)
        return yield* sink.addBytes(path, data)
      }
      const planned = plan(result, collectLines([data], wanted), data.byteLength)
      record(t, path, planned.findings)
      return yield* sink.addBytes(path, planned.edits.size === 0 ? data : Buffer.concat([...applyEdits([data], planned.edits)]))
    })
  }

  // no exporter streams a file in: one that does is taken whole, and goes through addBytes
  const add: PackageWriter.PackageSink["add"] = <E>(entry: PackageWriter.Entry<E>) => {
    if (target(entry.path, codexSessions) === undefined) return sink.add(entry)
    return Effect.flatMap(Stream.runCollect(entry.content), (chunks) => {
      const data = Buffer.concat(Chunk.toReadonlyArray(chunks).map(asBuffer))
      return data.byteLength === entry.size
        ? addBytes(entry.path, data)
        : Effect.fail(fail(entry.path, `declared ${entry.size} bytes but the content has ${data.byteLength}`, "checksum_mismatch"))
    })
  }

  const report = Effect.gen(function*() {
    // none is left open once every file went in; were one, its scan would never settle
    for (const end of [...open]) end()
    const scanned = yield* Effect.promise(() => Promise.all(results))
    const findings: Array<Manifest.SecretFinding> = []
    for (const file of scanned) {
      if (file instanceof ScanFailure) return yield* Effect.fail(file.error)
      findings.push(...findingsOf(file, redact))
    }
    return { rules: RuleSet.RULESET_VERSION, redacted: redact, findings } satisfies Manifest.SecretsInfo
  })

  return {
    sink: { add, addBytes, addFile, addFiles, commit: sink.commit },
    report,
    scanned: () => ({ files, bytes })
  }
}

/** A scan that failed, kept in its file's slot until the report. */
class ScanFailure {
  constructor(readonly error: PackageError.PackageError) {}
}

/** A file's findings by kind, as the manifest lists them. */
const findingsOf = (file: Scanned, redacted: boolean): Array<Manifest.SecretFinding> => {
  if (file.findings.length === 0) return []
  return Finding.summarize(file.findings, redacted).map((k) => {
    const reasons = [...new Set(file.findings.filter((f) => f.kind === k.kind && f.kept !== undefined).map((f) => f.kept!))]
    return {
      ...(file.target.agent === undefined ? {} : { agent: file.target.agent }),
      ...(file.target.session === undefined ? {} : { session: file.target.session }),
      file: file.file,
      kind: k.kind,
      count: k.count,
      records: k.records.slice(0, Manifest.MAX_RECORDS),
      redacted: k.redacted,
      kept: k.kept,
      ...(reasons.length === 0 ? {} : { kept_in: reasons })
    }
  })
}

/**
 * Scans files on disk laid out as a package's entries (a package read from disk), each by what
 * its entry is; files the guard leaves alone are not read.
 *
 * @since 0.6.0
 * @category scanning
 */
export const scanEntries = (
  entries: ReadonlyArray<PackageWriter.FileOnDisk>,
  options: { readonly out: string }
): Effect.Effect<{ readonly secrets: Manifest.SecretsInfo; readonly files: number; readonly bytes: number }, PackageError.PackageError> =>
  Effect.gen(function*() {
    const guard = make(nullSink(options.out), { out: options.out, redact: false })
    yield* guard.sink.addFiles(entries.filter((entry) => target(entry.path) !== undefined))
    return { secrets: yield* guard.report, ...guard.scanned() }
  })

/**
 * Scans one file that is not part of a package (a transcript, a `.env`, a log), as `target` says.
 *
 * @since 0.6.0
 * @category scanning
 */
export const scanFile = (source: string, t: Target): Effect.Effect<Manifest.SecretsInfo, PackageError.PackageError> =>
  Effect.map(
    Effect.mapError(Scanner.scanFile(source, { agent: t.scanAs, format: t.format }), (error) =>
      new PackageError.PackageError({ reason: "io", package: source, detail: error.message })),
    (result): Manifest.SecretsInfo => ({
      rules: RuleSet.RULESET_VERSION,
      redacted: false,
      findings: findingsOf({ target: t, file: source, findings: result.findings }, false)
    })
  )

const CODEX_TYPES: ReadonlySet<string> = new Set(["session_meta", "response_item", "event_msg", "turn_context", "compacted"])
const OPENCODE_TYPES: ReadonlySet<string> = new Set(["session", "message", "part", "todo"])

/**
 * Whose transcript a JSON line looks like: Codex (its record types), Claude Code (a
 * `sessionId`), OpenCode (its row types with `ses_`/`msg_`/`prt_` ids); `undefined` when it
 * looks like none.
 *
 * @since 0.6.0
 * @category classifying
 */
export const agentOfLine = (line: string): Scanner.Agent | undefined => {
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch {
    return undefined
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) return undefined
  const record = json as Record<string, unknown>
  const type = typeof record.type === "string" ? record.type : undefined
  if (type !== undefined && CODEX_TYPES.has(type) && "payload" in record) return "codex"
  if (typeof record.sessionId === "string") return "claude"
  if (type !== undefined && OPENCODE_TYPES.has(type) && typeof record.id === "string" && /^(ses|msg|prt)_/.test(record.id)) return "opencode"
  return undefined
}

/**
 * The texts with every secret the rules find replaced by its placeholder: what a report or a
 * README shows of a session (its title, its name) never holds a secret. One scan for them all.
 *
 * @since 0.6.0
 * @category redacting
 */
export const redactTexts = (texts: ReadonlyArray<string>): Effect.Effect<Array<string>, PackageError.PackageError> =>
  Effect.tryPromise({
    try: async () => {
      // one JSON line each: a text keeps its own line breaks, and is found by its record
      const lines = texts.map((text) => JSON.stringify([text]))
      const scanner = Scanner.make({ agent: "codex", format: "jsonl" })
      await scanner.write(Buffer.from(lines.join("\n"), "utf8"))
      const { findings } = await scanner.end()
      if (findings.length === 0) return [...texts]
      const byRecord = new Map<number, Array<Finding.Finding>>()
      for (const f of findings) byRecord.set(f.record, [...(byRecord.get(f.record) ?? []), f])
      return texts.map((text, i) => {
        const found = byRecord.get(i + 1)
        return found === undefined ? text : (JSON.parse(Redactor.redactLine(lines[i]!, found)) as [string])[0]
      })
    },
    catch: (error) =>
      new PackageError.PackageError({
        reason: "io",
        package: "(titles)",
        detail: `cannot scan the sessions' titles for secrets: ${error instanceof Error ? error.message : String(error)}`
      })
  })
