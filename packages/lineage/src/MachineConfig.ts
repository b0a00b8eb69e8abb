/**
 * This machine's exchange config, `<config dir>/exchange.json`: its machine id (the name of its
 * outbox in the exchange folder), its writer token, the remembered exchange folder, and the
 * remembered choices of push (encrypt to whom, or with a passphrase; redact) and pull (identity
 * files). Never key material: recipients are public keys or the paths of files of them,
 * identities are file paths, and a passphrase is never stored (only that push asks for one).
 *
 * It lives outside every agent home and outside the journal: it says who this machine is, not
 * what it holds. It is made once, atomically, and survives everything but its own deletion. The
 * writer token tells a copied config apart (`copied_config`): a copy has the id but writes
 * another machine's outbox.
 *
 * The config dir is `$SESSIONPORT_CONFIG_DIR`, else `$XDG_CONFIG_HOME/sessionport`, else
 * `%APPDATA%\sessionport` on Windows, else `~/.config/sessionport`.
 *
 * @since 0.1.0
 */
import { AtomicFile, Outbox } from "@sessionport/package-format"
import { Context, Effect, Either, Layer, Option, ParseResult, Schema } from "effect"
import { createHash, randomBytes } from "node:crypto"
import * as nodeFs from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as Path from "node:path"
import { ExchangeError } from "./ExchangeError.js"

/** The config's file name in the config dir. @since 0.1.0 @category constants */
export const FILE = "exchange.json"

/** @since 0.1.0 @category constants */
export const ENV_VAR = "SESSIONPORT_CONFIG_DIR"

/**
 * The config dir for an environment (`process.env`). `platform` and `home` default to this
 * process's.
 *
 * @since 0.1.0
 * @category constructors
 */
export const configDir = (
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir()
): string => {
  const set = (name: string): string | undefined => {
    const value = env[name]
    return value === undefined || value === "" ? undefined : value
  }
  const explicit = set(ENV_VAR)
  if (explicit !== undefined) return Path.resolve(explicit)
  const xdg = set("XDG_CONFIG_HOME")
  // the XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored
  if (xdg !== undefined && Path.isAbsolute(xdg)) return Path.join(xdg, "sessionport")
  const appData = set("APPDATA")
  if (platform === "win32" && appData !== undefined) return Path.join(appData, "sessionport")
  return Path.join(home, ".config", "sessionport")
}

/** The file as written: snake_case, `folder` absolute or null. @since 0.1.0 @category schemas */
export const ConfigFile = Schema.Struct({
  format: Schema.Literal(1),
  machine_id: Schema.String.pipe(Schema.pattern(Outbox.MACHINE_ID, { message: () => "expected a machine id (name-1a2b3c4d)" })),
  machine_name: Schema.String,
  writer: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{16}$/, { message: () => "expected 16 lowercase hex" })),
  created_at: Schema.String,
  folder: Schema.NullOr(Schema.String),
  /** the host the config was made on: a config copied to another host is caught before it writes */
  hostname: Schema.optional(Schema.String),
  /** the config dir it was made in: a copy in another folder of the same host is caught too */
  config_dir: Schema.optional(Schema.String),
  /** a digest of the host's machine id file (Linux): a cloned disk keeping the host name is caught too */
  machine_key: Schema.optional(Schema.String),
  /** push encrypts to these recipients: public keys as given, or absolute paths of recipients files */
  encrypt_to: Schema.optional(Schema.NonEmptyArray(Schema.String)),
  /** push encrypts with a passphrase, asked (or read from the environment or a file) each time */
  encrypt_with_passphrase: Schema.optional(Schema.Literal(true)),
  /** push redacts the secrets it finds */
  redact: Schema.optional(Schema.Boolean),
  /** pull opens encrypted packages with these identity files (absolute paths) */
  identities: Schema.optional(Schema.Array(Schema.String))
}).pipe(
  Schema.filter((file) =>
    file.encrypt_to === undefined || file.encrypt_with_passphrase === undefined ||
    "encrypt_to and encrypt_with_passphrase: a package is encrypted to recipients or with a passphrase, not both"
  )
).annotations({ identifier: "MachineConfigFile" })

/** @since 0.1.0 @category models */
export type ConfigFile = typeof ConfigFile.Type

/**
 * How push encrypts, as remembered: to these recipients (public keys as given, or absolute paths
 * of recipients files, read again at every push), or with a passphrase it asks for every time.
 *
 * @since 0.6.0
 * @category models
 */
export type Encryption =
  | { readonly _tag: "Recipients"; readonly recipients: ReadonlyArray<string> }
  | { readonly _tag: "Passphrase" }

