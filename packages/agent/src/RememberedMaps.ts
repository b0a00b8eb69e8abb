/**
 * The `--map FROM=TO` rules a person gave an install or a sync, remembered for each agent home it
 * wrote, and used again by later installs and syncs into those homes: shown in their plans, and
 * overridden by a `--map` with the same FROM on the command line (which is then remembered
 * instead). Only given maps are remembered, never the built-in rules (the source home,
 * `\Documents\`); a dry run remembers nothing.
 *
 * Each transaction that remembers maps creates a file of its own in the home,
 * `sessionport/maps/<transaction id>.json`, through the transaction: its rollback takes the maps
 * back, and never waits on another transaction's (one shared file would tie every later install
 * to it). What a home remembers is its files read in transaction order (UUIDv7 ids sort by time),
 * a later map replacing an earlier one with the same FROM, and a file written under
 * `--forget-maps` setting aside every one before it. A file that cannot be read is named in a
 * warning and its maps are not used.
 *
 * @since 0.3.0
 */
import { FileSystem } from "@effect/platform"
import type { Journal, JournalError } from "@sessionport/journal"
import { PathMatch, PathRules } from "@sessionport/localize"
import { Effect, Either, Schema } from "effect"
import * as nodePath from "node:path"

/** A map a home remembers. @since 0.3.0 @category models */
export interface Remembered extends PathRules.Mapping {
  /** the transaction that remembered it */
  readonly transaction: string
  /** what that transaction was: `install` or `sync` */
  readonly kind: string
}

/**
 * A map as a plan shows it.
 *
 * @since 0.3.0
 * @category models
 */
export interface MapInUse {
  readonly from: string
  readonly to: string
  /**
   * `given`: on this command line; `remembered`: by an earlier install or sync into these homes;
   * `forgotten`: remembered, and set aside by `--forget-maps` (not used)
   */
  readonly source: "given" | "remembered" | "forgotten"
  /** the transaction that remembered it (`remembered`, `forgotten`) */
  readonly transaction?: string | undefined
  /** what that transaction was (`install`, `sync`) */
  readonly kind?: string | undefined
  /** a given map whose FROM was remembered with another TO: that TO, which it replaces */
  readonly replaces?: string | undefined
}

/**
 * The maps of one install or sync: given and remembered, resolved.
 *
 * @since 0.3.0
 * @category models
 */
export interface Resolved {
  /** what the path rules are built from: the given maps, then the remembered ones no given one replaces */
  readonly maps: ReadonlyArray<PathRules.Mapping>
  /** every map, for the plan: the given ones first */
  readonly shown: ReadonlyArray<MapInUse>
  /** remembered-maps files that cannot be read */
  readonly warnings: ReadonlyArray<string>
  /**
   * In the caller's transaction (`kind`: `install` or `sync`): remembers, in each of these homes,
   * the maps used that it does not hold yet (under `--forget-maps`: the given ones only, and the
   * rest set aside). Answers the files written.
   */
  readonly remember: (tx: Journal.Transaction, homes: ReadonlyArray<string>, kind: string) => Effect.Effect<ReadonlyArray<string>, JournalError.JournalError>
}

/** The folder of a home's remembered maps. @since 0.3.0 @category constants */
export const folderOf = (home: string): string => nodePath.join(home, "sessionport", "maps")

const MapsFile = Schema.Struct({
  format: Schema.Literal(1),
  transaction: Schema.String,
  kind: Schema.String,
  created_at: Schema.String,
  /** every map remembered before this file is set aside */
  forget_earlier: Schema.Boolean,
  maps: Schema.Array(Schema.Struct({ from: Schema.String, to: Schema.String }))
})
type MapsFile = typeof MapsFile.Type
const decode = Schema.decodeUnknownEither(Schema.parseJson(MapsFile))

/** Two FROMs name the same folder when their keys are equal, the keys the path rules match by. */
const keyOf = (from: string): string => PathMatch.keyOf(from) ?? from

/** A remembered map a person could have given: both paths absolute, as `--map` takes them. */
const isUsable = (map: PathRules.Mapping): boolean =>
  Either.match(PathRules.parseMapping(`${map.from}=${map.to}`), {
    onLeft: () => false,
    onRight: (parsed) => parsed.from === map.from && parsed.to === map.to
  })

/** A remembered-maps file, or why it cannot be used. */
const parse = (text: string): Either.Either<MapsFile, string> =>
  Either.flatMap(
    Either.mapLeft(decode(text), () => "not a remembered-maps file"),
    (file) => file.maps.every(isUsable) ? Either.right(file) : Either.left("a map there is not FROM=TO of absolute paths")
  )

/**
 * What a home remembers, by FROM key, and the warnings of the files that cannot be read.
 *
 * @since 0.3.0
 * @category reading
 */
