/**
 * Encrypted packages (`.tgz.age`): a `.tgz` encrypted in the age format
 * (age-encryption.org/v1, https://c2sp.org/age) with `age-encryption` (typage), streaming, so the
 * `age` command reads what we write and we read what it writes.
 *
 * A package is sealed to recipients (`age1…` X25519, `age1pq1…` post-quantum hybrid, and SSH
 * public keys `ssh-ed25519` / `ssh-rsa`, given as themselves or in a recipients file, one a line,
 * `#` comments) or with a passphrase (scrypt), never both (age's rule). Readers are given a
 * {@link KeyRing} (identities: age identity files of `AGE-SECRET-KEY-1…` lines, or unencrypted SSH
 * private keys; and passphrases) through the {@link Keys} service, which the command provides:
 * library code that reads packages needs no new parameter. What an encrypted package still shows
 * without a key: its size, and its recipients' stanza types (with each SSH key's 4-byte tag).
 *
 * @since 0.6.0
 */
import {
  Decrypter,
  Encrypter,
  generateX25519Identity,
  type Identity as AgeIdentity,
  identityToRecipient,
  type Recipient as AgeRecipient
} from "age-encryption"
import { Context, Effect, Layer, Option, Schema } from "effect"
import * as fs from "node:fs/promises"
import { errorText } from "./internal/files.js"
import * as Ssh from "./internal/ssh.js"

/** What an age file starts with. @since 0.6.0 @category constants */
export const MAGIC = "age-encryption.org/v1\n"

/** The first line of an ASCII-armored age file (refused: packages are binary). @since 0.6.0 @category constants */
export const ARMOR = "-----BEGIN AGE ENCRYPTED FILE-----"

/**
 * A recipient or identity that cannot be used: one line naming where it came from.
 *
 * @since 0.6.0
 * @category errors
 */
export class EncryptionError extends Schema.TaggedError<EncryptionError>("@sessionport/package-format/EncryptionError")(
  "EncryptionError",
  {
    reason: Schema.Literal("bad_recipient", "bad_identity", "protected_key"),
    /** the argument, file or variable it came from */
    source: Schema.String,
    detail: Schema.String
  }
) {
  override get message(): string {
    return `${this.source}: ${this.detail}`
  }
}

/**
 * One recipient a package is encrypted to.
 *
 * @since 0.6.0
 * @category models
 */
export interface Recipient {
  /** its stanza type: `X25519`, `mlkem768x25519`, `ssh-ed25519`, `ssh-rsa`, … */
  readonly type: string
  /** where it was given (the argument, or `FILE:LINE`) */
  readonly source: string
  /** typage's form: the `age1…` string, or our SSH recipient */
  readonly key: string | AgeRecipient
}

/**
 * How a package is sealed: to recipients, or with a passphrase (scrypt, work factor 2^18 unless
 * `workFactor` says otherwise).
 *
 * @since 0.6.0
 * @category models
 */
export type Seal =
  | { readonly _tag: "Recipients"; readonly recipients: ReadonlyArray<Recipient> }
  | { readonly _tag: "Passphrase"; readonly passphrase: string; readonly workFactor?: number | undefined }

/**
 * One identity a reader tries.
 *
 * @since 0.6.0
 * @category models
 */
export interface Identity {
  /** the stanza type it opens */
  readonly type: string
  readonly source: string
  /** typage's form: the `AGE-SECRET-KEY-…` string, or our SSH identity */
  readonly key: string | AgeIdentity
}

/**
 * The keys a reader tries on an encrypted package: identities first, then passphrases.
 *
 * @since 0.6.0
 * @category models
 */
export interface KeyRing {
  readonly identities: ReadonlyArray<Identity>
  readonly passphrases: ReadonlyArray<string>
}

/**
 * The keys of the running command, read by whatever opens a package (ambient, like `Progress`):
 * without it an encrypted package is refused as `encrypted`.
 *
 * @since 0.6.0
 * @category tags
 */
export class Keys extends Context.Tag("@sessionport/package-format/Encryption/Keys")<Keys, KeyRing>() {}