/**
 * Push's and pull's choices to remember; an absent field is left as it is.
 *
 * @since 0.6.0
 * @category models
 */
export interface Choices {
  /** none: push stops encrypting */
  readonly encryption?: Option.Option<Encryption> | undefined
  readonly redact?: boolean | undefined
  /** identity files, absolute (none: forgotten) */
  readonly identities?: ReadonlyArray<string> | undefined
}

/** @since 0.1.0 @category models */
export interface Config {
  readonly machineId: string
  readonly machineName: string
  /** random, per config: an outbox written under another writer means a copied config */
  readonly writer: string
  readonly createdAt: string
  /** the host it was made on (absent in a config written before hosts were recorded) */
  readonly hostname?: string | undefined
  /** the config dir it was made in */
  readonly configDir?: string | undefined
  /** a digest of the host's machine id file, where the host has one */
  readonly machineKey?: string | undefined
  /** the remembered exchange folder, absolute */
  readonly folder: Option.Option<string>
  /** how push encrypts (none: it does not) */
  readonly encryption: Option.Option<Encryption>
  /** whether push redacts */
  readonly redact: boolean
  /** the identity files pull opens encrypted packages with */
  readonly identities: ReadonlyArray<string>
}

/** @since 0.1.0 @category models */
export interface Resolved {
  /** absolute, and an existing folder */
  readonly folder: string
  /** it differs from the one remembered before (or none was): the caller says so */
  readonly changed: boolean
}

/** @since 0.1.0 @category models */
export interface MachineConfigShape {
  /** the config dir */
  readonly dir: string
  /** `<dir>/exchange.json` */
  readonly path: string
  /** the config, made (with a new machine id) when there is none yet */
  readonly ensure: () => Effect.Effect<Config, ExchangeError>
  /**
   * The exchange folder: `given` (then remembered), else the remembered one. It must exist; none
   * at all is `no_folder`.
   */
  readonly resolveFolder: (given: Option.Option<string>) => Effect.Effect<Resolved, ExchangeError>
  /** a new machine id and writer (after a copied config), keeping the remembered folder */
  readonly setNewId: () => Effect.Effect<Config, ExchangeError>
  /** the config as it is, none when there is none yet (reads only: never makes one) */
  readonly current: () => Effect.Effect<Option.Option<Config>, ExchangeError>
  /**
   * The exchange folder as {@link resolveFolder} finds it, reading only: `given` is not
   * remembered and no config is made.
   */
  readonly findFolder: (given: Option.Option<string>) => Effect.Effect<string, ExchangeError>
  /** remembers push's and pull's choices (the config made first if there is none); writes only what changed */
  readonly remember: (choices: Choices) => Effect.Effect<Config, ExchangeError>
}

/** @since 0.1.0 @category tags */
export class MachineConfig extends Context.Tag("@sessionport/lineage/MachineConfig")<MachineConfig, MachineConfigShape>() {}

const toConfig = (file: ConfigFile): Config => ({
  machineId: file.machine_id,
  machineName: file.machine_name,
  writer: file.writer,
  createdAt: file.created_at,
  hostname: file.hostname,
  configDir: file.config_dir,
  machineKey: file.machine_key,
  folder: Option.fromNullable(file.folder),
  encryption: file.encrypt_to !== undefined
    ? Option.some({ _tag: "Recipients", recipients: file.encrypt_to })
    : file.encrypt_with_passphrase === true
    ? Option.some({ _tag: "Passphrase" })
    : Option.none(),
  redact: file.redact === true,
  identities: file.identities ?? []
})

const fromConfig = (config: Config): ConfigFile => ({
  format: 1,
  machine_id: config.machineId,
  machine_name: config.machineName,
  writer: config.writer,
  created_at: config.createdAt,
  folder: Option.getOrNull(config.folder),
  ...(config.hostname === undefined ? {} : { hostname: config.hostname }),
  ...(config.configDir === undefined ? {} : { config_dir: config.configDir }),
  ...(config.machineKey === undefined ? {} : { machine_key: config.machineKey }),
  ...Option.match(config.encryption, {
    onNone: () => ({}),
    onSome: (encryption) => {
      if (encryption._tag === "Passphrase") return { encrypt_with_passphrase: true as const }
      const [first, ...rest] = encryption.recipients
      // no recipient at all is no encryption
      return first === undefined ? {} : { encrypt_to: [first, ...rest] as const }
    }
  }),
  ...(config.redact ? { redact: true } : {}),
  ...(config.identities.length === 0 ? {} : { identities: config.identities })
})

const errorText = (error: unknown): string => error instanceof Error ? error.message : String(error)

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === "ENOENT"

