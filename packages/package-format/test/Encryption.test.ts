/**
 * Encrypted packages (`.tgz.age`): written by PackageWriter with a seal, read by PackageReader
 * with the keys of `Encryption.Keys`. Expected bytes come from elsewhere: the plaintext is what
 * the same writer makes unencrypted (its output is deterministic), decrypted here with typage's
 * own Decrypter; X25519 keys are typage's, SSH keys ssh-keygen's (the SSH cases skip without it).
 */
import { assert, describe, it } from "@effect/vitest"
import { baseFiles, baselineManifest, sessionText, sha256, snapshot, withTmp } from "@sessionport/codex-oracle/PackageBuilders"
import * as Peer from "@sessionport/codex-oracle/PeerArchives"
import { Encryption, Manifest, PackageError, PackageReader, PackageWriter, PeerArchive } from "@sessionport/package-format"
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from "age-encryption"
import { Effect, Stream } from "effect"
import { spawnSync } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as Path from "node:path"

const MTIME = new Date("2025-11-20T10:00:00Z")
/** a cheap scrypt for tests (age's default is 18: about a second) */
const WORK_FACTOR = 10

/** A package whose compressed archive spans several 64 KiB age chunks: a skill file that does not compress. */
const files = (): Record<string, string | Buffer> => ({
  ...baseFiles(),
  "sessions/rollout-2025-11-20T10-00-00-019a0000-0000-7000-8000-000000000001.jsonl": sessionText(512 * 1024),
  "skills/notes/noise.bin": noise(400 * 1024)
})

/** `bytes` bytes that do not compress (a chain of SHA-512 digests), the same every time. */
const noise = (bytes: number): Buffer => {
  const blocks: Array<Buffer> = [crypto.createHash("sha512").update("noise").digest()]
  while (blocks.length * 64 < bytes) blocks.push(crypto.createHash("sha512").update(blocks[blocks.length - 1]!).digest())
  return Buffer.concat(blocks).subarray(0, bytes)
}

const writePackage = (out: string, content: Record<string, string | Buffer>, seal?: Encryption.Seal) =>
  Effect.scoped(Effect.gen(function*() {
    const sink = yield* PackageWriter.open(out, { format: PackageWriter.formatFor(out), mtime: MTIME, seal })
    const listed: Array<Manifest.PackageFile> = []
    for (const [path, text] of Object.entries(content)) {
      const bytes = Buffer.from(text)
      listed.push(yield* sink.add({ path, size: bytes.length, content: Stream.make(new Uint8Array(bytes)) }))
    }
    yield* sink.addBytes("package_manifest.json", Manifest.stringify({ ...baselineManifest, files: listed }))
    yield* sink.commit
  }))

const ring = (identities: ReadonlyArray<Encryption.Identity>, passphrases: ReadonlyArray<string> = []): Encryption.KeyRing => ({ identities, passphrases })

const identity = (key: string): Encryption.Identity => ({ type: "X25519", source: "test", key })

const recipient = (key: string): Encryption.Recipient => ({ type: "X25519", source: "test", key })

const x25519 = Effect.promise(async () => {
  const secret = await generateX25519Identity()
  return { secret, public: await identityToRecipient(secret) }
})

/** verify then extract, with these keys; answers the extracted folder's files and their SHA-256 */
const readBack = (pkg: string, dir: string, keys: Encryption.KeyRing) =>
  Effect.gen(function*() {
    const verified = yield* PackageReader.verify(pkg)
    assert.strictEqual(verified.format, "tgz.age")
    const out = yield* PackageReader.extract(verified, Path.join(dir, `out-${crypto.randomUUID()}`))
    return Object.fromEntries(snapshot(out).filter((p) => !p.endsWith("/")).map((p) => [p, sha256(fs.readFileSync(Path.join(out, p)))]))
  }).pipe(Effect.provide(Encryption.layer(keys)))

const refusal = (pkg: string, keys?: Encryption.KeyRing) =>
  Effect.flip(keys === undefined ? PackageReader.verify(pkg) : Effect.provide(PackageReader.verify(pkg), Encryption.layer(keys)))

const assertRefused = (error: unknown, reason: string, includes?: string) => {
  assert.instanceOf(error, PackageError.PackageError)
  const refusal = error as PackageError.PackageError
  assert.strictEqual(refusal.reason, reason, refusal.message)
  assert.notInclude(refusal.message, "\n")
  if (includes !== undefined) assert.include(refusal.message, includes)
}

const expectedFiles = (content: Record<string, string | Buffer>) =>
  Object.fromEntries(Object.entries(content).map(([p, text]) => [p, sha256(Buffer.from(text))]))

const sshKeygen = spawnSync("ssh-keygen", ["-?"], { stdio: "ignore" }).error === undefined
const noSshKeygen = sshKeygen ? undefined : "ssh-keygen is not on PATH (apt-get install openssh-client)"