/** @since 0.6.0 @category layers */
export const layer = (ring: KeyRing): Layer.Layer<Keys> => Layer.succeed(Keys, ring)

/**
 * The command's keys, when it provides any.
 *
 * @since 0.6.0
 * @category combinators
 */
export const ambient: Effect.Effect<KeyRing | undefined> = Effect.map(Effect.serviceOption(Keys), Option.getOrUndefined)

/** Whether a ring holds no key at all. @since 0.6.0 @category predicates */
export const isEmpty = (ring: KeyRing | undefined): boolean =>
  ring === undefined || (ring.identities.length === 0 && ring.passphrases.length === 0)

/** The stanza type of an `age1…` recipient, by its prefix (typage checks the rest). */
const nativeType = (text: string): string =>
  text.startsWith("age1pq1")
    ? "mlkem768x25519"
    : text.startsWith("age1tagpq1")
    ? "mlkem768p256tag"
    : text.startsWith("age1tag1")
    ? "p256tag"
    : "X25519"

const SSH_TYPES = /^(ssh-|ecdsa-|sk-)/

const SECRET_KEY = "AGE-SECRET-KEY-"

/** Whether an argument is a key itself (else it names a recipients file). */
const looksLikeKey = (text: string): boolean => text.startsWith("age1") || text.startsWith(SECRET_KEY) || SSH_TYPES.test(text)

/** How an argument is named in an error: as written, but never a secret key. */
const shown = (text: string): string => text.trim().startsWith(SECRET_KEY) ? `${SECRET_KEY}1…` : text

/**
 * One recipient as written (`age1…`, or an SSH public key line).
 *
 * @since 0.6.0
 * @category parsing
 */
export const parseRecipient = (text: string, source: string = shown(text)): Effect.Effect<Recipient, EncryptionError> =>
  Effect.try({
    try: (): Recipient => {
      const line = text.trim()
      if (line.startsWith("age1")) {
        try {
          // typage checks the encoding (and the key) as it takes one
          new Encrypter().addRecipient(line)
        } catch (error) {
          throw new Ssh.KeyProblem(`not a valid age recipient (${errorText(error)})`)
        }
        return { type: nativeType(line), source, key: line }
      }
      if (line.startsWith(SECRET_KEY)) {
        throw new Ssh.KeyProblem("a secret key (an identity), not a recipient: give its public key (age-keygen -y FILE prints it)")
      }
      if (SSH_TYPES.test(line)) {
        const named = line.split(/\s/, 1)[0]!
        if (named !== Ssh.ED25519 && named !== Ssh.RSA) throw new Ssh.KeyProblem(`${named} keys cannot be age recipients (ssh-ed25519 and ssh-rsa can)`)
        const { type, wire } = Ssh.parsePublicKey(line)
        return { type, source, key: type === Ssh.ED25519 ? Ssh.ed25519Recipient(wire) : Ssh.rsaRecipient(wire) }
      }
      throw new Ssh.KeyProblem("not a recipient (age1…, ssh-ed25519 …, ssh-rsa …)")
    },
    catch: (error) => new EncryptionError({ reason: "bad_recipient", source, detail: problemText(error) })
  })

const problemText = (error: unknown): string => error instanceof Ssh.KeyProblem ? error.message : errorText(error)

/** The lines of a keys file that say something: neither blank nor `#` comments, with their numbers. */
const keyLines = (text: string): Array<{ readonly line: number; readonly text: string }> =>
  text.split(/\r?\n/).flatMap((raw, i) => {
    const line = raw.trim()
    return line === "" || line.startsWith("#") ? [] : [{ line: i + 1, text: line }]
  })

const readText = (file: string, reason: EncryptionError["reason"]) =>
  Effect.tryPromise({
    try: () => fs.readFile(file, "utf8"),
    catch: (error) => new EncryptionError({ reason, source: file, detail: `cannot read: ${errorText(error)}` })
  })

/**
 * The recipients an `--encrypt-to` argument names: itself (`age1…`, `ssh-ed25519 …`, `ssh-rsa …`),
 * or a file of them (a recipients file as `age -R` reads it, or an SSH `.pub`).
 *
 * @since 0.6.0
 * @category parsing
 */
