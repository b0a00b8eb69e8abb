/**
 * Real private keys and signed tokens from a seed: RSA (primes found by Miller–Rabin on seeded
 * candidates), EC P-256 and Ed25519 (seeded private scalars), encoded by node:crypto (PKCS#1,
 * SEC1, PKCS#8) or, for OpenSSH's own format, by `openSshEd25519` (PROTOCOL.key). Deterministic,
 * so no key material is committed and the corpus is the same on every run.
 */
import { createECDH, createHmac, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto"
import type { Rng } from "./Rng.js"

const SMALL_PRIMES: ReadonlyArray<number> = (() => {
  const out: Array<number> = []
  for (let n = 3; out.length < 300; n += 2) if (out.every((p) => n % p !== 0)) out.push(n)
  return out
})()

const modPow = (base: bigint, exp: bigint, mod: bigint): bigint => {
  let result = 1n
  let b = base % mod
  let e = exp
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod
    b = (b * b) % mod
    e >>= 1n
  }
  return result
}

const isProbablePrime = (n: bigint): boolean => {
  for (const p of SMALL_PRIMES) if (n % BigInt(p) === 0n) return n === BigInt(p)
  let d = n - 1n
  let s = 0
  while ((d & 1n) === 0n) {
    d >>= 1n
    s++
  }
  // fixed bases: the candidates are not adversarial, and 16 rounds leave < 2^-32 error
  witness: for (const a of SMALL_PRIMES.slice(0, 16)) {
    let x = modPow(BigInt(a), d, n)
    if (x === 1n || x === n - 1n) continue
    for (let r = 1; r < s; r++) {
      x = (x * x) % n
      if (x === n - 1n) continue witness
    }
    return false
  }
  return true
}

const toBigInt = (bytes: Uint8Array): bigint => BigInt("0x" + Buffer.from(bytes).toString("hex"))

const toBytes = (n: bigint): Buffer => {
  let hex = n.toString(16)
  if (hex.length % 2 === 1) hex = "0" + hex
  return Buffer.from(hex, "hex")
}

const b64u = (n: bigint): string => toBytes(n).toString("base64url")

const E = 65537n

const prime = (rng: Rng, bits: number): bigint => {
  for (;;) {
    const bytes = rng.bytes(bits / 8)
    bytes[0] |= 0xc0 // top two bits: p·q has exactly 2·bits bits
    bytes[bytes.length - 1] |= 1
    const candidate = toBigInt(bytes)
    if ((candidate - 1n) % E !== 0n && isProbablePrime(candidate)) return candidate
  }
}

const modInverse = (a: bigint, m: bigint): bigint => {
  let [r0, r1] = [a % m, m]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  return ((s0 % m) + m) % m
}

/** An RSA private key of `bits` bits from the seed. */
export const rsa = (rng: Rng, bits = 2048): KeyObject => {
  const p = prime(rng, bits / 2)
  let q = prime(rng, bits / 2)
  while (q === p) q = prime(rng, bits / 2)
  const n = p * q
  const d = modInverse(E, (p - 1n) * (q - 1n))
  return createPrivateKey({
    format: "jwk",
    key: {
      kty: "RSA",
      n: b64u(n),
      e: b64u(E),
      d: b64u(d),
      p: b64u(p),
      q: b64u(q),
      dp: b64u(d % (p - 1n)),
      dq: b64u(d % (q - 1n)),
      qi: b64u(modInverse(q, p))
    }
  })
}

/** An EC P-256 private key from the seed. */
export const ecP256 = (rng: Rng): KeyObject => {
  const ecdh = createECDH("prime256v1")
  ecdh.setPrivateKey(rng.bytes(32))
  const pub = ecdh.getPublicKey() // 04 || x || y
  return createPrivateKey({
    format: "jwk",
    key: {
      kty: "EC",
      crv: "P-256",
      d: ecdh.getPrivateKey().toString("base64url"),
      x: pub.subarray(1, 33).toString("base64url"),
      y: pub.subarray(33, 65).toString("base64url")
    }
  })
}

// PKCS#8 wrapping of a 32-byte Ed25519 seed (RFC 8410)
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex")

/** An Ed25519 private key from the seed, and its raw 32-byte seed and public key. */
export const ed25519 = (rng: Rng): { readonly key: KeyObject; readonly seed: Buffer; readonly publicKey: Buffer } => {
  const seed = rng.bytes(32)
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" })
  const spki = createPublicKey(key).export({ format: "der", type: "spki" })
  return { key, seed, publicKey: spki.subarray(spki.length - 32) }
}

const sshString = (data: Buffer | string): Buffer => {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data
  const len = Buffer.alloc(4)
  len.writeUInt32BE(bytes.length)
  return Buffer.concat([len, bytes])
}

const uint32 = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

const wrap = (base64: string, width: number): string => base64.match(new RegExp(`.{1,${width}}`, "g"))!.join("\n")

/**
 * An unencrypted OpenSSH private key file (`-----BEGIN OPENSSH PRIVATE KEY-----`, as `ssh-keygen
 * -t ed25519 -N ""` writes it: PROTOCOL.key, cipher and KDF "none", 70-column base64).
 */
export const openSshEd25519 = (rng: Rng, comment: string): string => {
  const { publicKey, seed } = ed25519(rng)
  const keyType = "ssh-ed25519"
  const publicBlob = Buffer.concat([sshString(keyType), sshString(publicKey)])
  const check = rng.bytes(4).readUInt32BE(0)
  let secret = Buffer.concat([
    uint32(check),
    uint32(check),
    sshString(keyType),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment)
  ])
  const pad: Array<number> = []
  for (let i = 1; (secret.length + pad.length) % 8 !== 0; i++) pad.push(i)
  secret = Buffer.concat([secret, Buffer.from(pad)])
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0", "latin1"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    uint32(1),
    sshString(publicBlob),
    sshString(secret)
  ])
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${wrap(body.toString("base64"), 70)}\n-----END OPENSSH PRIVATE KEY-----\n`
}

/** `ssh-ed25519 AAAA… comment` of a key made by `openSshEd25519` with the same seed. */
export const openSshEd25519Public = (rng: Rng, comment: string): string => {
  const { publicKey } = ed25519(rng)
  return `ssh-ed25519 ${Buffer.concat([sshString("ssh-ed25519"), sshString(publicKey)]).toString("base64")} ${comment}`
}

/** A JWT signed with HS256 (RFC 7519) under `key`. */
export const jwtHs256 = (payload: Record<string, unknown>, key: Buffer): string => {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o), "utf8").toString("base64url")
  const head = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(payload)}`
  return `${head}.${createHmac("sha256", key).update(head).digest("base64url")}`
}