/**
 * A digest of the host's machine id (systemd's `/etc/machine-id`, else D-Bus's): what tells two
 * hosts apart when a disk was cloned with its host name. None where the file is not (macOS,
 * Windows): the host name and the config dir still are.
 */
const hostMachineKey = (): string | undefined => {
  for (const file of ["/etc/machine-id", "/var/lib/dbus/machine-id"]) {
    try {
      const id = nodeFs.readFileSync(file, "utf8").trim()
      if (id !== "") return createHash("sha256").update(`sessionport:${id}`).digest("hex").slice(0, 16)
    } catch {
      // next
    }
  }
  return undefined
}

const fresh = (hostname: string, origin: { readonly configDir: string; readonly machineKey: string | undefined }): Config => ({
  machineId: Outbox.newMachineId(hostname),
  machineName: hostname,
  writer: randomBytes(8).toString("hex"),
  createdAt: new Date().toISOString(),
  hostname,
  configDir: origin.configDir,
  machineKey: origin.machineKey,
  folder: Option.none(),
  encryption: Option.none(),
  redact: false,
  identities: []
})

/** `~` and `~/x` as a shell would have expanded them (`--to=~/x` reaches us unexpanded). */
const expandHome = (given: string, home: string): string =>
  given === "~" ? home : given.startsWith("~/") || given.startsWith("~\\") ? Path.join(home, given.slice(2)) : given

