/**
 * Encryption as a command line gives it (see `@sessionport/package-format`'s `Encryption`):
 *
 * - `export --encrypt-to RECIPIENT` (repeatable: `age1…`, `age1pq1…`, `ssh-ed25519 …`,
 *   `ssh-rsa …`, or a file of them such as a `.pub`) or `--passphrase`, writing a `.tgz.age`;
 * - every reader of packages (`inspect`, `install`, `list PACKAGE`, `sync`): `--identity FILE`
 *   (repeatable; age identity files or unencrypted SSH private keys; also `$SESSIONPORT_IDENTITY`,
 *   a file or the key itself) and `--passphrase`.
 *
 * A passphrase never comes from the command line: on a terminal it is asked for (twice when
 * encrypting), off one it is read from `--passphrase-file FILE` (its first line) or
 * `$SESSIONPORT_PASSPHRASE`; `--passphrase` with neither off a terminal is a usage error. A
 * reader also takes `$SESSIONPORT_PASSPHRASE` unasked: it is tried only on a package encrypted
 * with a passphrase.
 *
 * @since 0.6.0
 */
import { Options as Opt, ValidationError } from "@effect/cli"
import { Encryption } from "@sessionport/package-format"
import { Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import { canAsk } from "./Confirm.js"
import { UsageError } from "./Failure.js"
import * as Options from "./Options.js"
import * as PackagePath from "./PackagePath.js"

/** @since 0.6.0 @category constants */
export const IDENTITY_ENV = "SESSIONPORT_IDENTITY"
/** @since 0.6.0 @category constants */
export const PASSPHRASE_ENV = "SESSIONPORT_PASSPHRASE"

const passphraseFile = Options.path(
  "passphrase-file",
  `The passphrase: the first line of FILE (implies --passphrase; else $${PASSPHRASE_ENV}, or asked on a terminal).`,
  "FILE"
).pipe(Opt.optional)

/**
 * The options of a command that reads packages.
 *
 * @since 0.6.0
 * @category options
 */
export const readerOptions = {
  identity: Options.paths(
    "identity",
    `Open an encrypted package (.tgz.age) with this key: an age identity file (AGE-SECRET-KEY-1… lines, as age-keygen writes) or an unencrypted SSH private key (repeatable; also $${IDENTITY_ENV}).`,
    "FILE"
  ),
  passphrase: Opt.boolean("passphrase").pipe(
    Opt.withDescription(`Open a package encrypted with a passphrase: asked on a terminal; off one, $${PASSPHRASE_ENV} or --passphrase-file.`)
  ),
  passphraseFile
}

/**
 * The options of `export` that encrypt the package.
 *
 * @since 0.6.0
 * @category options
 */
export const exportOptions = {
  encryptTo: Opt.text("encrypt-to").pipe(
    Opt.withDescription(
      "Encrypt the package (age; --out FILE.tgz.age or -) to this recipient: an age public key (age1…, from age-keygen), an SSH public key (ssh-ed25519 …, ssh-rsa …), or a file of them, one a line (a .pub, a recipients file) (repeatable)."
    ),
    Opt.withPseudoName("RECIPIENT"),
    Opt.repeated,
    Opt.mapEffect((texts) => Effect.mapError(Effect.forEach(texts, Options.nonBlank("--encrypt-to")), ValidationError.invalidValue))
  ),
  passphrase: Opt.boolean("passphrase").pipe(
    Opt.withDescription(
      `Encrypt the package (age; --out FILE.tgz.age or -) with a passphrase: asked twice on a terminal; off one, $${PASSPHRASE_ENV} or --passphrase-file.`
    )
  ),
  passphraseFile
}

interface PassphraseOptions {
  readonly passphrase: boolean
  readonly passphraseFile: Option.Option<string>
}

interface ExportOptions extends PassphraseOptions {
  readonly encryptTo: ReadonlyArray<string>
  readonly out: string
  readonly format?: string | undefined
  readonly dryRun?: boolean | undefined
}

/** Whether the options ask for an encrypted package. @since 0.6.0 @category predicates */
export const encrypts = (o: ExportOptions): boolean => o.encryptTo.length > 0 || wantsPassphrase(o)

const wantsPassphrase = (o: PassphraseOptions) => o.passphrase || Option.isSome(o.passphraseFile)

const ENCRYPTED_OUT = /\.(tgz|tar\.gz)\.age$/i

const envPassphrase = (): string | undefined => {
  const value = process.env[PASSPHRASE_ENV]
  return value === undefined || value === "" ? undefined : value
}

/** Off a terminal a passphrase must come from somewhere. */
const passphraseSource = (o: PassphraseOptions): UsageError | undefined =>
  o.passphrase && Option.isNone(o.passphraseFile) && !canAsk() && envPassphrase() === undefined
    ? new UsageError({ detail: `--passphrase off a terminal: set ${PASSPHRASE_ENV} or give --passphrase-file FILE (never the passphrase itself)` })
    : undefined

/**
 * The usage errors of export's encryption options: recipients or a passphrase (not both), an
 * output that is a `.tgz.age` (or `-`, or an existing folder that one is named into) when
 * encrypting and only then, a passphrase it can get.
 *
 * @since 0.6.0
 * @category parsing
 */
export const checkExport = (o: ExportOptions): UsageError | undefined => {
  const encrypting = encrypts(o)
  const usage = (detail: string) => new UsageError({ detail })
  if (o.encryptTo.length > 0 && wantsPassphrase(o)) {
    return usage("--encrypt-to and --passphrase: a package is encrypted to recipients or with a passphrase, not both")
  }
  if (!encrypting) {
    return ENCRYPTED_OUT.test(o.out) || /\.age$/i.test(o.out)
      ? usage(`--out ${o.out}: an encrypted package needs --encrypt-to RECIPIENT or --passphrase`)
      : undefined
  }
  if (o.format !== undefined && o.format !== "package") return usage(`--format ${o.format}: only a package can be encrypted`)
  const named = !PackagePath.isStdio(o.out) && fs.statSync(o.out, { throwIfNoEntry: false })?.isDirectory() !== true
  if (named && !ENCRYPTED_OUT.test(o.out)) {
    return usage(`--out ${o.out}: an encrypted package is a FILE.tgz.age (or - for stdout, or an existing folder to name one in)`)
  }
  return passphraseSource(o)
}

const firstLine = (file: string) =>
  Effect.try({
    try: () => fs.readFileSync(file, "utf8").split(/\r?\n/, 1)[0] ?? "",
    catch: (error) => new UsageError({ detail: `--passphrase-file ${file}: cannot read (${error instanceof Error ? error.message : String(error)})` })
  }).pipe(
    Effect.filterOrFail((line) => line !== "", () => new UsageError({ detail: `--passphrase-file ${file}: its first line is empty` }))
  )

/** A passphrase typed on the terminal (masked, on stderr); Ctrl-C or Esc interrupts. */
const ask = (message: string): Effect.Effect<string> =>
  Effect.flatMap(
    Effect.promise(async () => {
      const prompts = await import("@clack/prompts")
      const answer = await prompts.password({
        message,
        output: process.stderr,
        validate: (value) => (value ?? "") === "" ? "a passphrase cannot be empty" : undefined
      })
      return prompts.isCancel(answer) ? undefined : answer
    }),
    (answer) => answer === undefined ? Effect.interrupt : Effect.succeed(answer)
  )

/** Asked twice until both agree, as a new passphrase is. */
const askNew: Effect.Effect<string> = Effect.gen(function*() {
  while (true) {
    const first = yield* ask("Passphrase to encrypt the package with")
    if ((yield* ask("The same passphrase again")) === first) return first
    process.stderr.write("The two passphrases differ; again.\n")
  }
})

/** The passphrase of `--passphrase` / `--passphrase-file` (`undefined`: neither given). */
const passphraseOf = (o: PassphraseOptions, asked: Effect.Effect<string>): Effect.Effect<string | undefined, UsageError> => {
  if (Option.isSome(o.passphraseFile)) return firstLine(o.passphraseFile.value)
  if (!o.passphrase) return Effect.succeed(undefined)
  if (canAsk()) return asked
  const env = envPassphrase()
  return env === undefined ? Effect.fail(passphraseSource(o)!) : Effect.succeed(env)
}

/**
 * How export seals the package (`undefined`: not encrypted). A recipient that cannot be used is
 * a usage error; a dry run checks the recipients and asks for no passphrase.
 *
 * @since 0.6.0
 * @category parsing
 */
export const seal = (o: ExportOptions): Effect.Effect<Encryption.Seal | undefined, UsageError> =>
  Effect.gen(function*() {
    if (o.encryptTo.length > 0) {
      const recipients = yield* Effect.forEach(o.encryptTo, Encryption.recipientsOf).pipe(
        Effect.mapError((error) => new UsageError({ detail: `--encrypt-to ${error.message}` }))
      )
      return { _tag: "Recipients", recipients: recipients.flat() } as const
    }
    if (!wantsPassphrase(o) || o.dryRun === true) return undefined
    const passphrase = yield* passphraseOf(o, askNew)
    return passphrase === undefined ? undefined : { _tag: "Passphrase", passphrase } as const
  })

interface ReaderOptions extends PassphraseOptions {
  readonly identity: ReadonlyArray<string>
}

/** `$SESSIONPORT_IDENTITY`: a key file, or the key itself (an age identity, or an SSH private key's text). */
const envIdentities = (): Effect.Effect<ReadonlyArray<Encryption.Identity>, Encryption.EncryptionError> => {
  const value = process.env[IDENTITY_ENV]?.trim()
  if (value === undefined || value === "") return Effect.succeed([])
  return value.startsWith("AGE-SECRET-KEY-") || value.startsWith("-----BEGIN")
    ? Encryption.parseIdentities(value, `$${IDENTITY_ENV}`)
    : Encryption.readIdentities(value)
}

/**
 * The keys a reader is given: `--identity` files and `$SESSIONPORT_IDENTITY`, the passphrase of
 * `--passphrase` (asked once on a terminal) and `$SESSIONPORT_PASSPHRASE`.
 *
 * @since 0.6.0
 * @category parsing
 */
export const keyRing = (o: ReaderOptions): Effect.Effect<Encryption.KeyRing, UsageError | Encryption.EncryptionError> =>
  Effect.gen(function*() {
    const given = yield* Effect.forEach(o.identity, Encryption.readIdentities)
    const identities = [...given.flat(), ...(yield* envIdentities())]
    const asked = yield* passphraseOf(o, ask("Passphrase of the package"))
    const env = envPassphrase()
    const passphrases = [...new Set([asked, env].filter((p): p is string => p !== undefined))]
    return { identities, passphrases }
  })

/**
 * The keys of a reader, for whatever opens a package (`Encryption.Keys`).
 *
 * @since 0.6.0
 * @category layers
 */
export const layer = (o: ReaderOptions): Layer.Layer<Encryption.Keys, UsageError | Encryption.EncryptionError> =>
  Layer.effect(Encryption.Keys, keyRing(o))

/**
 * Runs a reader's command with its keys: they are read (and a passphrase asked) before anything
 * else opens.
 *
 * @since 0.6.0
 * @category layers
 */
export const provide = (o: ReaderOptions) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, layer(o))
