/**
 * SSH keys as age recipients and identities, the two types of age's `agessh` (the reference
 * implementation; the C2SP spec leaves them out): typage has neither. Built from library
 * primitives only: X25519, the Ed25519 → X25519 conversion, HKDF-SHA-256 and ChaCha20-Poly1305
 * from `@noble/*`, RSA-OAEP from `node:crypto`.
 *
 * - `ssh-ed25519`: the Ed25519 public key converted to X25519; an X25519 exchange with an
 *   ephemeral key whose shared secret is multiplied by a tweak (HKDF-SHA-256 of nothing, salted
 *   with the SSH wire key, info `age-encryption.org/v1/ssh-ed25519`); wrap key = HKDF-SHA-256(
 *   shared, salt = ephemeral share ‖ recipient, same info); file key sealed with ChaCha20-Poly1305
 *   (zero nonce). Stanza `-> ssh-ed25519 TAG SHARE`.
 * - `ssh-rsa`: RSA-OAEP with SHA-256 and the label `age-encryption.org/v1/ssh-rsa`. Stanza
 *   `-> ssh-rsa TAG`.
 *
 * TAG is the first 4 bytes of SHA-256 of the SSH wire form of the public key (unpadded base64).
 * Private keys: the unencrypted OpenSSH format (`openssh-key-v1`) for both types, and PEM keys
 * node:crypto reads (`RSA PRIVATE KEY`, `PRIVATE KEY`); a passphrase-protected key is refused
 * (its KDF, bcrypt-pbkdf, is not in the libraries we use).
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js"
import { ed25519, x25519 } from "@noble/curves/ed25519.js"
import { hkdf } from "@noble/hashes/hkdf.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { type Identity, type Recipient, Stanza } from "age-encryption"
import * as crypto from "node:crypto"

export const ED25519 = "ssh-ed25519"
export const RSA = "ssh-rsa"
const ED25519_LABEL = new TextEncoder().encode("age-encryption.org/v1/ssh-ed25519")
const RSA_LABEL = Buffer.from("age-encryption.org/v1/ssh-rsa")
const ZERO_NONCE = new Uint8Array(12)
const FILE_KEY_BYTES = 16

/** Why a key cannot be used; the caller names the key. */
export class KeyProblem extends Error {}

/** Unpadded standard base64, as age writes stanza arguments. */
export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64").replace(/=+$/, "")

/** Canonical unpadded base64 (age rejects any other), else `undefined`. */
export const unb64 = (text: string): Uint8Array | undefined => {
  if (!/^[A-Za-z0-9+/]*$/.test(text)) return undefined
  const bytes = Buffer.from(text, "base64")
  return b64(bytes) === text ? new Uint8Array(bytes) : undefined
}

/** Reads SSH wire fields (RFC 4251: uint32-length-prefixed strings, mpints, uint32s). */
class Wire {
  private at = 0
  constructor(private readonly bytes: Uint8Array) {}
  uint32(): number {
    if (this.at + 4 > this.bytes.length) throw new KeyProblem("truncated key data")
    const value = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.at, 4).readUInt32BE(0)
    this.at += 4
    return value
  }
  string(): Uint8Array {
    const length = this.uint32()
    if (this.at + length > this.bytes.length) throw new KeyProblem("truncated key data")
    const value = this.bytes.subarray(this.at, this.at + length)
    this.at += length
    return value
  }
  text(): string {
    return Buffer.from(this.string()).toString("latin1")
  }
  get done(): boolean {
    return this.at === this.bytes.length
  }
  rest(): Uint8Array {
    return this.bytes.subarray(this.at)
  }
}

