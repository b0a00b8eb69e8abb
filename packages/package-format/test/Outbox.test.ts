import { assert, describe, it } from "@effect/vitest"
import { sha256, snapshot, withTmp } from "@sessionport/codex-oracle/PackageBuilders"
import { Encryption, Outbox } from "@sessionport/package-format"
import { Encrypter } from "age-encryption"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as Path from "node:path"

// hand-written names: the digest below is sha256("a"), its first 32 hex written out by hand
const SHA_A = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
const STEM = "000007-ca978112ca1bbdcafac231b39a23dc4d"
const NAME = `${STEM}.tgz`
const ID = "alice-laptop-3f9a01c2"
const OTHER = "bob-pc-0a1b2c3d"

const entry = (seq: number, bytes: string, pushedAt: string) => ({
  seq,
  file: `packages/${String(seq).padStart(6, "0")}-${sha256(bytes).slice(0, 32)}.tgz`,
  sha256: sha256(bytes),
  size: Buffer.byteLength(bytes),
  package_id: `pkg-${seq}`,
  pushed_at: pushedAt,
  agents: ["codex", "claude"],
  sessions: [
    { agent: "codex", id: "019a-one", size: 48211, updated_at: "2026-01-02T03:04:05.000Z" },
    { agent: "codex", id: "019a-parent", size: 9120, updated_at: "2026-01-02T03:04:04Z", parent_of: "019a-one" }
  ]
})

const index = (packages: ReadonlyArray<ReturnType<typeof entry>> = [entry(1, "one", "2026-01-02T03:04:05.678Z")]) => ({
  format: 1 as const,
  kind: "sessionport-outbox" as const,
  machine_id: ID,
  machine_name: "alice-laptop",
  writer: "9c0123456789abcd",
  producer: { name: "sessionport", version: "0.4.0" },
  updated_at: "2026-01-02T03:04:06.000Z",
  packages
})

const receipts = {
  format: 1 as const,
  kind: "sessionport-receipts" as const,
  machine_id: ID,
  updated_at: "2026-01-02T03:04:06.000Z",
  pulled: { [OTHER]: [STEM] }
}

/** `DIR/<id>/` made in a temp folder */
const outbox = (dir: string, id = ID): string => {
  const path = Path.join(dir, id)
  fs.mkdirSync(path, { recursive: true })
  return path
}

