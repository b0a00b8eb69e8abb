/**
 * age streams for packages: the writer's encrypting stage (after gzip) and the readers'
 * decrypting source (before gunzip), on typage's web streams. A file's header is read, and its
 * file key found, before the source is answered, so that a missing or wrong key is one clear
 * refusal before any entry is read; damage further on fails the read where it is met (the
 * verify pass, before anything is written).
 *
 * A reader reads a package twice (verify, then extract): the file key found the first time is
 * kept with the ring, by the header's stanzas, so that a passphrase's scrypt (about a second)
 * or an RSA decryption runs once.
 */
import { Decrypter, Encrypter, type Identity, type Stanza } from "age-encryption"
import * as nodeFs from "node:fs"
import { Duplex, Readable } from "node:stream"
import type { ReadableStream as NodeReadableStream } from "node:stream/web"
import type { KeyRing, Seal } from "../Encryption.js"
import { ARMOR, isEmpty, MAGIC } from "../Encryption.js"
import { PackageError } from "../PackageError.js"
import { errorText } from "./files.js"
import { b64 } from "./ssh.js"

const READ_CHUNK = 1024 * 1024
const MAGIC_BYTES = Buffer.from(MAGIC, "latin1")
/** How many bytes {@link kindOf} wants. */
export const HEAD_BYTES = Math.max(MAGIC_BYTES.length, ARMOR.length + 64)

/** What the first bytes of a file say it is. */
export const kindOf = (head: Uint8Array): "gzip" | "age" | "armored" | "other" => {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength)
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return "gzip"
  if (bytes.length >= MAGIC_BYTES.length && bytes.subarray(0, MAGIC_BYTES.length).equals(MAGIC_BYTES)) return "age"
  // armor may follow blank space (the spec allows it around the block)
  return bytes.toString("latin1").trimStart().startsWith(ARMOR) ? "armored" : "other"
}

/** The first bytes of a file, for {@link kindOf}. */
export const headOf = (path: string): Buffer => {
  const fd = nodeFs.openSync(path, "r")
  try {
    const head = Buffer.alloc(HEAD_BYTES)
    return head.subarray(0, nodeFs.readSync(fd, head, 0, HEAD_BYTES, 0))
  } finally {
    nodeFs.closeSync(fd)
  }
}

const encrypter = (seal: Seal): Encrypter => {
  const encrypter = new Encrypter()
  if (seal._tag === "Passphrase") {
    encrypter.setPassphrase(seal.passphrase)
    if (seal.workFactor !== undefined) encrypter.setScryptWorkFactor(seal.workFactor)
  } else {
    for (const recipient of seal.recipients) encrypter.addRecipient(recipient.key)
  }
  return encrypter
}

/** A stream that encrypts what is written into it, answering the age file (header first). */
export const encrypting = async (seal: Seal): Promise<Duplex> => {
  const plain = new TransformStream<Uint8Array, Uint8Array>()
  const sealed = await encrypter(seal).encrypt(plain.readable)
  return Duplex.fromWeb({ writable: plain.writable, readable: sealed as unknown as NodeReadableStream<Uint8Array> })
}

/** What a ring opened so far, by the stanzas of the header (the file key), and its keys as typage's identities. */
interface Opened {
  readonly identities: ReadonlyArray<Identity>
  readonly fileKeys: Map<string, Uint8Array>
}
const opened = new WeakMap<KeyRing, Opened>()

/**
 * typage's identities of a ring's keys, in order (identities, then passphrases): typage makes
 * them from strings (`AGE-SECRET-KEY-1…`, passphrases) and keeps them in its Decrypter, whose
 * classes it does not export (age-encryption is pinned exactly for this).
 */
const openedBy = (ring: KeyRing): Opened => {
  const known = opened.get(ring)
  if (known !== undefined) return known
  const decrypter = new Decrypter()
  for (const identity of ring.identities) decrypter.addIdentity(identity.key)
  for (const passphrase of ring.passphrases) decrypter.addPassphrase(passphrase)
  const identities = (decrypter as unknown as { readonly identities?: unknown }).identities
  if (!Array.isArray(identities)) throw new Error("age-encryption's Decrypter changed shape (sessionport needs 0.3.1)")
  const made: Opened = { identities: identities as Array<Identity>, fileKeys: new Map() }
  opened.set(ring, made)
  return made
}

const stanzasKey = (stanzas: ReadonlyArray<Stanza>): string => stanzas.map((s) => `${s.args.join(" ")}\n${b64(s.body)}`).join("\n")

/**
 * The one identity typage is given: tries the ring, and notes what happened, so that a failure
 * can be told apart: a header that does not parse (never called), a stanza that is malformed
 * (an identity threw), no key for it (nothing matched), or damage past the stanzas (matched,
 * then failed).
 */
class Probe implements Identity {
  stanzas: ReadonlyArray<Stanza> | undefined = undefined
  matched = false
  failure: unknown = undefined
  private readonly opened: Opened | undefined

