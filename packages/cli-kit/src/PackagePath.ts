/**
 * Where a package goes and comes from, as a person names it:
 * - `--out NAME.tgz` / `NAME.tar.gz` is an archive; another archive name (`.tar`, `.zip`, `.gz`,
 *   `.tar.xz`…) is a usage error naming the supported ones (it would silently become a folder);
 * - `--out DIR` that is an existing folder: an archive in it, named for what it holds,
 *   `{agent}-session-{id}-{timestamp}.tgz` or `{agent}-sessions-{count}-{timestamp}.tgz`
 *   (`.tgz.age` when encrypted);
 * - `--out -`: the archive on stdout (written to a private temp file first, then copied out);
 * - `install -`, `sync -`: the archive read from stdin (spooled to a private temp file: the
 *   reader checks it whole before anything is written);
 * - anything else is a folder package that does not exist yet.
 *
 * @since 0.3.0
 */
import { FileSystem } from "@effect/platform"
import { Effect, Schema } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { pipeline } from "node:stream/promises"
import { UsageError } from "./Failure.js"

/** The stand-in for stdin or stdout, as people write it. @since 0.3.0 @category constants */
export const STDIO = "-"

/**
 * `-` as the command line reaches the parser (`Main.splitInlineValues`), which would take a lone
 * `-` for the end of the options; no path holds a NUL.
 *
 * @since 0.3.0
 * @category constants
 */
export const STDIO_ARG = "\u0000-"

/** Whether an argument stands for stdin or stdout. @since 0.3.0 @category predicates */
export const isStdio = (arg: string): boolean => arg === STDIO || arg === STDIO_ARG

/**
 * Stdin, stdout or a temp file failed us (refused work, exit 1: not a usage mistake).
 *
 * @since 0.3.0
 * @category errors
 */
export class PackagePathError extends Schema.TaggedError<PackagePathError>("@sessionport/cli-kit/PackagePathError")("PackagePathError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

const failed = (detail: string) => (cause: unknown) =>
  new PackagePathError({ detail: `${detail}: ${cause instanceof Error ? cause.message : String(cause)}` })

/** The argument as people wrote it (`-` for stdin or stdout). @since 0.3.0 @category rendering */
export const display = (arg: string): string => isStdio(arg) ? STDIO : arg

const ARCHIVE = /\.(tgz|tar\.gz)$/i
const OTHER_ARCHIVE = /\.(tar|zip|gz|xz|bz2|zst|7z|rar|txz|tbz2?|tzst|tar\.(xz|bz2|zst|lz4))$/i

/**
 * A usage error for an output name that looks like an archive sessionport does not write.
 *
 * @since 0.3.0
 * @category parsing
 */
export const checkOut = (out: string): UsageError | undefined =>
  !isStdio(out) && !ARCHIVE.test(out) && OTHER_ARCHIVE.test(out)
    ? new UsageError({
      detail: `--out ${out}: sessionport writes .tgz (or .tar.gz) archives and folders; name it ${out.replace(OTHER_ARCHIVE, ".tgz")}, or - for stdout`
    })
    : undefined

/** What an export writes to, and what to do once it has. */
export interface Output {
  /** the path the export writes */
  readonly path: string
  /** moves or copies what was written where it was asked to go; answers where that is */
  readonly deliver: (written: { readonly agents: ReadonlyArray<string>; readonly ids: ReadonlyArray<string> }) => Effect.Effect<string, PackagePathError>
}

/** `{agent}-session-{id}-{timestamp}.tgz` / `{agent}-sessions-{count}-{timestamp}.tgz`. @since 0.3.0 @category naming */
export const defaultName = (agents: ReadonlyArray<string>, ids: ReadonlyArray<string>, now: Date = new Date()): string => {
  const agent = agents.length === 1 ? agents[0]! : "mixed"
  const stamp = now.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-")
  return ids.length === 1 ? `${agent}-session-${ids[0]}-${stamp}.tgz` : `${agent}-sessions-${ids.length}-${stamp}.tgz`
}

/**
 * The output of an export named `out` (in the scope: a temp file for `-`); `encrypted`: the
 * archive is a `.tgz.age`, and so are the names made for it.
 *
 * @since 0.3.0
 * @category output
 */
export const output = (out: string, encrypted = false) =>
  Effect.gen(function*() {
    const fsys = yield* FileSystem.FileSystem
    const extension = encrypted ? ".tgz.age" : ".tgz"
    if (isStdio(out)) {
      const dir = yield* fsys.makeTempDirectoryScoped({ prefix: "sessionport-out-" }).pipe(Effect.mapError(failed("cannot make a temp folder")))
      const path = nodePath.join(dir, `package${extension}`)
      return {
        path,
        deliver: () =>
          Effect.as(Effect.tryPromise({ try: () => pipeline(fs.createReadStream(path), process.stdout, { end: false }), catch: failed("cannot write to stdout") }), STDIO)
      } satisfies Output
    }
    const isFolder = fs.statSync(out, { throwIfNoEntry: false })?.isDirectory() === true
    if (!isFolder) return { path: out, deliver: () => Effect.succeed(out) } satisfies Output
    // written under a temp name in the folder, renamed once what it holds (and so its name) is known
    const temp = nodePath.join(out, `.sessionport-export-${process.pid}-${Date.now()}${extension}`)
    yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(temp, { force: true })))
    return {
      path: temp,
      deliver: ({ agents, ids }) =>
        Effect.try({
          try: () => {
            const target = nodePath.join(out, defaultName(agents, ids) + (encrypted ? ".age" : ""))
            if (fs.existsSync(target)) throw new Error(`${target} exists`)
            fs.renameSync(temp, target)
            // the rename made durable, as the writer made its own
            const dir = fs.openSync(out, "r")
            try {
              fs.fsyncSync(dir)
            } finally {
              fs.closeSync(dir)
            }
            return target
          },
          catch: failed("cannot name the package")
        })
    } satisfies Output
  })

/**
 * The package named `pkg` as a path the reader can check: `-` spools stdin into a temp `.tgz`
 * (in the scope).
 *
 * @since 0.3.0
 * @category input
 */
export const input = (pkg: string) =>
  Effect.gen(function*() {
    if (!isStdio(pkg)) return pkg
    const fsys = yield* FileSystem.FileSystem
    if (process.stdin.isTTY === true) return yield* new UsageError({ detail: "- reads a package (.tgz) from stdin, which is a terminal here: pipe one in" })
    const dir = yield* fsys.makeTempDirectoryScoped({ prefix: "sessionport-in-" }).pipe(Effect.mapError(failed("cannot make a temp folder")))
    const path = nodePath.join(dir, "stdin.tgz")
    yield* Effect.tryPromise({ try: () => pipeline(process.stdin, fs.createWriteStream(path, { flags: "wx", mode: 0o600 })), catch: failed("cannot read stdin") })
    return path
  })