const u32 = (n: number) => {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(n)
  return out
}
const sshString = (bytes: Uint8Array): Buffer => Buffer.concat([u32(bytes.length), bytes])
/** an unsigned big-endian integer as an SSH mpint: no leading zeros, one 0x00 when the top bit is set */
const mpint = (unsigned: Uint8Array): Buffer => {
  let start = 0
  while (start < unsigned.length && unsigned[start] === 0) start++
  const digits = unsigned.subarray(start)
  return sshString(digits.length > 0 && digits[0]! >= 0x80 ? Buffer.concat([Buffer.of(0), digits]) : digits)
}
/** an SSH mpint (positive) as unsigned big-endian bytes */
const unsigned = (mp: Uint8Array): Uint8Array => {
  let start = 0
  while (start < mp.length - 1 && mp[start] === 0) start++
  return mp.subarray(start)
}
const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url")
const bigOf = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`)
const bytesOf = (n: bigint) => {
  const hex = n.toString(16)
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex")
}

/** The stanza tag of an SSH public key (its wire form). */
export const tag = (wire: Uint8Array): string => b64(sha256(wire).subarray(0, 4))

const ed25519Wire = (publicKey: Uint8Array) => Buffer.concat([sshString(Buffer.from(ED25519)), sshString(publicKey)])

/** The X25519 key of the tweaked exchange: `X25519(HKDF(salt = wire, info = label), shared)`. */
const tweaked = (wire: Uint8Array, shared: Uint8Array): Uint8Array =>
  x25519.scalarMult(hkdf(sha256, new Uint8Array(0), wire, ED25519_LABEL, 32), shared)

const wrapKey = (shared: Uint8Array, share: Uint8Array, recipient: Uint8Array): Uint8Array => {
  const salt = new Uint8Array(64)
  salt.set(share)
  salt.set(recipient, 32)
  return hkdf(sha256, shared, salt, ED25519_LABEL, 32)
}

/** A public key's type and wire form, from an `authorized_keys` line (`TYPE BASE64 [COMMENT]`). */
export const parsePublicKey = (line: string): { readonly type: string; readonly wire: Uint8Array } => {
  const [type, data] = line.trim().split(/\s+/)
  const wire = data === undefined ? undefined : unb64(data.replace(/=+$/, ""))
  if (type === undefined || wire === undefined) throw new KeyProblem("not an SSH public key (TYPE BASE64 [COMMENT])")
  const inner = new Wire(wire).text()
  if (inner !== type) throw new KeyProblem(`the key data says ${JSON.stringify(inner)}, the line ${JSON.stringify(type)}`)
  return { type, wire }
}

/** An `ssh-ed25519` recipient of its SSH wire key. */
export const ed25519Recipient = (wire: Uint8Array): Recipient => {
  const reader = new Wire(wire)
  reader.text()
  const publicKey = reader.string()
  if (publicKey.length !== 32 || !reader.done) throw new KeyProblem("malformed ssh-ed25519 key")
  let recipient: Uint8Array
  try {
    recipient = ed25519.utils.toMontgomery(publicKey)
  } catch {
    throw new KeyProblem("the ssh-ed25519 key is not a point of the curve")
  }
  const keyTag = tag(wire)
  return {
    wrapFileKey: (fileKey) => {
      const ephemeral = crypto.randomBytes(32)
      const share = x25519.scalarMultBase(ephemeral)
      const shared = tweaked(wire, x25519.scalarMult(ephemeral, recipient))
      const body = chacha20poly1305(wrapKey(shared, share, recipient), ZERO_NONCE).encrypt(fileKey)
      return [new Stanza([ED25519, keyTag, b64(share)], body)]
    }
  }
}

/** The `ssh-ed25519` identity of an Ed25519 seed (the first half of OpenSSH's 64-byte private key). */
export const ed25519Identity = (seed: Uint8Array, publicKey: Uint8Array): Identity => {
  const wire = ed25519Wire(publicKey)
  const keyTag = tag(wire)
  const secret = ed25519.utils.toMontgomerySecret(seed)
  const ours = x25519.scalarMultBase(secret)
  return {
    unwrapFileKey: (stanzas) => {
      for (const stanza of stanzas) {
        if (stanza.args[0] !== ED25519) continue
        if (stanza.args.length !== 3) throw new Error("invalid ssh-ed25519 stanza")
        if (stanza.args[1] !== keyTag) continue
        const share = unb64(stanza.args[2]!)
        if (share === undefined || share.length !== 32 || stanza.body.length !== FILE_KEY_BYTES + 16) {
          throw new Error("invalid ssh-ed25519 stanza")
        }
        // a low-order share, or a body that does not open: damaged, as age says
        const shared = tweaked(wire, x25519.scalarMult(secret, share))
        return chacha20poly1305(wrapKey(shared, share, ours), ZERO_NONCE).decrypt(stanza.body)
      }
      return null
    }
  }
}

/** The RSA public key of an `ssh-rsa` wire key. */
const rsaPublicKey = (wire: Uint8Array): crypto.KeyObject => {
  const reader = new Wire(wire)
  reader.text()
  const e = unsigned(reader.string())
  const n = unsigned(reader.string())
  if (!reader.done) throw new KeyProblem("malformed ssh-rsa key")
  try {
    return crypto.createPublicKey({ key: { kty: "RSA", n: base64url(n), e: base64url(e) }, format: "jwk" })
  } catch (error) {
    throw new KeyProblem(`malformed ssh-rsa key (${error instanceof Error ? error.message : String(error)})`)
  }
}

const OAEP = { padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: RSA_LABEL } as const

/** An `ssh-rsa` recipient of its SSH wire key. */
export const rsaRecipient = (wire: Uint8Array): Recipient => {
  const key = rsaPublicKey(wire)
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new KeyProblem("RSA keys under 2048 bits are refused")
  const keyTag = tag(wire)
  return {
    wrapFileKey: (fileKey) => [new Stanza([RSA, keyTag], crypto.publicEncrypt({ key, ...OAEP }, fileKey))]
  }
}

/** The `ssh-rsa` identity of an RSA private key. */
export const rsaIdentity = (key: crypto.KeyObject): Identity => {
  const jwk = key.export({ format: "jwk" })
  const wire = Buffer.concat([sshString(Buffer.from(RSA)), mpint(Buffer.from(jwk.e!, "base64url")), mpint(Buffer.from(jwk.n!, "base64url"))])
  const keyTag = tag(wire)
  return {
    unwrapFileKey: (stanzas) => {
      for (const stanza of stanzas) {
        if (stanza.args[0] !== RSA) continue
        if (stanza.args.length !== 2) throw new Error("invalid ssh-rsa stanza")
        if (stanza.args[1] !== keyTag) continue
        return new Uint8Array(crypto.privateDecrypt({ key, ...OAEP }, stanza.body))
      }
      return null
    }
  }
}

/** What an SSH private key file holds: an identity, or why it cannot be one. */
export type PrivateKey =
  | { readonly _tag: "Identity"; readonly type: string; readonly identity: Identity }
  | { readonly _tag: "Protected" }

const OPENSSH = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/
const PEM = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----/
const MAGIC = Buffer.from("openssh-key-v1\0", "latin1")

/** Whether the text is a private key file this module knows the look of. */
export const isPrivateKey = (text: string): boolean => OPENSSH.test(text) || PEM.test(text)

/** The identity of an SSH private key file's text. Throws {@link KeyProblem}. */
export const parsePrivateKey = (text: string): PrivateKey => {
  const openssh = OPENSSH.exec(text)
  if (openssh !== null) return opensshKey(Buffer.from(openssh[1]!.replace(/\s+/g, ""), "base64"))
  const pem = PEM.exec(text)
  if (pem === null) throw new KeyProblem("not an SSH private key")
  if (pem[1] === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(text)) return { _tag: "Protected" }
  let key: crypto.KeyObject
  try {
    key = crypto.createPrivateKey({ key: text, format: "pem" })
  } catch (error) {
    throw new KeyProblem(`cannot read the PEM key (${error instanceof Error ? error.message : String(error)})`)
  }
  if (key.asymmetricKeyType === "rsa") return { _tag: "Identity", type: RSA, identity: rsaIdentity(key) }
  if (key.asymmetricKeyType === "ed25519") {
    const jwk = key.export({ format: "jwk" })
    return { _tag: "Identity", type: ED25519, identity: ed25519Identity(Buffer.from(jwk.d!, "base64url"), Buffer.from(jwk.x!, "base64url")) }
  }
  throw new KeyProblem(`a ${key.asymmetricKeyType ?? "unknown"} key: age reads ssh-ed25519 and ssh-rsa keys only`)
}

/** The `openssh-key-v1` container (PROTOCOL.key): one key, unencrypted. */
const opensshKey = (bytes: Buffer): PrivateKey => {
  if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new KeyProblem("not an openssh-key-v1 key")
  const reader = new Wire(bytes.subarray(MAGIC.length))
  const cipher = reader.text()
  const kdf = reader.text()
  reader.string()
  if (cipher !== "none" || kdf !== "none") return { _tag: "Protected" }
  if (reader.uint32() !== 1) throw new KeyProblem("an OpenSSH key file of several keys")
  reader.string()
  const secret = new Wire(reader.string())
  if (secret.uint32() !== secret.uint32()) throw new KeyProblem("damaged OpenSSH key (check bytes differ)")
  const type = secret.text()
  if (type === ED25519) {
    const publicKey = secret.string()
    const privateKey = secret.string()
    if (publicKey.length !== 32 || privateKey.length !== 64) throw new KeyProblem("malformed ssh-ed25519 private key")
    const seed = privateKey.subarray(0, 32)
    if (!Buffer.from(ed25519.getPublicKey(seed)).equals(publicKey)) throw new KeyProblem("damaged ssh-ed25519 private key (its halves differ)")
    return { _tag: "Identity", type, identity: ed25519Identity(seed, publicKey) }
  }
  if (type === RSA) {
    const [n, e, d, iqmp, p, q] = [secret.string(), secret.string(), secret.string(), secret.string(), secret.string(), secret.string()]
      .map(unsigned) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array]
    const [dBig, pBig, qBig] = [bigOf(d), bigOf(p), bigOf(q)]
    let key: crypto.KeyObject
    try {
      key = crypto.createPrivateKey({
        key: {
          kty: "RSA",
          n: base64url(n),
          e: base64url(e),
          d: base64url(d),
          p: base64url(p),
          q: base64url(q),
          dp: base64url(bytesOf(dBig % (pBig - 1n))),
          dq: base64url(bytesOf(dBig % (qBig - 1n))),
          qi: base64url(iqmp)
        },
        format: "jwk"
      })
    } catch (error) {
      throw new KeyProblem(`malformed ssh-rsa private key (${error instanceof Error ? error.message : String(error)})`)
    }
    return { _tag: "Identity", type, identity: rsaIdentity(key) }
  }
  throw new KeyProblem(`a ${type} key: age reads ssh-ed25519 and ssh-rsa keys only`)
}