/** A fresh SSH key pair from ssh-keygen: the private key file and the public line. */
const sshKey = (dir: string, type: "ed25519" | "rsa", options: { passphrase?: string; pem?: boolean } = {}) => {
  const file = Path.join(dir, `id_${type}_${crypto.randomUUID().slice(0, 8)}`)
  const args = ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", options.passphrase ?? "", "-f", file, ...(options.pem === true ? ["-m", "PEM"] : [])]
  const run = spawnSync("ssh-keygen", args, { stdio: "ignore" })
  assert.strictEqual(run.status, 0, `ssh-keygen ${args.join(" ")}`)
  return { file, public: fs.readFileSync(`${file}.pub`, "utf8").trim() }
}

describe("Encryption: round trips", () => {
  it.effect("X25519: the plaintext is the unencrypted package, and verify + extract give every file", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const content = files()
        const key = yield* x25519
        const plain = Path.join(dir, "pkg.tgz")
        const sealed = Path.join(dir, "pkg.tgz.age")
        yield* writePackage(plain, content)
        yield* writePackage(sealed, content, { _tag: "Recipients", recipients: [recipient(key.public)] })
        const bytes = fs.readFileSync(sealed)
        assert.strictEqual(bytes.subarray(0, 22).toString("latin1"), "age-encryption.org/v1\n")
        // several payload chunks: the damage cases below hit a middle one
        assert.isAbove(bytes.length, 3 * 65536)
        const decrypter = new Decrypter()
        decrypter.addIdentity(key.secret)
        assert.isTrue(Buffer.from(yield* Effect.promise(() => decrypter.decrypt(bytes))).equals(fs.readFileSync(plain)))
        assert.deepStrictEqual(yield* readBack(sealed, dir, ring([identity(key.secret)])), {
          ...expectedFiles(content),
          "package_manifest.json": sha256(yield* PackageReader.verify(plain).pipe(Effect.map((v) => v.metadata.get("package_manifest.json")!)))
        })
      })
    ))

  it.effect("a passphrase: one scrypt stanza; read back with it", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const content = files()
        const sealed = Path.join(dir, "pkg.tar.gz.age")
        yield* writePackage(sealed, content, { _tag: "Passphrase", passphrase: "correct horse", workFactor: WORK_FACTOR })
        const header = fs.readFileSync(sealed).subarray(0, 200).toString("latin1").split("\n")
        assert.match(header[1]!, /^-> scrypt \S{22} 10$/)
        const got = yield* readBack(sealed, dir, ring([], ["correct horse"]))
        assert.strictEqual(got["skills/notes/noise.bin"], sha256(Buffer.from(content["skills/notes/noise.bin"]!)))
      })
    ))

  it.effect.skipIf(noSshKeygen !== undefined)("ssh-ed25519 and ssh-rsa recipients (OpenSSH and PEM private keys), and a file to several", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const content = files()
        const ed = sshKey(dir, "ed25519")
        const rsa = sshKey(dir, "rsa")
        const pem = sshKey(dir, "rsa", { pem: true })
        const x = yield* x25519
        const list = Path.join(dir, "recipients.txt")
        fs.writeFileSync(list, `# team\n${ed.public}\n\n${rsa.public}\n${pem.public}\n${x.public}\n`)
        const recipients = yield* Encryption.recipientsOf(list)
        assert.deepStrictEqual(recipients.map((r) => [r.type, r.source]), [
          ["ssh-ed25519", `${list}:2`],
          ["ssh-rsa", `${list}:4`],
          ["ssh-rsa", `${list}:5`],
          ["X25519", `${list}:6`]
        ])
        const sealed = Path.join(dir, "pkg.tgz.age")
        yield* writePackage(sealed, content, { _tag: "Recipients", recipients })
        const stanzas = fs.readFileSync(sealed).subarray(0, 4096).toString("latin1").split("\n").filter((l) => l.startsWith("-> "))
        assert.deepStrictEqual(stanzas.map((l) => l.split(" ")[1]), ["ssh-ed25519", "ssh-rsa", "ssh-rsa", "X25519"])
        // the tag: the first 4 bytes of SHA-256 of the key's wire form (the .pub's base64)
        const wire = Buffer.from(ed.public.split(" ")[1]!, "base64")
        assert.strictEqual(stanzas[0]!.split(" ")[2], crypto.createHash("sha256").update(wire).digest().subarray(0, 4).toString("base64").replace(/=+$/, ""))
        for (const key of [ed, rsa, pem]) {
          const identities = yield* Encryption.readIdentities(key.file)
          assert.deepStrictEqual(yield* readBack(sealed, dir, ring(identities)), {
            ...expectedFiles(content),
            "package_manifest.json": (yield* readBack(sealed, dir, ring([identity(x.secret)])))["package_manifest.json"]!
          })
        }
      })
    ))
})

