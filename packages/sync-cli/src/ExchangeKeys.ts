/**
 * The keys and secret choices of the exchange commands, as the command line and the machine
 * config (`MachineConfig`) give them together:
 *
 * - push: encrypt to recipients (`--encrypt-to`), with a passphrase (`--passphrase`,
 *   `--passphrase-file`), or not (`--no-encrypt`); redact or not (`--redact`, `--no-redact`).
 *   What is given is remembered for later pushes; what is not given is what was remembered. A
 *   passphrase is never remembered, only that push asks for one: on a terminal it is asked (twice),
 *   off one it comes from `--passphrase-file` or `$SESSIONPORT_PASSPHRASE`, else a usage error.
 * - pull and status: the identity files given to pull (`--identity`, remembered by path, never
 *   the key itself, replacing those remembered before; `--forget-identities`), else those
 *   remembered, plus `$SESSIONPORT_IDENTITY` and a passphrase (`--passphrase`, or the variable).
 *
 * @since 0.6.0
 */
import { Options as Opt } from "@effect/cli"
import type { SecretGuard } from "@sessionport/agent"
import { Failure, Keys, Options } from "@sessionport/cli-kit"
import type { MachineConfig, Push } from "@sessionport/lineage"
import { Encryption } from "@sessionport/package-format"
import { Effect, Option } from "effect"
import * as Path from "node:path"

/** @since 0.6.0 @category options */
export const pushOptions = {
  redact: Opt.boolean("redact").pipe(
    Opt.withDescription(
      "Replace every secret the scan finds with [REDACTED:<kind>:<first 8 hex digits of its SHA-256>], as export --redact does; remembered for later pushes (--no-redact stops)."
    )
  ),
  noRedact: Opt.boolean("no-redact").pipe(Opt.withDescription("Stop redacting: push the sessions as they are (remembered).")),
  failOnSecrets: Opt.boolean("fail-on-secrets").pipe(
    Opt.withDescription(
      "Publish nothing (exit 1) when the scan finds a secret; with --redact, when one cannot be redacted. Not remembered."
    )
  ),
  encryptTo: Opt.text("encrypt-to").pipe(
    Opt.withDescription(
      "Encrypt the package (age, packages/….tgz.age) to this recipient: an age public key (age1…), an SSH public key (ssh-ed25519 …, ssh-rsa …), or a file of them, one a line (repeatable). Remembered for later pushes, replacing the recipients remembered before (a file by its path: read again at every push)."
    ),
    Opt.withPseudoName("RECIPIENT"),
    Opt.repeated
  ),
  passphrase: Opt.boolean("passphrase").pipe(
    Opt.withDescription(
      `Encrypt the package with a passphrase: asked twice on a terminal; off one, $${Keys.PASSPHRASE_ENV} or --passphrase-file. Remembered (never the passphrase: later pushes ask again).`
    )
  ),
  passphraseFile: Options.path(
    "passphrase-file",
    `The passphrase: the first line of FILE (implies --passphrase; else $${Keys.PASSPHRASE_ENV}, or asked on a terminal).`,
    "FILE"
  ).pipe(Opt.optional),
  noEncrypt: Opt.boolean("no-encrypt").pipe(
    Opt.withDescription("Stop encrypting: publish plain .tgz packages again, and forget the remembered recipients or passphrase mode.")
  )
}

/** @since 0.6.0 @category options */
export const pullOptions = {
  ...Keys.readerOptions,
  identity: Keys.readerOptions.identity.pipe(
    Opt.withDescription("Remembered for later pulls (the file's path, never the key), replacing the identity files remembered before.")
  ),
  forgetIdentities: Opt.boolean("forget-identities").pipe(
    Opt.withDescription("Forget the remembered identity files (those given with --identity are remembered instead).")
  )
}

interface PushChoiceOptions {
  readonly redact: boolean
  readonly noRedact: boolean
  readonly failOnSecrets: boolean
  readonly encryptTo: ReadonlyArray<string>
  readonly passphrase: boolean
  readonly passphraseFile: Option.Option<string>
  readonly noEncrypt: boolean
  readonly dryRun: boolean
}

const given = (o: PushChoiceOptions) => o.encryptTo.length > 0 ? "--encrypt-to" : o.passphrase || Option.isSome(o.passphraseFile) ? "--passphrase" : undefined

/**
 * The usage errors of push's choices: options that contradict each other.
 *
 * @since 0.6.0
 * @category parsing
 */
export const checkPush = (o: PushChoiceOptions): Failure.UsageError | undefined => {
  const usage = (detail: string) => new Failure.UsageError({ detail })
  if (o.redact && o.noRedact) return usage("--redact and --no-redact: give one")
  const encrypting = given(o)
  if (o.noEncrypt && encrypting !== undefined) return usage(`--no-encrypt and ${encrypting}: give one`)
  if (o.encryptTo.some((r) => r.trim() === "")) return usage("--encrypt-to needs a recipient, not an empty value")
  if (o.encryptTo.length > 0 && (o.passphrase || Option.isSome(o.passphraseFile))) {
    return usage("--encrypt-to and --passphrase: a package is encrypted to recipients or with a passphrase, not both")
  }
  return undefined
}