describe("Outbox names", () => {
  it("packageName pads the seq to six digits and keeps 32 hex of the digest; parsePackageName reads it back", () => {
    assert.strictEqual(Outbox.packageName(7, SHA_A), NAME)
    assert.strictEqual(Outbox.packageStem(7, SHA_A), STEM)
    assert.strictEqual(Outbox.packageFile(7, SHA_A), `packages/${NAME}`)
    assert.strictEqual(Outbox.packageName(1234567, SHA_A), "1234567-ca978112ca1bbdcafac231b39a23dc4d.tgz")
    assert.deepStrictEqual(Outbox.parsePackageName(NAME), Option.some({ seq: 7, sha32: SHA_A.slice(0, 32), stem: STEM, encrypted: false }))
    assert.deepStrictEqual(
      Option.map(Outbox.parsePackageName("1234567-ca978112ca1bbdcafac231b39a23dc4d.tgz"), (name) => name.seq),
      Option.some(1234567)
    )
    for (
      const bad of [
        "00007-ca978112ca1bbdcafac231b39a23dc4d.tgz", // five digits
        "0000007-ca978112ca1bbdcafac231b39a23dc4d.tgz", // not the way seq 7 is written
        "000000-ca978112ca1bbdcafac231b39a23dc4d.tgz", // seq 0
        "000007-CA978112CA1BBDCAFAC231B39A23DC4D.tgz", // upper case
        `000007-${SHA_A}.tgz`, // the whole digest
        `${STEM}.tar.gz`,
        `packages/${NAME}`
      ]
    ) assert.isTrue(Option.isNone(Outbox.parsePackageName(bad)), bad)
    assert.throws(() => Outbox.packageName(0, SHA_A))
    assert.throws(() => Outbox.packageName(1, "xyz"))
  })

  it("an encrypted package is <stem>.tgz.age: named, parsed back (its stem the same), classified", () => {
    const encrypted = `${STEM}.tgz.age`
    assert.strictEqual(Outbox.packageName(7, SHA_A, true), encrypted)
    assert.strictEqual(Outbox.packageFile(7, SHA_A, true), `packages/${encrypted}`)
    assert.deepStrictEqual(Outbox.parsePackageName(encrypted), Option.some({ seq: 7, sha32: SHA_A.slice(0, 32), stem: STEM, encrypted: true }))
    assert.strictEqual(Outbox.classifyName(`packages/${encrypted}`), "package")
    for (const bad of [`${STEM}.age`, `${STEM}.tar.gz.age`, `${STEM}.tgz.age.age`, `${STEM}.TGZ.AGE`]) {
      assert.isTrue(Option.isNone(Outbox.parsePackageName(bad)), bad)
      assert.strictEqual(Outbox.classifyName(`packages/${bad}`), "other", bad)
    }
    assert.isTrue(Option.isNone(Outbox.parsePackageName(`0000007-${SHA_A.slice(0, 32)}.tgz.age`)))
    assert.strictEqual(Outbox.classifyName(`packages/${encrypted}.tmp-3fa10c2e-4242-0123456789ab`), "own_temp")
    assert.strictEqual(Outbox.classifyName(`packages/.syncthing.${encrypted}.tmp`), "engine_temp")
  })

  it("conflict copies of an encrypted package, the engine's text before .tgz.age or before .age", () => {
    const of = `packages/${STEM}.tgz.age`
    for (
      const name of [
        `packages/${STEM}.sync-conflict-20261207-020541-K4VBOVP.tgz.age`,
        // Syncthing takes the last extension only
        `packages/${STEM}.tgz.sync-conflict-20261207-020541-K4VBOVP.age`,
        `packages/${STEM} (alice's conflicted copy 2026-01-02).tgz.age`,
        `packages/${STEM}.tgz (alice's conflicted copy 2026-01-02).age`,
        `packages/${STEM} (1).tgz.age`,
        `packages/${STEM}.tgz (1).age`,
        `packages/${STEM}-LAPTOP.tgz.age`,
        `packages/${STEM}.tgz-LAPTOP-2.age`
      ]
    ) {
      assert.strictEqual(Outbox.classifyName(name), "conflict_copy", name)
      assert.strictEqual(Outbox.conflictOf(name), of, name)
    }
    // a plain package's copies still stand for the plain package
    assert.strictEqual(Outbox.conflictOf(`packages/${STEM} (1).tgz`), `packages/${NAME}`)
  })

  it("classifyName: our own files", () => {
    assert.strictEqual(Outbox.classifyName(`packages/${NAME}`), "package")
    assert.strictEqual(Outbox.classifyName(`packages\\${NAME}`), "package")
    assert.strictEqual(Outbox.classifyName("outbox.json"), "index")
    assert.strictEqual(Outbox.classifyName("receipts.json"), "receipts")
    assert.strictEqual(Outbox.classifyName("README.txt"), "readme")
    // strict: a package name anywhere but packages/, or a known name anywhere but the top, is not ours
    assert.strictEqual(Outbox.classifyName(NAME), "other")
    assert.strictEqual(Outbox.classifyName("packages/outbox.json"), "other")
    assert.strictEqual(Outbox.classifyName(`packages/sub/${NAME}`), "other")
    assert.strictEqual(Outbox.classifyName(`packages/000007-${SHA_A}.tgz`), "other")
    assert.strictEqual(Outbox.classifyName("Outbox.json"), "other")
    assert.strictEqual(Outbox.classifyName("notes.txt"), "other")
  })

  it("classifyName: every engine's conflict copy of a package, the index, the receipts", () => {
    const copies: ReadonlyArray<readonly [string, string]> = [
      // Syncthing, with and without the device id part
      [`packages/${STEM}.sync-conflict-20261207-020541-K4VBOVP.tgz`, `packages/${NAME}`],
      [`packages/${STEM}.sync-conflict-20261207-020541.tgz`, `packages/${NAME}`],
      ["outbox.sync-conflict-20261207-020541-K4VBOVP.json", "outbox.json"],
      ["receipts.sync-conflict-20260102-235959-ABCDEF7.json", "receipts.json"],
      // Dropbox
      [`packages/${STEM} (alice's conflicted copy 2026-01-02).tgz`, `packages/${NAME}`],
      ["outbox (Bob's conflicted copy 2026-01-02 (1)).json", "outbox.json"],
      ["receipts (Case Conflict).json", "receipts.json"],
      // generic numbered copies
      [`packages/${STEM} (1).tgz`, `packages/${NAME}`],
      ["outbox (2).json", "outbox.json"],
      // OneDrive, with the computer name
      [`packages/${STEM}-LAPTOP.tgz`, `packages/${NAME}`],
      ["outbox-DESKTOP-7G2K9QF.json", "outbox.json"],
      ["receipts-LAPTOP-2.json", "receipts.json"],
      ["README (1).txt", "README.txt"]
    ]
    for (const [name, of] of copies) {
      assert.strictEqual(Outbox.classifyName(name), "conflict_copy", name)
      assert.strictEqual(Outbox.conflictOf(name), of, name)
    }
    // the shapes of a copy of something that is not ours are just other files
    assert.strictEqual(Outbox.classifyName("notes (1).txt"), "other")
    assert.strictEqual(Outbox.classifyName(`packages/000007-abc.sync-conflict-20261207-020541-K4VBOVP.tgz`), "other")
    assert.strictEqual(Outbox.classifyName("outbox (copy).json"), "other")
    assert.strictEqual(Outbox.conflictOf("outbox.json"), undefined)
  })

  it("classifyName: engines' temps and files, our temps", () => {
    for (
      const name of [
        `packages/.syncthing.${NAME}.tmp`,
        ".syncthing.outbox.json.tmp",
        `packages/~syncthing~${NAME}.tmp`,
        "~$outbox.json",
        ".~lock.outbox.json#",
        `packages/${NAME}.partial`,
        ".dropbox",
        ".dropbox.cache",
        ".stversions",
        ".DS_Store",
        "Thumbs.db",
        "desktop.ini"
      ]
    ) assert.strictEqual(Outbox.classifyName(name), "engine_temp", name)
    for (
      const name of [
        ".outbox.json.tmp-0123456789ab",
        ".receipts.json.tmp-0123456789ab",
        "tmp/000008.tgz",
        "tmp/000008.tgz.tmp-3fa10c2e-4242-0123456789ab",
        "tmp",
        `packages/${NAME}.tmp-3fa10c2e-4242-0123456789ab`
      ]
    ) assert.strictEqual(Outbox.classifyName(name), "own_temp", name)
  })

  it("newMachineId: a slug of the host name and 8 random hex", () => {
    const id = Outbox.newMachineId("Alice's MacBook-Pro.local")
    // "alice-s-macbook-pro-local" cut to twenty characters, the dash the cut leaves at the end dropped
    assert.match(id, /^alice-s-macbook-pro-[0-9a-f]{8}$/)
    assert.isTrue(Outbox.isMachineId(id))
    assert.match(Outbox.newMachineId("---"), /^machine-[0-9a-f]{8}$/)
    assert.match(Outbox.newMachineId("DESKTOP-7G2K9QF"), /^desktop-7g2k9qf-[0-9a-f]{8}$/)
    assert.match(Outbox.newMachineId("abcdefghijklmnopqrstuvwxyz"), /^abcdefghijklmnopqrst-[0-9a-f]{8}$/)
    assert.notStrictEqual(Outbox.newMachineId("same"), Outbox.newMachineId("same"))
    assert.isFalse(Outbox.isMachineId("alice-laptop"))
    assert.isFalse(Outbox.isMachineId("Alice-3f9a01c2"))
  })
})