describe("Encryption: refusals, one line each", () => {
  const sealedTo = (dir: string, publicKey: string) =>
    Effect.gen(function*() {
      const sealed = Path.join(dir, "pkg.tgz.age")
      yield* writePackage(sealed, files(), { _tag: "Recipients", recipients: [recipient(publicKey)] })
      return sealed
    })

  it.effect("no key: encrypted, naming the recipients' types; a wrong key: cannot_decrypt", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const key = yield* x25519
        const other = yield* x25519
        const sealed = yield* sealedTo(dir, key.public)
        assertRefused(yield* refusal(sealed), "encrypted", "encrypted (to 1 X25519): give --identity FILE or --passphrase")
        assertRefused(yield* refusal(sealed, ring([], [])), "encrypted")
        assertRefused(yield* refusal(sealed, ring([identity(other.secret)])), "cannot_decrypt", "no identity given opens it (it is encrypted to 1 X25519)")
        assertRefused(yield* refusal(sealed, ring([], ["a guess"])), "cannot_decrypt", "1 X25519")
      })
    ))

  it.effect("a passphrase package: asks for the passphrase; a wrong one is said so", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const sealed = Path.join(dir, "pkg.tgz.age")
        yield* writePackage(sealed, files(), { _tag: "Passphrase", passphrase: "right", workFactor: WORK_FACTOR })
        assertRefused(yield* refusal(sealed), "encrypted", "encrypted with a passphrase: give --passphrase")
        assertRefused(yield* refusal(sealed, ring([], ["wrong"])), "cannot_decrypt", "the passphrase does not open it")
        const key = yield* x25519
        assertRefused(yield* refusal(sealed, ring([identity(key.secret)])), "cannot_decrypt", "give --passphrase")
      })
    ))

  it.effect("truncated by one byte, a byte flipped in a middle chunk, in the header MAC, in the version line: corrupt_archive", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const key = yield* x25519
        const keys = ring([identity(key.secret)])
        const sealed = yield* sealedTo(dir, key.public)
        const bytes = fs.readFileSync(sealed)
        const headerEnd = bytes.indexOf("\n---") + 1
        const macLineEnd = bytes.indexOf("\n", headerEnd) + 1
        const variant = (name: string, change: (copy: Buffer) => Buffer) => {
          const file = Path.join(dir, `${name}.tgz.age`)
          fs.writeFileSync(file, change(Buffer.from(bytes)))
          return file
        }
        const flip = (at: number) => (copy: Buffer) => {
          copy[at] = copy[at]! ^ 0x01
          return copy
        }
        const truncated = variant("truncated", (copy) => copy.subarray(0, copy.length - 1))
        assertRefused(yield* refusal(truncated, keys), "corrupt_archive", "damaged or truncated encrypted data")
        // payload: 16-byte nonce, then chunks of 64 KiB + 16; the second chunk's middle
        const middle = variant("middle", flip(macLineEnd + 16 + 65536 + 16 + 30000))
        assertRefused(yield* refusal(middle, keys), "corrupt_archive", "damaged or truncated encrypted data")
        const mac = variant("mac", flip(headerEnd + 10))
        assertRefused(yield* refusal(mac, keys), "corrupt_archive", "invalid header HMAC")
        const version = variant("version", flip(5))
        // no longer an age file's first line: neither gzip nor age
        assertRefused(yield* refusal(version, keys), "not_a_package")
        const stanza = variant("stanza", (copy) => Buffer.concat([copy.subarray(0, 22), Buffer.from("-> X25519 !!\n"), copy.subarray(22)]))
        assertRefused(yield* refusal(stanza, keys), "corrupt_archive", "damaged age header")
      })
    ))

  it.effect("an ASCII-armored age file is refused with the way out", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const armored = Path.join(dir, "pkg.tgz.age")
        fs.writeFileSync(armored, "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n")
        assertRefused(yield* refusal(armored), "not_a_package", "age -d")
      })
    ))

  it.effect("the writer: a .tgz.age needs a seal, and a seal needs a .tgz.age", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const key = yield* x25519
        const missing = yield* Effect.flip(writePackage(Path.join(dir, "a.tgz.age"), files()))
        assert.include(missing.message, "needs recipients or a passphrase")
        const extra = yield* Effect.flip(writePackage(Path.join(dir, "a.tgz"), files(), { _tag: "Recipients", recipients: [recipient(key.public)] }))
        assert.include(extra.message, "only a .tgz.age package is encrypted")
        assert.deepStrictEqual(fs.readdirSync(dir), [])
      })
    ))
})