export const read = Effect.fn("RememberedMaps.read")(function*(home: string) {
  const fs = yield* FileSystem.FileSystem
  const held = new Map<string, Remembered>()
  const warnings: Array<string> = []
  const dir = folderOf(home)
  if (!(yield* fs.exists(dir).pipe(Effect.orElseSucceed(() => false)))) return { held, warnings }
  const names = yield* fs.readDirectory(dir).pipe(
    Effect.map((names) => names.filter((name) => name.endsWith(".json")).sort()),
    Effect.catchAll((error) => {
      warnings.push(`${dir} cannot be read (${error.message}); the maps remembered there are not used`)
      return Effect.succeed([] as Array<string>)
    })
  )
  for (const name of names) {
    const file = nodePath.join(dir, name)
    const parsed = yield* fs.readFileString(file).pipe(
      Effect.map(parse),
      Effect.catchAll((error) => Effect.succeed(Either.left(error.message)))
    )
    if (Either.isLeft(parsed)) {
      warnings.push(`${file} cannot be used (${parsed.left}); the maps it remembers are not used`)
      continue
    }
    const { forget_earlier, kind, maps, transaction } = parsed.right
    if (forget_earlier) held.clear()
    for (const { from, to } of maps) held.set(keyOf(from), { from, to, transaction, kind })
  }
  return { held, warnings }
})

/**
 * The maps of an install or a sync: `given` on the command line, and what `homes` remember (of
 * two homes remembering the same FROM, the later transaction's map); `forget`: the remembered
 * ones are set aside, and a real run remembers that.
 *
 * @since 0.3.0
 * @category constructors
 */
export const resolve = Effect.fn("RememberedMaps.resolve")(function*(
  given: ReadonlyArray<PathRules.Mapping>,
  homes: ReadonlyArray<string>,
  options: { readonly forget: boolean }
) {
  const byHome = new Map<string, ReadonlyMap<string, Remembered>>()
  const warnings: Array<string> = []
  for (const home of new Set(homes)) {
    const found = yield* read(home)
    byHome.set(home, found.held)
    warnings.push(...found.warnings)
  }
  const remembered = new Map<string, Remembered>()
  for (const held of byHome.values()) {
    for (const [key, map] of held) {
      const known = remembered.get(key)
      if (known === undefined || map.transaction > known.transaction) remembered.set(key, map)
    }
  }
  const givenKeys = new Set(given.map((map) => keyOf(map.from)))
  const kept = [...remembered].filter(([key]) => !givenKeys.has(key)).map(([, map]) => map)
  const maps: ReadonlyArray<PathRules.Mapping> = options.forget
    ? given
    : [...given, ...kept.map(({ from, to }) => ({ from, to }))]
  const shown: ReadonlyArray<MapInUse> = [
    ...given.map((map): MapInUse => {
      const before = remembered.get(keyOf(map.from))
      return { from: map.from, to: map.to, source: "given", replaces: before === undefined || before.to === map.to ? undefined : before.to }
    }),
    ...kept.map((map): MapInUse => ({
      from: map.from,
      to: map.to,
      source: options.forget ? "forgotten" : "remembered",
      transaction: map.transaction,
      kind: map.kind
    }))
  ]

  const remember = (tx: Journal.Transaction, written: ReadonlyArray<string>, kind: string) =>
    Effect.gen(function*() {
      const files: Array<string> = []
      for (const home of new Set(written)) {
        const held = byHome.get(home) ?? new Map<string, Remembered>()
        // the maps used this home does not hold yet, each FROM once (the first given wins, as in the rules)
        const fresh = new Map<string, PathRules.Mapping>()
        for (const map of maps) {
          const key = keyOf(map.from)
          if (!fresh.has(key) && (options.forget || held.get(key)?.to !== map.to)) fresh.set(key, { from: map.from, to: map.to })
        }
        if (fresh.size === 0 && !(options.forget && held.size > 0)) continue
        const file = nodePath.join(folderOf(home), `${tx.id}.json`)
        const content: MapsFile = {
          format: 1,
          transaction: tx.id,
          kind,
          created_at: new Date().toISOString(),
          forget_earlier: options.forget,
          maps: [...fresh.values()]
        }
        yield* tx.createFile(file, JSON.stringify(content, null, 2) + "\n")
        files.push(file)
      }
      return files as ReadonlyArray<string>
    })

  return { maps, shown, warnings, remember } satisfies Resolved
})

/**
 * One line for people about a map of a plan, e.g.
 * `map C:\Users\alice\code → /home/bob/code (remembered from install 01J…)`.
 *
 * @since 0.3.0
 * @category rendering
 */
export const describe = (map: MapInUse): string => {
  const head = `map ${map.from} → ${map.to}`
  switch (map.source) {
    case "given":
      return `${head} (--map${map.replaces === undefined ? "" : `, replacing the remembered → ${map.replaces}`})`
    case "remembered":
      return `${head} (remembered from ${map.kind} ${map.transaction})`
    case "forgotten":
      return `${head} (remembered from ${map.kind} ${map.transaction}; not used: --forget-maps)`
  }
}

/**
 * The lines a plan shows about its maps: each map's, and what the run remembers (`files`: the
 * remembered-maps files it wrote; `undefined` for a dry run, or a plan not applied yet).
 *
 * @since 0.3.0
 * @category rendering
 */
export const lines = (shown: ReadonlyArray<MapInUse>, files: ReadonlyArray<string> | undefined, dryRun: boolean): Array<string> => {
  const out = shown.map(describe)
  const given = shown.some((map) => map.source === "given")
  if (files !== undefined && files.length > 0) out.push(`maps remembered for later installs and syncs: ${files.join(", ")}`)
  else if (dryRun && given) out.push("maps given with --map are remembered by a real run, not by a dry run")
  return out
}