describe("Outbox index and receipts", () => {
  it.effect("round trip: written as two-space JSON with snake_case fields, read back equal", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const box = outbox(dir)
        const value = index([entry(1, "one", "2026-01-02T03:04:05.678Z"), entry(3, "three", "2026-01-02T03:04:05.679Z")])
        yield* Outbox.writeIndex(box, value)
        yield* Outbox.writeReceipts(box, receipts)
        assert.strictEqual(fs.readFileSync(Path.join(box, "outbox.json"), "utf8"), JSON.stringify(value, null, 2) + "\n")
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(Path.join(box, "receipts.json"), "utf8")), receipts)
        const read = yield* Outbox.readIndex(box)
        assert.deepStrictEqual(read, { _tag: "parsed", path: Path.join(box, "outbox.json"), value })
        const readR = yield* Outbox.readReceipts(box)
        assert.deepStrictEqual(readR, { _tag: "parsed", path: Path.join(box, "receipts.json"), value: receipts })
        // atomic writes: only the two files, no temp left
        assert.deepStrictEqual(snapshot(dir), [`${ID}/`, `${ID}/outbox.json`, `${ID}/receipts.json`])
      })
    ))

  it.effect("an encrypted entry: its file .tgz.age, encrypted: true written and read back", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const box = outbox(dir)
        const plain = entry(1, "one", "2026-01-02T03:04:05.678Z")
        const sealed = { ...entry(2, "two", "2026-01-02T03:04:05.679Z"), encrypted: true }
        const value = index([plain, { ...sealed, file: `${sealed.file}.age` }])
        yield* Outbox.writeIndex(box, value)
        const written = JSON.parse(fs.readFileSync(Path.join(box, "outbox.json"), "utf8"))
        assert.deepStrictEqual(written.packages.map((p: { file: string; encrypted?: boolean }) => [p.file, p.encrypted]), [
          [plain.file, undefined],
          [`${sealed.file}.age`, true]
        ])
        const read = yield* Outbox.readIndex(box)
        assert.deepStrictEqual(read._tag === "parsed" ? read.value : read, value)
      })
    ))

  it.effect("missing files are missing; a newer field is ignored", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const box = outbox(dir)
        assert.strictEqual((yield* Outbox.readIndex(box))._tag, "missing")
        assert.strictEqual((yield* Outbox.readReceipts(box))._tag, "missing")
        fs.writeFileSync(Path.join(box, "outbox.json"), JSON.stringify({ ...index(), future: true }))
        const read = yield* Outbox.readIndex(box)
        assert.deepStrictEqual(read._tag === "parsed" ? read.value : read, index())
      })
    ))

  it.effect("refusals: each bad file is unreadable with its reason", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const box = outbox(dir)
        const good = index([entry(1, "one", "2026-01-02T03:04:05.678Z"), entry(2, "two", "2026-01-02T03:04:06Z")])
        const cases: ReadonlyArray<readonly [string, unknown, RegExp]> = [
          ["not JSON", "{\"format\": 1,", /not JSON/],
          ["newer format", { ...good, format: 2 }, /format 2 is newer .*upgrade sessionport/],
          ["wrong kind", { ...good, kind: "sessionport-receipts" }, /^not an outbox index: kind/],
          ["snake_case only", { ...good, machine_id: undefined, machineId: ID }, /machine_id/],
          ["a file not named by its seq and digest", {
            ...good,
            packages: [{ ...good.packages[0]!, file: `packages/${NAME}` }]
          }, /packages\.0: file must be packages\/000001-/],
          ["encrypted, named .tgz", {
            ...good,
            packages: [{ ...good.packages[0]!, encrypted: true }]
          }, /packages\.0: file must be packages\/000001-[0-9a-f]{32}\.tgz\.age/],
          ["named .tgz.age, not encrypted", {
            ...good,
            packages: [{ ...good.packages[0]!, file: `${good.packages[0]!.file}.age` }]
          }, /packages\.0: file must be packages\/000001-[0-9a-f]{32}\.tgz \(/],
          ["a short digest", { ...good, packages: [{ ...good.packages[0]!, sha256: SHA_A.slice(0, 32) }] }, /sha256/],
          ["a negative size", { ...good, packages: [{ ...good.packages[0]!, size: -1 }] }, /size/],
          ["seq not increasing", { ...good, packages: [good.packages[1]!, good.packages[0]!] }, /increasing seq order/],
          ["seq twice", { ...good, packages: [good.packages[0]!, good.packages[0]!] }, /increasing seq order/],
          ["a local time", { ...good, updated_at: "2026-01-02 03:04:05" }, /updated_at: expected an ISO 8601 UTC time/],
          ["a bad writer", { ...good, writer: "writer" }, /writer/],
          ["another machine's index", { ...good, machine_id: OTHER }, /machine_id bob-pc-0a1b2c3d is not its folder's name/]
        ]
        for (const [what, content, why] of cases) {
          fs.writeFileSync(Path.join(box, "outbox.json"), typeof content === "string" ? content : JSON.stringify(content))
          const read = yield* Outbox.readIndex(box)
          assert.strictEqual(read._tag, "unreadable", what)
          assert.match(read._tag === "unreadable" ? read.detail : "", why, what)
        }
        const badReceipts: ReadonlyArray<readonly [unknown, RegExp]> = [
          [{ ...receipts, kind: "sessionport-outbox" }, /kind/],
          [{ ...receipts, pulled: { [OTHER]: [NAME] } }, /expected a package stem/],
          [{ ...receipts, pulled: { "not an id": [STEM] } }, /expected a machine id/],
          [{ ...receipts, format: 3 }, /format 3 is newer/]
        ]
        for (const [content, why] of badReceipts) {
          fs.writeFileSync(Path.join(box, "receipts.json"), JSON.stringify(content))
          const read = yield* Outbox.readReceipts(box)
          assert.match(read._tag === "unreadable" ? read.detail : read._tag, why)
        }
        fs.rmSync(Path.join(box, "receipts.json"))
        fs.mkdirSync(Path.join(box, "receipts.json"))
        assert.strictEqual((yield* Outbox.readReceipts(box))._tag, "unreadable")
      })
    ))

  it.effect("writeIndex refuses an invalid index (a bug) and leaves the old file", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const box = outbox(dir)
        yield* Outbox.writeIndex(box, index())
        const before = fs.readFileSync(Path.join(box, "outbox.json"))
        const bad = { ...index(), packages: [{ ...entry(1, "one", "2026-01-02T03:04:05Z"), file: "packages/x.tgz" }] }
        const exit = yield* Effect.exit(Outbox.writeIndex(box, bad))
        assert.isTrue(exit._tag === "Failure")
        assert.isTrue(fs.readFileSync(Path.join(box, "outbox.json")).equals(before))
        assert.deepStrictEqual(snapshot(dir), [`${ID}/`, `${ID}/outbox.json`])
      })
    ))

  it("lastPushed: each session's entry in the highest seq holding it", () => {
    const first = entry(1, "one", "2026-01-02T03:04:05Z")
    const later = {
      ...entry(4, "four", "2026-01-02T03:04:06Z"),
      sessions: [{ agent: "codex", id: "019a-one", size: 50000, updated_at: "2026-01-03T00:00:00Z" }]
    }
    const pushed = Outbox.lastPushed(index([first, later]))
    assert.deepStrictEqual([...pushed.entries()].sort(), [
      ["codex:019a-one", { size: 50000, updated_at: "2026-01-03T00:00:00Z", seq: 4 }],
      ["codex:019a-parent", { size: 9120, updated_at: "2026-01-02T03:04:04Z", seq: 1 }]
    ])
  })
})