/**
 * The config in `dir`. `hostname` (default `os.hostname()`) names a new machine; `home`
 * (default `os.homedir()`) expands a given `~/…`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  dir: string,
  options?: {
    readonly hostname?: string | undefined
    readonly home?: string | undefined
    /** the host's machine key (default: from its machine id file; `null`: none) */
    readonly machineKey?: string | null | undefined
  }
): MachineConfigShape => {
  const path = Path.join(dir, FILE)
  const hostname = options?.hostname ?? os.hostname()
  const origin = {
    configDir: Path.resolve(dir),
    machineKey: options?.machineKey === undefined ? hostMachineKey() : options.machineKey ?? undefined
  }
  const home = options?.home ?? os.homedir()
  const bad = (detail: string, cause?: unknown) =>
    new ExchangeError({ reason: "bad_config", path, detail, ...(cause === undefined ? {} : { cause }) })

  const parse = (text: string): Effect.Effect<Config, ExchangeError> => {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      return Effect.fail(bad(`not JSON: ${errorText(error)}`))
    }
    const decoded = Schema.decodeUnknownEither(ConfigFile)(json)
    if (Either.isLeft(decoded)) {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
      return Effect.fail(bad(issue === undefined ? "invalid" : `${issue.path.join(".")}: ${issue.message}`))
    }
    return Effect.succeed(toConfig(decoded.right))
  }

  /** the config, none when there is no file yet */
  const read: Effect.Effect<Option.Option<Config>, ExchangeError> = Effect.tryPromise({
    try: async (): Promise<string | undefined> => {
      try {
        return await fs.readFile(path, "utf8")
      } catch (error) {
        if (isMissing(error)) return undefined
        throw error
      }
    },
    catch: (error) => bad(`cannot read it: ${errorText(error)}`, error)
  }).pipe(Effect.flatMap((text) => text === undefined ? Effect.succeedNone : Effect.asSome(parse(text))))

  const text = (config: Config): string => JSON.stringify(fromConfig(config), null, 2) + "\n"

  const write = (config: Config): Effect.Effect<Config, ExchangeError> =>
    AtomicFile.writeFile(path, text(config)).pipe(
      Effect.mapError((error) => bad(`cannot write it: ${error.detail}`, error)),
      Effect.as(config)
    )

  /**
   * Writes a first config only if there is still none: the complete file is made under a name of
   * its own, then linked to `exchange.json` (which fails if another process made one meanwhile),
   * so two first commands at once agree on one machine id.
   */
  const create = (config: Config): Effect.Effect<Config, ExchangeError> => {
    const staged = `${path}.new-${randomBytes(6).toString("hex")}`
    return AtomicFile.writeFile(staged, text(config)).pipe(
      Effect.mapError((error) => bad(`cannot write it: ${error.detail}`, error)),
      Effect.zipRight(Effect.tryPromise({
        try: () => fs.link(staged, path).then(() => true, (error) => (error as NodeJS.ErrnoException).code === "EEXIST" ? false : Promise.reject(error)),
        catch: (error) => bad(`cannot write it: ${errorText(error)}`, error)
      })),
      Effect.ensuring(Effect.promise(() => fs.rm(staged, { force: true }).catch(() => undefined))),
      Effect.flatMap((created) =>
        created ? Effect.succeed(config) : read.pipe(Effect.flatMap(Option.match({
          onNone: () => Effect.fail(bad("it vanished while it was made")),
          onSome: Effect.succeed
        })))
      )
    )
  }

  const ensure = Effect.fn("MachineConfig.ensure")(function*() {
    const existing = yield* read
    if (Option.isSome(existing)) {
      // copied with the rest of a home folder, or a cloned disk: two machines would write one outbox
      const made = existing.value
      const copied = made.hostname !== undefined && made.hostname !== hostname
        ? `it was made on host ${made.hostname}, this is ${hostname}`
        : made.machineKey !== undefined && origin.machineKey !== undefined && made.machineKey !== origin.machineKey
        ? "it was made on another machine (the host's machine id differs)"
        : made.configDir !== undefined && made.configDir !== origin.configDir
        ? `it was made in ${made.configDir} (copied or moved here)`
        : undefined
      if (copied !== undefined) return yield* new ExchangeError({ reason: "copied_config", path, detail: copied })
      return made
    }
    yield* Effect.tryPromise({
      try: () => fs.mkdir(dir, { recursive: true }),
      catch: (error) => bad(`cannot make its folder: ${errorText(error)}`, error)
    })
    return yield* create(fresh(hostname, origin))
  })

  const checkFolder = (folder: string): Effect.Effect<string, ExchangeError> =>
    Effect.promise(() => fs.stat(folder).then((stat) => stat.isDirectory() ? "folder" : "not a folder", (error) => isMissing(error) ? "missing" : errorText(error))).pipe(
      Effect.flatMap((found) =>
        found === "folder" ? Effect.succeed(folder) : Effect.fail(
          new ExchangeError({
            reason: "folder_missing",
            path: folder,
            detail: found === "missing" ? "does not exist" : found === "not a folder" ? "is not a folder" : `cannot be read (${found})`
          })
        )
      )
    )

  // every refusal comes before a first config is made: a usage mistake writes nothing
  const resolveFolder = Effect.fn("MachineConfig.resolveFolder")(function*(given: Option.Option<string>) {
    if (Option.isNone(given)) {
      const remembered = Option.flatMap(yield* read, (config) => config.folder)
      if (Option.isNone(remembered)) return yield* new ExchangeError({ reason: "no_folder", path: "", detail: "" })
      yield* ensure()
      return { folder: yield* checkFolder(remembered.value), changed: false }
    }
    // checked before it is remembered: a typo is never remembered
    const folder = yield* checkFolder(Path.resolve(expandHome(given.value, home)))
    const config = yield* ensure()
    const changed = Option.getOrUndefined(config.folder) !== folder
    if (changed) yield* write({ ...config, folder: Option.some(folder) })
    return { folder, changed }
  })

  const setNewId = Effect.fn("MachineConfig.setNewId")(function*() {
    // read, not ensure: this is the way out of a copied config
    const config = yield* read
    if (Option.isNone(config)) return yield* ensure()
    const { encryption, folder, identities, redact } = config.value
    return yield* write({ ...fresh(hostname, origin), folder, encryption, redact, identities })
  })

  const remember = Effect.fn("MachineConfig.remember")(function*(choices: Choices) {
    const config = yield* ensure()
    const next: Config = {
      ...config,
      ...(choices.encryption === undefined ? {} : { encryption: choices.encryption }),
      ...(choices.redact === undefined ? {} : { redact: choices.redact }),
      ...(choices.identities === undefined ? {} : { identities: choices.identities })
    }
    return text(next) === text(config) ? config : yield* write(next)
  })

  const findFolder = Effect.fn("MachineConfig.findFolder")(function*(given: Option.Option<string>) {
    if (Option.isSome(given)) return yield* checkFolder(Path.resolve(expandHome(given.value, home)))
    const remembered = Option.flatMap(yield* read, (config) => config.folder)
    if (Option.isNone(remembered)) return yield* new ExchangeError({ reason: "no_folder", path: "", detail: "" })
    return yield* checkFolder(remembered.value)
  })

  return { dir, path, ensure, resolveFolder, setNewId, current: () => read, findFolder, remember }
}

/**
 * The config of this process's environment ({@link configDir} of `process.env`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<MachineConfig> = Layer.sync(MachineConfig, () => make(configDir(process.env)))

/** The config in `dir`. @since 0.1.0 @category layers */
export const layerAt = (dir: string, options?: Parameters<typeof make>[1]): Layer.Layer<MachineConfig> =>
  Layer.succeed(MachineConfig, make(dir, options))