  constructor(ring: KeyRing | undefined) {
    this.opened = ring === undefined ? undefined : openedBy(ring)
  }

  async unwrapFileKey(stanzas: Array<Stanza>): Promise<Uint8Array | null> {
    this.stanzas = stanzas
    if (this.opened === undefined) return null
    const key = stanzasKey(stanzas)
    const known = this.opened.fileKeys.get(key)
    if (known !== undefined) {
      this.matched = true
      return known
    }
    for (const identity of this.opened.identities) {
      let fileKey: Uint8Array | null
      try {
        fileKey = await identity.unwrapFileKey(stanzas)
      } catch (error) {
        this.failure = error
        throw error
      }
      if (fileKey !== null) {
        this.matched = true
        this.opened.fileKeys.set(key, fileKey)
        return fileKey
      }
    }
    return null
  }
}

/** The recipients of a header, as a person reads them: `2 X25519, 1 ssh-ed25519 (i/5JmA)`. */
export const describe = (stanzas: ReadonlyArray<Stanza>): string => {
  const byType = new Map<string, Array<string>>()
  for (const stanza of stanzas) {
    const type = stanza.args[0] ?? "?"
    const tags = byType.get(type) ?? []
    // an SSH stanza names its key by a 4-byte tag: what tells a person which key it wants
    if (type.startsWith("ssh-") && stanza.args[1] !== undefined) tags.push(stanza.args[1])
    byType.set(type, tags)
  }
  return [...byType].map(([type, tags]) => {
    const count = stanzas.filter((s) => (s.args[0] ?? "?") === type).length
    return `${count} ${type}${tags.length > 0 ? ` (${tags.join(", ")})` : ""}`
  }).join(", ")
}

const isScrypt = (stanzas: ReadonlyArray<Stanza>) => stanzas.some((s) => s.args[0] === "scrypt")

const refuse = (reason: PackageError["reason"], pkg: string, detail: string) => new PackageError({ reason, package: pkg, detail })

/** Why the header could not be opened, from what the probe saw. */
const headerFailure = (pkg: string, probe: Probe, ring: KeyRing | undefined, error: unknown): PackageError => {
  const stanzas = probe.stanzas
  if (stanzas === undefined) return refuse("corrupt_archive", pkg, `damaged age header (${errorText(error)})`)
  if (probe.failure !== undefined) return refuse("corrupt_archive", pkg, `damaged age header (${errorText(probe.failure)})`)
  if (probe.matched) return refuse("corrupt_archive", pkg, `damaged encrypted data (${errorText(error)})`)
  const scrypt = isScrypt(stanzas)
  if (isEmpty(ring)) {
    return refuse(
      "encrypted",
      pkg,
      scrypt ? "encrypted with a passphrase: give --passphrase" : `encrypted (to ${describe(stanzas)}): give --identity FILE or --passphrase`
    )
  }
  if (scrypt) {
    return refuse(
      "cannot_decrypt",
      pkg,
      ring!.passphrases.length === 0 ? "encrypted with a passphrase, not to an identity: give --passphrase" : "the passphrase does not open it"
    )
  }
  return refuse("cannot_decrypt", pkg, `no identity given opens it (it is encrypted to ${describe(stanzas)})`)
}

/**
 * The plaintext of the age file at `path` (a `.tgz`), streamed: resolves once the header is read
 * and a key of `ring` opened it, else rejects with the `PackageError` that says why (`encrypted`,
 * `cannot_decrypt`, `corrupt_archive`). Damage past the header fails the stream with
 * `corrupt_archive`; a failing read with the read's own error.
 */
export const decrypting = async (path: string, ring: KeyRing | undefined, label: string = path): Promise<Readable> => {
  const file = nodeFs.createReadStream(path, { highWaterMark: READ_CHUNK })
  const probe = new Probe(ring)
  const decrypter = new Decrypter()
  decrypter.addIdentity(probe)
  let plain: ReadableStream<Uint8Array>
  try {
    plain = await decrypter.decrypt(Readable.toWeb(file) as unknown as ReadableStream<Uint8Array>)
  } catch (error) {
    file.destroy()
    throw isReadError(error) ? error : headerFailure(label, probe, ring, error)
  }
  const reader = plain.getReader()
  return new Readable({
    highWaterMark: READ_CHUNK,
    read() {
      reader.read().then(
        (chunk) => this.push(chunk.done ? null : chunk.value),
        (error) =>
          this.destroy(isReadError(error) ? error : refuse("corrupt_archive", label, `damaged or truncated encrypted data (${errorText(error)})`))
      )
    },
    destroy(error, callback) {
      file.destroy()
      reader.cancel().catch(() => undefined)
      callback(error)
    }
  })
}

/** A failure of the read itself (the disk, the file), not of what was read. */
const isReadError = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.syscall !== undefined