describe("Outbox package files", () => {
  const bytes = Buffer.from("a package's bytes, not a real archive\n".repeat(1000))
  const digest = sha256(bytes)
  const file = `packages/000001-${digest.slice(0, 32)}.tgz`
  const expected = { size: bytes.length, sha256: digest }

  it.effect("complete, arriving (missing, truncated), damaged (flipped bytes, longer, a folder)", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const box = outbox(dir)
        const path = Path.join(box, file)
        assert.deepStrictEqual(yield* Outbox.checkFile(box, file, expected), { _tag: "arriving", size: 0, missing: true })
        fs.mkdirSync(Path.dirname(path))
        fs.writeFileSync(path, bytes.subarray(0, 1000))
        assert.deepStrictEqual(yield* Outbox.checkFile(box, file, expected), { _tag: "arriving", size: 1000, missing: false })
        const flipped = Buffer.from(bytes)
        flipped[5000] = flipped[5000]! ^ 0xff
        fs.writeFileSync(path, flipped)
        assert.deepStrictEqual(yield* Outbox.checkFile(box, file, expected), { _tag: "damaged", why: "digest differs" })
        fs.writeFileSync(path, Buffer.concat([bytes, Buffer.from("x")]))
        assert.deepStrictEqual(yield* Outbox.checkFile(box, file, expected), {
          _tag: "damaged",
          why: `larger than listed (${bytes.length + 1} bytes, listed ${bytes.length})`
        })
        fs.writeFileSync(path, bytes)
        assert.deepStrictEqual(yield* Outbox.checkFile(box, file, expected), { _tag: "complete" })
        assert.strictEqual(yield* Outbox.digestOf(path), digest)
        fs.rmSync(path)
        fs.mkdirSync(path)
        assert.deepStrictEqual(yield* Outbox.checkFile(box, file, expected), { _tag: "damaged", why: "not a regular file" })
      })
    ))

  it.effect("opens: a plain file, an age file the ring opens, none given, a ring that does not open it", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const box = outbox(dir)
        fs.mkdirSync(Path.join(box, "packages"))
        fs.writeFileSync(Path.join(box, file), bytes)
        assert.deepStrictEqual(yield* Outbox.opens(box, file, undefined), { _tag: "plain" })

        const mine = yield* Encryption.generateKeyPair
        const theirs = yield* Encryption.generateKeyPair
        const encrypter = new Encrypter()
        encrypter.addRecipient(mine.recipient)
        const sealedFile = `packages/000002-${"0".repeat(32)}.tgz.age`
        fs.writeFileSync(Path.join(box, sealedFile), yield* Effect.promise(() => encrypter.encrypt(bytes)))
        const ring = (identity: string): Encryption.KeyRing => ({ identities: [{ type: "X25519", source: "key.txt", key: identity }], passphrases: [] })
        assert.deepStrictEqual(yield* Outbox.opens(box, sealedFile, ring(mine.identity)), { _tag: "opens" })
        const none = yield* Outbox.opens(box, sealedFile, undefined)
        assert.deepInclude(none, { _tag: "locked", reason: "encrypted" })
        assert.match(none._tag === "locked" ? none.why : "", /encrypted \(to 1 X25519\): give --identity/)
        const wrong = yield* Outbox.opens(box, sealedFile, ring(theirs.identity))
        assert.deepInclude(wrong, { _tag: "locked", reason: "cannot_decrypt" })
        assert.match(wrong._tag === "locked" ? wrong.why : "", /no identity given opens it/)
        // a header cut short is damaged, not a missing key
        fs.writeFileSync(Path.join(box, sealedFile), fs.readFileSync(Path.join(box, sealedFile)).subarray(0, 40))
        assert.deepInclude(yield* Outbox.opens(box, sealedFile, ring(mine.identity)), { _tag: "locked", reason: "damaged" })
      })
    ))

  it.effect("digestOf: a file over one chunk; a missing file is an io error", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7)
        fs.writeFileSync(Path.join(dir, "big"), big)
        assert.strictEqual(yield* Outbox.digestOf(Path.join(dir, "big")), sha256(big))
        const error = yield* Effect.flip(Outbox.digestOf(Path.join(dir, "none")))
        assert.strictEqual(error.reason, "io")
      })
    ))
})