/** A recipient as remembered: a key as it is, a file by its absolute path (read again at every push). */
const rememberedForm = (recipient: string): string => {
  const text = recipient.trim()
  return /^(age1|ssh-|ecdsa-|sk-)/.test(text) ? text : Path.resolve(text)
}

/**
 * What push does about secrets and encryption, from the options and the remembered choices
 * (`config`: none before the first exchange command): the request's `secrets`, `encryption` and
 * `remember`. A passphrase is asked here (not for a dry run), before anything is written.
 *
 * @since 0.6.0
 * @category parsing
 */
export const pushChoices = (o: PushChoiceOptions, config: Option.Option<MachineConfig.Config>, configPath: string) =>
  Effect.gen(function*() {
    const remembered = Option.getOrUndefined(config)
    const redact = o.noRedact ? false : o.redact ? true : remembered?.redact ?? false
    const chosen: Option.Option<MachineConfig.Encryption> = o.noEncrypt
      ? Option.none()
      : o.encryptTo.length > 0
      ? Option.some({ _tag: "Recipients", recipients: o.encryptTo.map(rememberedForm) })
      : o.passphrase || Option.isSome(o.passphraseFile)
      ? Option.some({ _tag: "Passphrase" })
      : remembered?.encryption ?? Option.none()
    const encryption = yield* Option.match(chosen, {
      onNone: () => Effect.succeed<Push.PushEncryption | undefined>(undefined),
      onSome: (choice) => sealFor(choice, o, given(o) === undefined ? configPath : undefined)
    })
    const remember: MachineConfig.Choices = {
      ...(o.noEncrypt || given(o) !== undefined ? { encryption: chosen } : {}),
      ...(o.redact || o.noRedact ? { redact } : {})
    }
    const secrets: SecretGuard.Policy = { redact, failOnSecrets: o.failOnSecrets }
    return { secrets, encryption, remember: Object.keys(remember).length === 0 ? undefined : remember }
  })

/** The seal of an encryption choice; `rememberedIn`: the config it came from, named when a recipient no longer works. */
const sealFor = (choice: MachineConfig.Encryption, o: PushChoiceOptions, rememberedIn: string | undefined) =>
  Effect.gen(function*() {
    if (choice._tag === "Recipients") {
      const recipients = yield* Effect.forEach(choice.recipients, (recipient) =>
        Encryption.recipientsOf(recipient).pipe(
          Effect.mapError((error) =>
            rememberedIn === undefined
              ? new Failure.UsageError({ detail: `--encrypt-to ${error.message}` })
              : new Encryption.EncryptionError({
                reason: error.reason,
                source: `${error.source} (a recipient remembered in ${rememberedIn})`,
                detail: `${error.detail}; give --encrypt-to again, or --no-encrypt`
              })
          )
        ))
      const seal: Encryption.Seal = { _tag: "Recipients", recipients: recipients.flat() }
      return { mode: "recipients", seal } satisfies Push.PushEncryption
    }
    if (o.dryRun) return { mode: "passphrase" } satisfies Push.PushEncryption
    // the remembered mode asks as --passphrase does
    const seal = yield* Keys.seal({ encryptTo: [], passphrase: true, passphraseFile: o.passphraseFile, out: "-" })
    return { mode: "passphrase", seal } satisfies Push.PushEncryption
  })

interface KeyOptions {
  readonly identity: ReadonlyArray<string>
  readonly passphrase: boolean
  readonly passphraseFile: Option.Option<string>
  readonly forgetIdentities: boolean
}

/** status's keys: what pull would use without asking (remembered identities, the environment). */
export const statusKeyOptions: KeyOptions = { identity: [], passphrase: false, passphraseFile: Option.none(), forgetIdentities: false }

/**
 * The keys of pull and status: the identity files given (else those remembered, unless
 * forgotten), `$SESSIONPORT_IDENTITY`, a passphrase; and the identity files to remember. A
 * given file that cannot be used fails; a remembered one is named in a warning and left out.
 *
 * @since 0.6.0
 * @category parsing
 */
export const exchangeKeys = (o: KeyOptions, config: Option.Option<MachineConfig.Config>) =>
  Effect.gen(function*() {
    const ring = yield* Keys.keyRing(o)
    const remembered = o.identity.length > 0 || o.forgetIdentities ? [] : Option.getOrUndefined(config)?.identities ?? []
    const kept = yield* Effect.forEach(remembered, (file) =>
      Encryption.readIdentities(file).pipe(
        Effect.catchAll((error) =>
          Effect.as(
            Effect.logWarning(`remembered identity ${error.message}; left out (pull --identity FILE replaces the remembered ones, --forget-identities drops them)`),
            []
          )
        )
      ))
    const keys: Encryption.KeyRing = { identities: [...ring.identities, ...kept.flat()], passphrases: ring.passphrases }
    const remember: MachineConfig.Choices | undefined = o.identity.length > 0
      ? { identities: [...new Set(o.identity.map((file) => Path.resolve(file)))] }
      : o.forgetIdentities
      ? { identities: [] }
      : undefined
    return { keys, remember }
  })
