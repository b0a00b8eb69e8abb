/**
 * A coding-cli-session-sync archive made a sessionport package: unpacked with the package
 * reader's checks into a temporary agent home (`PeerArchive.unpack`), exported from that home,
 * read-only, by the agent's own exporter (Codex: rows synthesized as for a home without a
 * database; Claude Code: the sessions the archive names, with their file history; OpenCode: the
 * legacy JSON storage), and written as a package folder. Its `package_id` comes from the
 * archive's SHA-256 (a repeat sync of it is the same package), and its source is the archive's
 * machine: the home its sessions' folders share (see `sourceHome.ts`), never this machine's or
 * the temp folder's.
 */
import { FileSystem } from "@effect/platform"
import type { Path } from "@effect/platform"
import { type AgentStore, PackageExport } from "@sessionport/agent"
import { ClaudeStore } from "@sessionport/claude-home"
import { Exporter } from "@sessionport/codex-home"
import { OpencodeStore } from "@sessionport/opencode-home"
import { PeerArchive } from "@sessionport/package-format"
import type * as Progress from "@sessionport/package-format/Progress"
import { Effect } from "effect"
import * as nodePath from "node:path"
import { PackagePathError } from "../PackagePath.js"
import { codexHomeUnder, inferHome, platformOf } from "./sourceHome.js"

/** What the archive became. @internal */
export interface Converted {
  /** the package folder (removed with the scope) */
  readonly path: string
  readonly origin: PeerArchive.Origin
  /** the unpacking's and the exporter's */
  readonly warnings: ReadonlyArray<string>
}

/** Every session of the temporary home (Claude: those the archive names), archived ones too. */
const selection = (out: string, ids: ReadonlyArray<string>): AgentStore.Selection => ({
  ids,
  cwds: [],
  since: undefined,
  all: ids.length === 0,
  includeArchived: true,
  skipUnreadable: false,
  out,
  includeSkills: false,
  allowFiles: [],
  includeFileHistory: true
})

/** The agent's share of a package, exported from the temporary home. */
const exportPart = (unpacked: PeerArchive.Unpacked, out: string) => {
  const chosen = selection(out, unpacked.sessionIds)
  switch (unpacked.tool) {
    case "codex":
      return Effect.flatMap(Exporter.Exporter, (exporter) =>
        exporter.part({
          out,
          threadIds: [],
          cwds: [],
          since: undefined,
          all: true,
          includeArchived: true,
          includeSkills: false,
          skipUnreadable: false
        })).pipe(
          // the temp home's own database place: never CODEX_SQLITE_HOME's
          Effect.provide(Exporter.layerHome({ root: unpacked.home, sqliteHome: unpacked.home }))
        )
    case "claude":
      return Effect.flatMap(ClaudeStore.ClaudeStore, (store) => store.exportPart(chosen)).pipe(
        Effect.provide(ClaudeStore.layerHome({ root: unpacked.home }))
      )
    case "opencode":
      return Effect.flatMap(OpencodeStore.OpencodeStore, (store) => store.exportPart(chosen)).pipe(
        Effect.provide(OpencodeStore.layerData({ root: unpacked.home }))
      )
  }
}

/**
 * Converts the archive at `path` (named `label`) into a package folder inside `dir` (an empty
 * temp folder the caller removes).
 *
 * @internal
 */
export const convert = Effect.fn("PackageSource.fromPeerArchive")(function*(path: string, label: string, dir: string) {
  const unpacked = yield* PeerArchive.unpack(path, dir, { label })
  const out = nodePath.join(dir, "package")
  const part: AgentStore.ExportPart = yield* exportPart(unpacked, out)
  const home = inferHome(part.sessions.map((s) => s.cwd))
  const codexHome = home !== undefined && unpacked.tool === "codex" ? codexHomeUnder(home) : undefined
  const hostname = unpacked.origin.source_hostname ?? undefined
  yield* PackageExport.write({
    out,
    ids: [],
    cwds: [],
    since: undefined,
    all: true,
    includeArchived: true,
    includeSkills: false,
    dryRun: false
  }, [part], {
    packageId: PeerArchive.packageId(unpacked.origin.archive_sha256),
    source: {
      platform: platformOf(home),
      ...(codexHome === undefined ? {} : { codex_home: codexHome }),
      ...(home === undefined ? {} : { home }),
      ...(hostname === undefined ? {} : { hostname })
    },
    localization: { source_platform: platformOf(home), source_home: home, source_codex_home: codexHome }
  })
  return { path: out, origin: unpacked.origin, warnings: [...unpacked.warnings, ...part.warnings] } satisfies Converted
})

/** A temp folder for the scope (the conversion's home and package). @internal */
export const tempDir = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  return yield* fs.makeTempDirectoryScoped({ prefix: "sessionport-peer-" }).pipe(
    Effect.mapError((cause) => new PackagePathError({ detail: `cannot make a temp folder: ${cause.message}` }))
  )
})

/** @internal what {@link convert} needs */
export type Requirements = FileSystem.FileSystem | Path.Path | Progress.Progress