export const recipientsOf = (arg: string): Effect.Effect<ReadonlyArray<Recipient>, EncryptionError> =>
  looksLikeKey(arg.trim())
    ? Effect.map(parseRecipient(arg), (recipient) => [recipient])
    : Effect.gen(function*() {
      const text = yield* readText(arg, "bad_recipient")
      if (Ssh.isPrivateKey(text)) {
        return yield* new EncryptionError({ reason: "bad_recipient", source: arg, detail: "a private key: give its public key (the .pub file)" })
      }
      const lines = keyLines(text)
      if (lines.length === 0) return yield* new EncryptionError({ reason: "bad_recipient", source: arg, detail: "no recipient in it" })
      return yield* Effect.forEach(lines, (line) => parseRecipient(line.text, `${arg}:${line.line}`))
    })

/**
 * The identities of a key file's text: an SSH private key (unencrypted OpenSSH or PEM), or age
 * identities, one a line (`AGE-SECRET-KEY-1…`, `AGE-SECRET-KEY-PQ-1…`), `#` comments.
 *
 * @since 0.6.0
 * @category parsing
 */
export const parseIdentities = (text: string, source: string): Effect.Effect<ReadonlyArray<Identity>, EncryptionError> =>
  Effect.suspend(() => {
    const bad = (detail: string, at = source) => new EncryptionError({ reason: "bad_identity", source: at, detail })
    if (Ssh.isPrivateKey(text)) {
      return Effect.try({
        try: (): ReadonlyArray<Identity> => {
          const key = Ssh.parsePrivateKey(text)
          if (key._tag === "Protected") throw new ProtectedKey()
          return [{ type: key.type, source, key: key.identity }]
        },
        catch: (error) =>
          error instanceof ProtectedKey
            ? new EncryptionError({
              reason: "protected_key",
              source,
              detail:
                "a passphrase-protected SSH key, which sessionport cannot open: decrypt the package with `age -d -i KEY` and read the .tgz, or use an age identity (age-keygen)"
            })
            : bad(problemText(error))
      })
    }
    if (text.startsWith(MAGIC)) {
      return Effect.fail(bad("an encrypted identity file: decrypt it first (age -d), or give the key it holds"))
    }
    const lines = keyLines(text)
    if (lines.length === 0) return Effect.fail(bad("no identity in it (AGE-SECRET-KEY-1… lines, or an SSH private key)"))
    return Effect.forEach(lines, (line) =>
      Effect.try({
        try: (): Identity => {
          if (!line.text.startsWith(SECRET_KEY)) throw new Ssh.KeyProblem("not an age identity (AGE-SECRET-KEY-1…)")
          // typage checks the encoding as it takes one
          new Decrypter().addIdentity(line.text)
          return { type: line.text.startsWith("AGE-SECRET-KEY-PQ-1") ? "mlkem768x25519" : "X25519", source, key: line.text }
        },
        catch: (error) =>
          // never typage's message: its decoder quotes the (secret) key
          bad(error instanceof Ssh.KeyProblem ? error.message : "not a valid age identity (bad encoding or checksum)", `${source}:${line.line}`)
      }))
  })

class ProtectedKey extends Error {}

/**
 * The identities of a key file (see {@link parseIdentities}).
 *
 * @since 0.6.0
 * @category parsing
 */
export const readIdentities = (file: string): Effect.Effect<ReadonlyArray<Identity>, EncryptionError> =>
  Effect.flatMap(readText(file, "bad_identity"), (text) => parseIdentities(text, file))

/**
 * A new X25519 key pair, as `age-keygen` makes one: the identity (`AGE-SECRET-KEY-1…`, for
 * `--identity`) and its recipient (`age1…`, for `--encrypt-to`).
 *
 * @since 0.6.0
 * @category constructors
 */
export const generateKeyPair: Effect.Effect<{ readonly identity: string; readonly recipient: string }> = Effect.promise(async () => {
  const identity = await generateX25519Identity()
  return { identity, recipient: await identityToRecipient(identity) }
})
