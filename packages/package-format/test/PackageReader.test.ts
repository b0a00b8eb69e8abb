import { assert, describe, it } from "@effect/vitest"
import { Manifest, PackageError, PackageReader, PackageWriter } from "@sessionport/package-format"
import { RolloutReader } from "@sessionport/schema"
import { Chunk, Effect, Either, Stream } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as Path from "node:path"
import {
  baseFiles,
  baselineManifest,
  BOMB,
  entriesOf,
  gzip,
  manifestFor,
  ROLLOUT,
  SESSION,
  sessionText,
  sha256,
  snapshot,
  threadsLine,
  withTmp,
  writeFolder,
  writeTgz,
  writeTgzBomb
} from "@sessionport/codex-oracle/PackageBuilders"
import * as Samples from "@sessionport/codex-oracle/SecretSamples"

/** A package with a multi-MB session, one skill file, written by PackageWriter in `format`. */
const writePackage = (out: string, format: PackageWriter.Format, files: Record<string, string | Buffer>) =>
  Effect.scoped(
    Effect.gen(function*() {
      const sink = yield* PackageWriter.open(out, { format, mtime: new Date("2025-11-20T10:00:00Z") })
      const listed: Array<Manifest.PackageFile> = []
      for (const [path, content] of Object.entries(files)) {
        const bytes = Buffer.from(content)
        // stream in pieces, as a file read would
        const pieces = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536))
        listed.push(yield* sink.add({ path, size: bytes.length, content: Stream.fromIterable(pieces) }))
      }
      yield* sink.addBytes("package_manifest.json", Manifest.stringify({ ...baselineManifest, files: listed }))
      yield* sink.commit
      return listed
    })
  )

const bigFiles = (): Record<string, string | Buffer> => ({
  ...baseFiles(),
  [SESSION]: sessionText(6 * 1024 * 1024),
  "skills/notes/SKILL.md": "# notes\n",
  "metadata/thread_dynamic_tools.jsonl": "",
  "skeleton/required-directories.json": JSON.stringify(["/home/alice/proj"])
})

/** Inspector: decodes only the first record of each session, then stops reading. */
const firstRecordType = (_entry: string, content: Stream.Stream<Uint8Array, PackageError.PackageError>) =>
  RolloutReader.decodeBytes(content, (reason) => new PackageError.PackageError({ reason: "corrupt_archive", package: "", detail: reason })).pipe(
    Stream.take(1),
    Stream.runCollect,
    Effect.map((records) => {
      const first = Chunk.unsafeHead(records)
      return Either.isRight(first) ? (JSON.parse(first.right.raw) as { type: string }).type : "invalid"
    })
  )