describe("Outbox.scan", () => {
  it.effect("machines with their index and receipts, their odd files, and the folder's strays", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const box = outbox(dir)
        yield* Outbox.writeIndex(box, index())
        const listed = index().packages[0]!.file
        fs.mkdirSync(Path.join(box, "packages"))
        fs.mkdirSync(Path.join(box, "tmp"))
        for (
          const name of [
            listed,
            `packages/${STEM}.sync-conflict-20261207-020541-K4VBOVP.tgz`,
            "packages/.syncthing.x.tgz.tmp",
            "outbox (1).json",
            "tmp/000002.tgz",
            "notes.txt"
          ]
        ) fs.writeFileSync(Path.join(box, name), "x")
        const bob = outbox(dir, OTHER)
        fs.writeFileSync(Path.join(bob, "outbox.json"), "{")
        fs.mkdirSync(Path.join(dir, ".stfolder"))
        fs.mkdirSync(Path.join(dir, "Alice"))
        fs.writeFileSync(Path.join(dir, "stray.txt"), "x")
        const scan = yield* Outbox.scan(dir)
        assert.deepStrictEqual(scan.strays, ["Alice", "stray.txt"])
        assert.deepStrictEqual(scan.machines.map((m) => [m.id, m.dir, m.index._tag, m.receipts._tag]), [
          [ID, box, "parsed", "missing"],
          [OTHER, bob, "unreadable", "missing"]
        ])
        assert.deepStrictEqual(scan.machines[0]!.problems, [
          { path: "notes.txt", kind: "other" },
          { path: "outbox (1).json", kind: "conflict_copy", of: "outbox.json" },
          { path: `packages/${STEM}.sync-conflict-20261207-020541-K4VBOVP.tgz`, kind: "conflict_copy", of: `packages/${NAME}` }
        ])
        const error = yield* Effect.flip(Outbox.scan(Path.join(dir, "none")))
        assert.strictEqual(error.reason, "io")
      })
    ))
})
