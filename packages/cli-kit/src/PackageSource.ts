/**
 * What a command that reads a package (inspect, install) is given, made a sessionport package:
 *
 * 1. `-` is stdin, spooled to a temp file (`PackagePath.input`);
 * 2. a folder, or a file that is not JSON (a `.tgz`), is taken as it is: the package reader
 *    checks it;
 * 3. a file whose first non-blank byte is `{` is an `opencode export` JSON: its session becomes
 *    the OpenCode part of a package written into a temp folder (removed with the scope), which
 *    then goes through the same checks, localization, new ids, lineage and journal as any other;
 * 4. a coding-cli-session-sync archive (`PeerArchive.sniff`) is unpacked with the package
 *    reader's checks into a temporary agent home and exported from it into a temp package folder
 *    the same way (`internal/peerPackage.ts`); what it drops is said as warnings.
 *
 * @since 0.5.0
 */
import { FileSystem } from "@effect/platform"
import { PackageExport } from "@sessionport/agent"
import { OpencodeJson } from "@sessionport/opencode-home"
import { PeerArchive, Progress } from "@sessionport/package-format"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import * as PeerPackage from "./internal/peerPackage.js"
import * as PackagePath from "./PackagePath.js"

/** @since 0.5.0 @category models */
export interface Source {
  /** a sessionport package (a folder or a `.tgz`) */
  readonly path: string
  /** the argument as the person gave it */
  readonly label: string
  /** where a package made here from another tool's file came from (absent: a package given as it is) */
  readonly origin?: OpencodeJson.Origin | PeerArchive.Origin | undefined
}

/**
 * The line a command prints above its result for a package made of another tool's file (none
 * for a package given as it is).
 *
 * @since 0.5.0
 * @category rendering
 */
export const originLines = (origin: Source["origin"]): Array<string> =>
  origin === undefined
    ? []
    : origin.format === PeerArchive.FORMAT
    ? [`from a coding-cli-session-sync archive (${origin.tool}), integrity unverified`]
    : [`from an opencode export file (session ${origin.sessionId}), integrity unverified: it has no checksums`]

/** How far a file is read for its first non-blank byte. */
const SNIFF_BYTES = 64 * 1024

/** Whether `path` is a file whose first non-blank byte is `{` (JSON text, not a package). */
const isJson = (path: string): boolean => {
  let fd: number
  try {
    if (!fs.statSync(path).isFile()) return false
    fd = fs.openSync(path, "r")
  } catch {
    // the package reader says why it cannot be read
    return false
  }
  try {
    const buffer = Buffer.alloc(4096)
    for (let offset = 0; offset < SNIFF_BYTES;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, offset)
      if (read === 0) return false
      for (let i = 0; i < read; i++) {
        const byte = buffer[i]!
        // JSON's whitespace: space, tab, line feed, carriage return
        if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue
        return byte === 0x7b
      }
      offset += read
    }
    return false
  } finally {
    fs.closeSync(fd)
  }
}

/** Runs `effect` with the command's progress when it has one (inspect has none). */
const withAmbientProgress = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(
    Effect.serviceOption(Progress.Progress),
    (progress) => Option.isSome(progress) ? Effect.provideService(effect, Progress.Progress, progress.value) : Effect.provide(effect, Progress.none)
  )

/** A coding-cli-session-sync archive, as the package made of it. */
const fromPeerArchive = (path: string, label: string) =>
  Effect.gen(function*() {
    const converted = yield* withAmbientProgress(PeerPackage.convert(path, label, yield* PeerPackage.tempDir))
    for (const warning of converted.warnings) yield* Effect.logWarning(warning)
    return { path: converted.path, label, origin: converted.origin } satisfies Source
  })

/**
 * The package `arg` names, as a path the package reader can check (temp files and folders live
 * as long as the scope).
 *
 * @since 0.5.0
 * @category input
 */
export const open = Effect.fn("PackageSource.open")(function*(arg: string) {
  const path = yield* PackagePath.input(arg)
  const label = PackagePath.display(arg)
  if (!isJson(path)) {
    if ((yield* PeerArchive.sniff(path))._tag === "Peer") return yield* fromPeerArchive(path, label)
    return { path, label } satisfies Source
  }
  const { origin, part } = yield* OpencodeJson.readPart(path)
  const fsys = yield* FileSystem.FileSystem
  const dir = yield* fsys.makeTempDirectoryScoped({ prefix: "sessionport-source-" }).pipe(
    Effect.mapError((cause) => new PackagePath.PackagePathError({ detail: `cannot make a temp folder: ${cause.message}` }))
  )
  const out = nodePath.join(dir, "package")
  const written = PackageExport.write({
    out,
    ids: part.sessions.map((s) => s.id),
    cwds: [],
    since: undefined,
    all: false,
    includeArchived: true,
    includeSkills: false,
    dryRun: false
  }, [part])
  yield* withAmbientProgress(written)
  return { path: out, label, origin } satisfies Source
})