describe("PackageReader", () => {
  for (const format of ["tgz", "directory"] as const) {
    it.effect(`round trip (${format}): write, verify with an inspector, extract, same bytes`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const files = bigFiles()
          const out = Path.join(dir, format === "tgz" ? "pkg.tgz" : "pkg")
          const listed = yield* writePackage(out, format, files)
          for (const file of listed) {
            assert.strictEqual(file.sha256, sha256(files[file.path]!), file.path)
            assert.strictEqual(file.size, Buffer.byteLength(files[file.path]!))
          }
          const verified = yield* PackageReader.verify(out, { inspectSession: firstRecordType })
          assert.strictEqual(verified.format, format)
          assert.strictEqual(verified.checksums, "verified")
          assert.deepStrictEqual(
            verified.files.map((f) => [f.path, f.size, f.sha256]),
            Object.entries(files).map(([path, content]) => [path, Buffer.byteLength(content), sha256(content)]).sort()
          )
          assert.deepStrictEqual([...verified.sessions], [[SESSION, "session_meta"]])
          assert.deepStrictEqual(
            [...verified.metadata.keys()].sort(),
            [
              "README.md",
              "metadata/path_localization.json",
              "metadata/session_index.jsonl",
              "metadata/thread_dynamic_tools.jsonl",
              "metadata/threads.jsonl",
              "package_manifest.json",
              "skeleton/required-directories.json"
            ]
          )
          assert.strictEqual(verified.metadata.get("metadata/threads.jsonl"), files["metadata/threads.jsonl"])

          const dest = Path.join(dir, "unpacked")
          const root = yield* PackageReader.extract(verified, dest)
          assert.strictEqual(root, format === "tgz" ? dest : out)
          for (const [path, content] of Object.entries(files)) {
            assert.isTrue(fs.readFileSync(Path.join(root, ...path.split("/"))).equals(Buffer.from(content)), path)
          }
          assert.deepStrictEqual(snapshot(dir).filter((p) => p.includes(".tmp-")), [])
        })
      ))
  }

  for (const format of ["tgz", "directory"] as const) {
    it.effect(`scanSession (${format}): the session's bytes pushed in the pass that hashes them, until the scan wants no more`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          // a metadata file of several read chunks too: kept whole, though a folder is read into one buffer
          const files: Record<string, string | Buffer> = { ...bigFiles(), "README.md": "# read me\n".repeat(300_000) }
          const out = Path.join(dir, format === "tgz" ? "pkg.tgz" : "pkg")
          yield* writePackage(out, format, files)
          const copies: Array<Buffer> = []
          const all = yield* PackageReader.verify(out, {
            scanSession: (entry) => ({
              push: (bytes) => (copies.push(Buffer.from(bytes)), true),
              end: () => ({ entry, bytes: Buffer.concat(copies) })
            })
          })
          assert.isAbove(copies.length, 1)
          assert.strictEqual(all.sessions.get(SESSION)!.entry, SESSION)
          assert.isTrue(all.sessions.get(SESSION)!.bytes.equals(Buffer.from(files[SESSION]!)))
          assert.strictEqual(all.metadata.get("README.md"), files["README.md"])
          let pushes = 0
          const first = yield* PackageReader.verify(out, {
            scanSession: () => {
              const scan = RolloutReader.scanner(() => false)
              let type = "none"
              return {
                push: (bytes) => {
                  pushes++
                  if (type === "none") type = new TextDecoder().decode(bytes.subarray(0, 200)).includes("session_meta") ? "session_meta" : "other"
                  return scan.push(bytes)
                },
                end: () => (scan.end(), type)
              }
            }
          })
          assert.strictEqual(pushes, 1, "no more pushes once the scan wants no more")
          assert.deepStrictEqual([...first.sessions], [[SESSION, "session_meta"]])
          // every byte hashed all the same
          assert.strictEqual(first.checksums, "verified")
          assert.deepStrictEqual(first.files, all.files)
          assert.deepStrictEqual(
            [...(yield* PackageReader.verify(out, { inspectSession: firstRecordType })).sessions],
            [...first.sessions]
          )
        })
      ))
  }

  it.effect("what a scan throws fails verify: corrupt_archive naming the session, or the PackageError it threw", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const pkg = yield* Effect.promise(() => writeTgz(dir, entriesOf(baseFiles())))
        const zstd = yield* PackageReader.verify(pkg, {
          scanSession: () => {
            const scan = RolloutReader.scanner(() => true)
            return {
              push: () => scan.push(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])),
              end: () => scan.end()
            }
          }
        }).pipe(Effect.flip)
        assert.strictEqual(zstd.reason, "corrupt_archive")
        assert.strictEqual(zstd.entry, SESSION)
        assert.match(zstd.detail, /zstd/)
        const own = new PackageError.PackageError({ reason: "too_large", package: pkg, entry: SESSION, detail: "mine" })
        const thrown = yield* PackageReader.verify(pkg, {
          scanSession: () => {
            throw own
          }
        }).pipe(Effect.flip)
        assert.deepStrictEqual([thrown.reason, thrown.entry, thrown.detail], ["too_large", SESSION, "mine"])
      })
    ))

  it.effect("the same input twice gives a byte-identical .tgz", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = bigFiles()
        yield* writePackage(Path.join(dir, "a.tgz"), "tgz", files)
        yield* writePackage(Path.join(dir, "b.tgz"), "tgz", files)
        const a = fs.readFileSync(Path.join(dir, "a.tgz"))
        assert.isTrue(a.equals(fs.readFileSync(Path.join(dir, "b.tgz"))))
        assert.isBelow(a.length, 2 * 1024 * 1024, "compressed")
      })
    ))

  it.effect("reads a codex-session-transfer folder package: 8 fields, flat sessions, no files list", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files: Record<string, string | Buffer> = { ...baseFiles(), "INSTALL_REMOTE.md": "# Install\n", "skills/codex-session-transfer/SKILL.md": "x" }
        const root = writeFolder(dir, { ...files, "package_manifest.json": manifestFor(files, { listFiles: false }) })
        const verified = yield* PackageReader.verify(root)
        assert.strictEqual(verified.checksums, "absent")
        assert.isUndefined(verified.manifest.files)
        assert.strictEqual(verified.manifest.preferred_installer_skill, "codex-session-transfer")
        assert.strictEqual(verified.files.find((f) => f.path === SESSION)?.sha256, sha256(files[SESSION]!))
        assert.strictEqual(verified.sessions.size, 0)
        assert.strictEqual(yield* PackageReader.extract(verified, Path.join(dir, "unused")), root)
        assert.isFalse(fs.existsSync(Path.join(dir, "unused")))
      })
    ))

  for (const format of ["tgz", "directory"] as const) {
    it.effect(`${format}: skill files its manifest's allowed_files lists may look like credentials, by name or content`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const files = {
            ...baseFiles(),
            "skills/x/.npmrc": `//registry.npmjs.org/:_authToken=${Samples.npmToken}\n`,
            "skills/x/notes.md": `deploy key:\n${Samples.pkcs8PrivateKey}`
          }
          const allowed = [{ path: "skills/x/.npmrc", reason: "auth-config-file" }, { path: "skills/x/notes.md", reason: "private-key" }]
          const manifest = manifestFor(files, { patch: (m) => ({ ...m, allowed_files: allowed }) })
          // the manifest last, as the exporter writes it: the allowance is known only at the end
          const [first, ...rest] = entriesOf(files, manifest)
          const pkg = format === "tgz"
            ? yield* Effect.promise(() => writeTgz(dir, [...rest, first!]))
            : writeFolder(dir, { ...files, "package_manifest.json": manifest })
          const verified = yield* PackageReader.verify(pkg)
          assert.deepStrictEqual(verified.manifest.allowed_files, allowed)
          assert.includeMembers(verified.files.map((f) => f.path), ["skills/x/.npmrc", "skills/x/notes.md"])
        })
      ))
  }

  it.effect("an inspector that reads nothing still gets every byte hashed; its failure fails verify", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = bigFiles()
        const pkg = yield* Effect.promise(() => writeTgz(dir, entriesOf(files)))
        const verified = yield* PackageReader.verify(pkg, { inspectSession: (entry) => Effect.succeed(entry.length) })
        assert.strictEqual(verified.sessions.get(SESSION), SESSION.length)
        assert.strictEqual(verified.checksums, "verified")
        const error = yield* PackageReader.verify(pkg, { inspectSession: () => Effect.fail("nope" as const) }).pipe(Effect.flip)
        assert.strictEqual(error, "nope")
      })
    ))

  it.effect("an inspector sees exactly the session's bytes", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = bigFiles()
        const pkg = yield* Effect.promise(() => writeTgz(dir, entriesOf(files)))
        const verified = yield* PackageReader.verify(pkg, {
          inspectSession: (_entry, content) =>
            Stream.runFold(content, 0, (size, bytes) => size + bytes.length)
        })
        assert.strictEqual(verified.sessions.get(SESSION), Buffer.byteLength(files[SESSION]!))
      })
    ))

  it.effect("the manifest may come anywhere in the archive (written last by the exporter)", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = baseFiles()
        const [manifest, ...rest] = entriesOf(files)
        const pkg = yield* Effect.promise(() => writeTgz(dir, [...rest, manifest!]))
        assert.strictEqual((yield* PackageReader.verify(pkg)).checksums, "verified")
      })
    ))

  it.effect("tar folder entries and a Windows rollout_path are fine", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = { ...baseFiles(), "metadata/threads.jsonl": threadsLine(undefined, `C:\\Users\\alice\\.codex\\sessions\\2025\\11\\20\\${ROLLOUT}`) }
        const pkg = yield* Effect.promise(() =>
          writeTgz(dir, [{ name: "metadata/", type: "directory" }, { name: "sessions/", type: "directory" }, ...entriesOf(files)])
        )
        const verified = yield* PackageReader.verify(pkg)
        const dest = yield* PackageReader.extract(verified, Path.join(dir, "out"))
        assert.isTrue(fs.existsSync(Path.join(dest, "sessions", ROLLOUT)))
      })
    ))

  it.effect("stageInto: a .tgz is unpacked in the pass that verifies it, every file as tar itself unpacks it", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = bigFiles()
        const pkg = Path.join(dir, "pkg.tgz")
        yield* writePackage(pkg, "tgz", files)
        const stage = Path.join(dir, "stage")
        const verified = yield* PackageReader.verify(pkg, { inspectSession: firstRecordType, stageInto: stage })
        assert.strictEqual(verified.staged, stage)
        // the expected tree: GNU tar's own unpacking of the same archive
        const byTar = Path.join(dir, "by-tar")
        fs.mkdirSync(byTar)
        execFileSync("tar", ["xzf", pkg, "-C", byTar])
        const tree = (root: string) =>
          fs.readdirSync(root, { recursive: true, withFileTypes: true })
            .filter((e) => e.isFile())
            .map((e) => Path.relative(root, Path.join(e.parentPath, e.name)))
            .sort()
        assert.deepStrictEqual(tree(stage), tree(byTar))
        for (const file of tree(byTar)) assert.isTrue(fs.readFileSync(Path.join(stage, file)).equals(fs.readFileSync(Path.join(byTar, file))), file)
        assert.include(tree(stage), SESSION)
        // a folder package is read in place: nothing staged
        const folder = Path.join(dir, "pkg")
        yield* writePackage(folder, "directory", files)
        const inPlace = yield* PackageReader.verify(folder, { stageInto: Path.join(dir, "stage-2") })
        assert.isUndefined(inPlace.staged)
        assert.isFalse(fs.existsSync(Path.join(dir, "stage-2")))
      })
    ))

  it.effect("stageInto: a package refused half-way answers no staged folder (its caller's scope removes what was unpacked)", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = baseFiles()
        // the manifest lists other bytes for the session: refused once the archive is read
        const swapped = { ...files, [SESSION]: Buffer.from(files[SESSION]!).fill(0x61) }
        const pkg = yield* Effect.promise(() => writeTgz(dir, entriesOf(swapped, manifestFor(files))))
        const stage = Path.join(dir, "stage")
        const error = yield* PackageReader.verify(pkg, { stageInto: stage }).pipe(Effect.flip)
        assert.strictEqual(error.reason, "checksum_mismatch")
        // an existing stage folder is never written through
        fs.mkdirSync(Path.join(dir, "taken"))
        const good = yield* Effect.promise(() => writeTgz(dir, entriesOf(files), "good.tgz"))
        const taken = yield* PackageReader.verify(good, {
          stageInto: Path.join(dir, "taken")
        }).pipe(Effect.flip)
        assert.strictEqual(taken.reason, "io")
        assert.match(taken.message, /cannot unpack/)
        // cut in the middle of a 6 MB session: the file being unpacked is ended, the error comes out
        const big = Path.join(dir, "big.tgz")
        yield* writePackage(big, "tgz", bigFiles())
        const cut = Path.join(dir, "cut.tgz")
        fs.writeFileSync(cut, fs.readFileSync(big).subarray(0, Math.floor(fs.statSync(big).size / 2)))
        const truncated = yield* PackageReader.verify(cut, { stageInto: Path.join(dir, "stage-cut") }).pipe(Effect.flip)
        assert.strictEqual(truncated.reason, "corrupt_archive")
      })
    ))

  it.effect("extract re-checks: an archive swapped after verify is refused and nothing is left", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = baseFiles()
        const pkg = yield* Effect.promise(() => writeTgz(dir, entriesOf(files)))
        const verified = yield* PackageReader.verify(pkg)
        // same names and sizes, different bytes
        const swapped = { ...files, [SESSION]: Buffer.from(files[SESSION]!).fill(0x61) }
        yield* Effect.promise(() => writeTgz(dir, entriesOf(swapped, manifestFor(files))))
        const before = snapshot(dir)
        const dest = Path.join(dir, "out")
        const error = yield* PackageReader.extract(verified, dest).pipe(Effect.flip)
        assert.strictEqual(error.reason, "checksum_mismatch")
        assert.strictEqual(error.entry, SESSION)
        assert.deepStrictEqual(snapshot(dir), before)
      })
    ))

  it.effect("extract refuses an existing destination, accepts an empty folder", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const verified = yield* PackageReader.verify(yield* Effect.promise(() => writeTgz(dir, entriesOf(baseFiles()))))
        const busy = Path.join(dir, "busy")
        fs.mkdirSync(busy)
        fs.writeFileSync(Path.join(busy, "x"), "x")
        const error = yield* PackageReader.extract(verified, busy).pipe(Effect.flip)
        assert.strictEqual(error.reason, "destination_exists")
        const empty = Path.join(dir, "empty")
        fs.mkdirSync(empty)
        assert.strictEqual(yield* PackageReader.extract(verified, empty), empty)
        assert.isTrue(fs.existsSync(Path.join(empty, "package_manifest.json")))
      })
    ))

  it.effect("a gzip bomb is refused at its tar header: not a byte of its body reaches a scan", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        // 64 MiB of zeros in some 70 KB: its declared size alone is over 200 times the archive
        const pkg = yield* Effect.promise(() => writeTgzBomb(dir, 64, 0))
        const pushed = new Map<string, number>()
        const error = yield* PackageReader.verify(pkg, {
          scanSession: (entry) => ({
            push: (bytes) => (pushed.set(entry, (pushed.get(entry) ?? 0) + bytes.byteLength), true),
            end: () => undefined
          })
        }).pipe(Effect.flip)
        assert.strictEqual(error.reason, "too_large", error.message)
        assert.strictEqual(error.entry, BOMB)
        assert.match(error.detail, /its files declare 67108864 bytes, more than a \d+-byte archive may expand to \(200 times its size/)
        assert.deepStrictEqual([...pushed], [], "nothing of the bomb was read")
      })
    ))

  it.effect("the expansion limits are options: a package expanding 400 times passes only when they allow it", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = { ...baseFiles(), "README.md": "# read me\n".repeat(300_000) }
        const pkg = yield* Effect.promise(() => writeTgz(dir, entriesOf(files)))
        const ratio = 3_000_000 / fs.statSync(pkg).size
        assert.isAbove(ratio, 200)
        assert.isBelow(ratio, 1000)
        // a package that passes fails the test with a short "verified", not the whole package
        const error = yield* PackageReader.verify(pkg).pipe(Effect.as("verified"), Effect.flip)
        assert.deepStrictEqual([error.reason, error.entry], ["too_large", "README.md"], error.message)
        assert.match(error.detail, /refused as a gzip bomb$/)
        const raised = yield* PackageReader.verify(pkg, { limits: { maxExpansionRatio: 1000 } })
        assert.strictEqual(raised.checksums, "verified")
        const floor = yield* PackageReader.verify(pkg, { limits: { expansionFloor: 8 * 1024 * 1024 } })
        assert.strictEqual(floor.checksums, "verified")
      })
    ))

  it.effect("a .tgz that decompresses past the ratio without declaring it (empty tar blocks) stops there", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        // 16 MiB of zero blocks in 16 KB: nothing is declared, the decompressed bytes are counted
        const pkg = Path.join(dir, "blocks.tgz")
        fs.writeFileSync(pkg, gzip(Buffer.alloc(16 * 1024 * 1024)))
        const error = yield* PackageReader.verify(pkg).pipe(Effect.as("verified"), Effect.flip)
        assert.strictEqual(error.reason, "too_large", error.message)
        assert.strictEqual(error.entry, undefined)
        assert.match(error.detail, /^decompresses to over \d+ bytes, more than a \d+-byte archive may expand to/)
      })
    ))
})