describe("Encryption: keys as people give them", () => {
  it.effect("recipients: age1 ones, checked; a secret key or a private key file is pointed at its public key", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const key = yield* x25519
        assert.deepStrictEqual((yield* Encryption.recipientsOf(key.public)).map((r) => r.type), ["X25519"])
        const broken = key.public.slice(0, -1) + (key.public.endsWith("q") ? "p" : "q")
        const bad = yield* Effect.flip(Encryption.recipientsOf(broken))
        assert.strictEqual(bad.reason, "bad_recipient")
        assert.include(bad.message, "not a valid age recipient")
        const secret = yield* Effect.flip(Encryption.recipientsOf(key.secret))
        assert.include(secret.message, "age-keygen -y")
        // a secret key is never printed back
        assert.notInclude(secret.message, key.secret.slice(16))
        assert.include((yield* Effect.flip(Encryption.recipientsOf("ecdsa-sha2-nistp256 AAAAE2VjZHNh"))).message, "ssh-ed25519 and ssh-rsa")
        assert.include((yield* Effect.flip(Encryption.recipientsOf(Path.join(dir, "none.pub")))).message, "cannot read")
        const empty = Path.join(dir, "empty.txt")
        fs.writeFileSync(empty, "# nobody\n\n")
        assert.include((yield* Effect.flip(Encryption.recipientsOf(empty))).message, "no recipient in it")
        const secretFile = Path.join(dir, "key.txt")
        fs.writeFileSync(secretFile, `# created: now\n# public key: ${key.public}\n${key.secret}\n`)
        assert.strictEqual((yield* Effect.flip(Encryption.recipientsOf(secretFile))).message, `${secretFile}:3: a secret key (an identity), not a recipient: give its public key (age-keygen -y FILE prints it)`)
      })
    ))

  it.effect("identities: an age-keygen file (comments skipped), a bad line by its number, an encrypted identity file", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const a = yield* x25519
        const b = yield* x25519
        const file = Path.join(dir, "keys.txt")
        fs.writeFileSync(file, `# created: 2026-01-01T00:00:00Z\n# public key: ${a.public}\n${a.secret}\n\n${b.secret}\n`)
        assert.deepStrictEqual((yield* Encryption.readIdentities(file)).map((i) => i.key), [a.secret, b.secret])
        // one character off: the checksum fails, and the key is not quoted back
        const damaged = b.secret.slice(0, 30) + (b.secret[30] === "Q" ? "P" : "Q") + b.secret.slice(31)
        fs.writeFileSync(file, `${a.secret}\n${damaged}\n`)
        assert.strictEqual((yield* Effect.flip(Encryption.readIdentities(file))).message, `${file}:2: not a valid age identity (bad encoding or checksum)`)
        fs.writeFileSync(file, `${a.public}\n`)
        assert.include((yield* Effect.flip(Encryption.readIdentities(file))).message, `${file}:1: not an age identity`)
        const encrypter = new Encrypter()
        encrypter.addRecipient(b.public)
        fs.writeFileSync(file, yield* Effect.promise(() => encrypter.encrypt(a.secret)))
        assert.include((yield* Effect.flip(Encryption.readIdentities(file))).message, "an encrypted identity file")
      })
    ))

  it.effect.skipIf(noSshKeygen !== undefined)("a passphrase-protected SSH key: refused with the way out", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        for (const key of [sshKey(dir, "ed25519", { passphrase: "secret" }), sshKey(dir, "rsa", { passphrase: "secret", pem: true })]) {
          const error = yield* Effect.flip(Encryption.readIdentities(key.file))
          assert.strictEqual(error.reason, "protected_key")
          assert.include(error.message, "age -d -i KEY")
        }
      })
    ))
})

describe("Encryption: coding-cli-session-sync archives", () => {
  it.effect("an encrypted peer archive is one with the key, and left to the package reader without", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const key = yield* x25519
        const archive = yield* Effect.promise(() => Peer.codexArchive(dir))
        const encrypter = new Encrypter()
        encrypter.addRecipient(key.public)
        const sealed = `${archive}.age`
        fs.writeFileSync(sealed, yield* Effect.promise(() => encrypter.encrypt(fs.readFileSync(archive))))
        assert.deepStrictEqual(yield* PeerArchive.sniff(sealed), { _tag: "Sessionport" })
        const keys = Encryption.layer(ring([identity(key.secret)]))
        assert.deepStrictEqual(yield* Effect.provide(PeerArchive.sniff(sealed), keys), { _tag: "Peer" })
        const plain = yield* PeerArchive.unpack(archive, fs.mkdtempSync(Path.join(dir, "plain-")))
        const dest = fs.mkdtempSync(Path.join(dir, "sealed-"))
        const unpacked = yield* Effect.provide(PeerArchive.unpack(sealed, dest), keys)
        assert.strictEqual(unpacked.tool, "codex")
        assert.deepStrictEqual(snapshot(unpacked.home), snapshot(plain.home))
      })
    ))
})
