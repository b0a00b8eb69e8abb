import { assert, describe, it } from "@effect/vitest"
import { PackageWriter } from "@sessionport/package-format"
import { Effect, Fiber, Schedule, Stream } from "effect"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { createRequire, syncBuiltinESMExports } from "node:module"
import * as os from "node:os"
import * as Path from "node:path"
import * as zlib from "node:zlib"
import * as tar from "tar-stream"
import { snapshot, withTmp } from "@sessionport/codex-oracle/PackageBuilders"

const formats = ["tgz", "directory"] as const
const outFor = (dir: string, format: PackageWriter.Format) => Path.join(dir, format === "tgz" ? "pkg.tgz" : "pkg")

/** Every file of a package (a folder or a .tgz) with its bytes, in the archive's order for a .tgz. */
const filesOf = async (out: string): Promise<Array<[string, Buffer]>> => {
  if (fs.statSync(out).isDirectory()) {
    return snapshot(out).filter((p) => !p.endsWith("/")).map((p) => [p, fs.readFileSync(Path.join(out, p))])
  }
  const extract = tar.extract()
  fs.createReadStream(out).pipe(zlib.createGunzip()).pipe(extract)
  const files: Array<[string, Buffer]> = []
  for await (const entry of extract) {
    const chunks: Array<Buffer> = []
    for await (const chunk of entry) chunks.push(chunk as Buffer)
    if (entry.header.type === "file") files.push([entry.header.name, Buffer.concat(chunks)])
  }
  return files
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** Tar headers of a .tgz, in order. */
const headersOf = async (file: string) => {
  const extract = tar.extract()
  fs.createReadStream(file).pipe(zlib.createGunzip()).pipe(extract)
  const headers: Array<tar.Header> = []
  for await (const entry of extract) {
    headers.push(entry.header)
    entry.resume()
  }
  return headers
}

describe("PackageWriter", () => {
  it("formatFor picks by extension", () => {
    assert.strictEqual(PackageWriter.formatFor("/x/pkg.tgz"), "tgz")
    assert.strictEqual(PackageWriter.formatFor("pkg.TAR.GZ"), "tgz")
    assert.strictEqual(PackageWriter.formatFor("pkg"), "directory")
    assert.strictEqual(PackageWriter.formatFor("pkg.tar"), "directory")
  })

  it.effect("archive headers are deterministic: fixed mtime, uid/gid 0, no names, 0644/0755, folders first", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const out = Path.join(dir, "pkg.tgz")
        const mtime = new Date("2025-11-20T10:00:00Z")
        yield* Effect.scoped(
          Effect.gen(function*() {
            const sink = yield* PackageWriter.open(out, { format: "tgz", mtime })
            yield* sink.addBytes("metadata/threads.jsonl", "{}\n")
            yield* sink.addBytes("skills/a/b/SKILL.md", "# é\n")
            yield* sink.addBytes("package_manifest.json", "{}")
            yield* sink.commit
          })
        )
        const headers = yield* Effect.promise(() => headersOf(out))
        assert.deepStrictEqual(
          headers.map((h) => [h.name, h.type, h.mode, h.uid, h.gid, h.uname, h.gname, h.mtime.getTime()]),
          [
            ["metadata/", "directory", 0o755, 0, 0, "", "", mtime.getTime()],
            ["metadata/threads.jsonl", "file", 0o644, 0, 0, "", "", mtime.getTime()],
            ["skills/", "directory", 0o755, 0, 0, "", "", mtime.getTime()],
            ["skills/a/", "directory", 0o755, 0, 0, "", "", mtime.getTime()],
            ["skills/a/b/", "directory", 0o755, 0, 0, "", "", mtime.getTime()],
            ["skills/a/b/SKILL.md", "file", 0o644, 0, 0, "", "", mtime.getTime()],
            ["package_manifest.json", "file", 0o644, 0, 0, "", "", mtime.getTime()]
          ]
        )
      })
    ))

  for (const format of formats) {
    it.effect(`${format}: a failing content stream leaves no temp and no output`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const out = outFor(dir, format)
          const error = yield* Effect.scoped(
            Effect.gen(function*() {
              const sink = yield* PackageWriter.open(out, { format })
              yield* sink.addBytes("README.md", "hi\n")
              yield* sink.add({
                path: "sessions/rollout-a.jsonl",
                size: 10 * 1024 * 1024,
                content: Stream.concat(Stream.make(new Uint8Array(1024 * 1024)), Stream.fail("disk gone" as const))
              })
              yield* sink.commit
            })
          ).pipe(Effect.flip)
          assert.strictEqual(error, "disk gone")
          assert.deepStrictEqual(snapshot(dir), [])
        })
      ))

    it.live(`${format}: interruption mid-entry leaves no temp and no output`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const out = outFor(dir, format)
          const fiber = yield* Effect.scoped(
            Effect.gen(function*() {
              const sink = yield* PackageWriter.open(out, { format })
              yield* sink.add({
                path: "sessions/rollout-a.jsonl",
                size: 1024 ** 4,
                content: Stream.repeatValue(new Uint8Array(64 * 1024))
              })
            })
          ).pipe(Effect.fork)
          // wait until bytes are flowing into the temp output
          yield* Effect.sync(() => snapshot(dir).some((p) => p.includes(".tmp-"))).pipe(
            Effect.repeat({ until: (started) => started, schedule: Schedule.spaced("10 millis") })
          )
          yield* Effect.sleep("50 millis")
          yield* Fiber.interrupt(fiber)
          assert.deepStrictEqual(snapshot(dir), [])
        })
      ))

    it.effect(`${format}: size mismatch is refused (fewer and more bytes), the package cannot be committed`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          for (const [size, bytes] of [[10, 5], [5, 10]] as const) {
            const out = outFor(dir, format)
            const [error, commitError] = yield* Effect.scoped(
              Effect.gen(function*() {
                const sink = yield* PackageWriter.open(out, { format })
                const error = yield* sink.add({ path: "README.md", size, content: Stream.make(new Uint8Array(bytes)) }).pipe(Effect.flip)
                return [error, yield* Effect.flip(sink.commit)] as const
              })
            )
            assert.strictEqual(error.reason, "checksum_mismatch")
            assert.strictEqual(error.entry, "README.md")
            assert.strictEqual(commitError.reason, "io")
            assert.deepStrictEqual(snapshot(dir), [])
          }
        })
      ))

    it.effect(`${format}: credential, unsafe, off-layout and duplicate paths are refused; the sink stays usable`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const out = outFor(dir, format)
          yield* Effect.scoped(
            Effect.gen(function*() {
              const sink = yield* PackageWriter.open(out, { format })
              const refused = (path: string) => sink.addBytes(path, "x").pipe(Effect.flip, Effect.map((e) => e.reason))
              assert.strictEqual(yield* refused("auth.json"), "credential_file")
              assert.strictEqual(yield* refused("skills/x/api_key.txt"), "credential_file")
              assert.strictEqual(yield* refused("../escape"), "unsafe_entry")
              assert.strictEqual(yield* refused("/etc/passwd"), "unsafe_entry")
              assert.strictEqual(yield* refused("sessions\\x.jsonl"), "unsafe_entry")
              assert.strictEqual(yield* refused("sessions/2025/x.jsonl"), "unexpected_file")
              assert.strictEqual(yield* refused("notes.txt"), "unexpected_file")
              yield* sink.addBytes("sessions/rollout-A.jsonl", "{}\n")
              assert.strictEqual(yield* refused("sessions/rollout-a.jsonl"), "duplicate_entry")
              const file = yield* sink.addBytes("README.md", "ok\n")
              assert.strictEqual(file.size, 3)
              yield* sink.commit
              yield* sink.commit
            })
          )
          assert.isTrue(fs.existsSync(out))
          assert.deepStrictEqual(snapshot(dir).filter((p) => p.includes(".tmp-")), [])
        })
      ))
  }

  for (const format of formats) {
    it.effect(`${format}: addFiles copies each file's first size bytes in order; a refused one stops the batch, the sink stays usable`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const sources = Path.join(dir, "sources")
          fs.mkdirSync(sources)
          // a big file (several reads), a small one that grew after it was listed, an empty one
          const big = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => (i * 31) % 256))
          fs.writeFileSync(Path.join(sources, "big"), big)
          fs.writeFileSync(Path.join(sources, "grown"), "{\"a\":1}\n{\"b\":2}\n")
          fs.writeFileSync(Path.join(sources, "empty"), "")
          const entry = (name: string, file: string, size: number) => ({ path: `sessions/rollout-${name}.jsonl`, size, source: Path.join(sources, file) })
          const out = outFor(dir, format)
          const [written, refusal, after] = yield* Effect.scoped(
            Effect.gen(function*() {
              const sink = yield* PackageWriter.open(out, { format })
              const written = yield* sink.addFiles([entry("big", "big", big.length), entry("grown", "grown", 8), entry("empty", "empty", 0)])
              const refusal = yield* Effect.flip(sink.addFiles([entry("c", "big", 3), entry("big", "big", 1), entry("d", "big", 4)]))
              const after = yield* sink.addFiles([entry("e", "grown", 16)])
              yield* sink.commit
              return [written, refusal, after] as const
            })
          )
          assert.deepStrictEqual(written, [
            { path: "sessions/rollout-big.jsonl", size: big.length, sha256: sha256(big) },
            { path: "sessions/rollout-grown.jsonl", size: 8, sha256: sha256(Buffer.from("{\"a\":1}\n")) },
            { path: "sessions/rollout-empty.jsonl", size: 0, sha256: sha256(Buffer.alloc(0)) }
          ])
          assert.strictEqual(refusal.reason, "duplicate_entry")
          assert.strictEqual(refusal.entry, "sessions/rollout-big.jsonl")
          assert.deepStrictEqual(after.map((f) => f.sha256), [sha256(Buffer.from("{\"a\":1}\n{\"b\":2}\n"))])
          const files = new Map(yield* Effect.promise(() => filesOf(out)))
          assert.deepStrictEqual([...files.keys()].sort(), [
            "sessions/rollout-big.jsonl",
            "sessions/rollout-c.jsonl",
            "sessions/rollout-e.jsonl",
            "sessions/rollout-empty.jsonl",
            "sessions/rollout-grown.jsonl"
          ])
          assert.isTrue(files.get("sessions/rollout-big.jsonl")!.equals(big))
          assert.strictEqual(files.get("sessions/rollout-grown.jsonl")!.toString(), "{\"a\":1}\n")
          assert.strictEqual(files.get("sessions/rollout-c.jsonl")!.toString("latin1"), big.subarray(0, 3).toString("latin1"))
        })
      ))

    it.effect(`${format}: a file that shrank or vanished fails addFiles; the package cannot be committed and nothing remains`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const sources = Path.join(dir, "sources")
          fs.mkdirSync(sources)
          fs.writeFileSync(Path.join(sources, "a"), "abc")
          for (const [source, size, reason] of [["a", 10, "checksum_mismatch"], ["gone", 3, "io"]] as const) {
            const out = outFor(dir, format)
            const [error, commitError] = yield* Effect.scoped(
              Effect.gen(function*() {
                const sink = yield* PackageWriter.open(out, { format })
                const error = yield* Effect.flip(sink.addFiles([{ path: "sessions/rollout-a.jsonl", size, source: Path.join(sources, source) }]))
                return [error, yield* Effect.flip(sink.commit)] as const
              })
            )
            assert.strictEqual(error.reason, reason)
            assert.strictEqual(error.entry, "sessions/rollout-a.jsonl")
            assert.strictEqual(commitError.reason, "io")
            assert.deepStrictEqual(snapshot(dir), ["sources/", "sources/a"])
          }
        })
      ))

    it.live(`${format}: interrupting addFiles leaves no temp and no output`, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const sources = Path.join(dir, "sources")
          fs.mkdirSync(sources)
          const bytes = Buffer.alloc(256 * 1024, 120)
          const entries = Array.from({ length: 400 }, (_, i) => {
            fs.writeFileSync(Path.join(sources, `s${i}`), bytes)
            return { path: `sessions/rollout-${i}.jsonl`, size: bytes.length, source: Path.join(sources, `s${i}`) }
          })
          const out = outFor(dir, format)
          const fiber = yield* Effect.scoped(
            Effect.gen(function*() {
              const sink = yield* PackageWriter.open(out, { format })
              yield* sink.addFiles(entries)
              // not reached before the interruption, or it would have been committed
              yield* Effect.never
            })
          ).pipe(Effect.fork)
          yield* Effect.sync(() => snapshot(dir).some((p) => p.includes(".tmp-"))).pipe(
            Effect.repeat({ until: (started) => started, schedule: Schedule.spaced("5 millis") })
          )
          yield* Fiber.interrupt(fiber)
          assert.deepStrictEqual(snapshot(dir).filter((p) => !p.startsWith("sources/")), [])
        })
      ))
  }

  it.effect("tgz: many files of every size, their read buffers reused as gzip takes them, come out intact", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const sources = Path.join(dir, "sources")
        fs.mkdirSync(sources)
        // sizes that straddle the 1 MiB read buffers: small, a buffer's worth and a byte more, several
        const sizes = [
          ...Array.from({ length: 120 }, (_, i) => (i * 7919) % 150_000),
          1024 * 1024,
          1024 * 1024 + 1,
          2 * 1024 * 1024 + 333
        ]
        const entries = sizes.map((size, i) => {
          const bytes = Buffer.alloc(size)
          for (let at = 0; at < size; at++) bytes[at] = (at * 131 + i * 17) % 251
          fs.writeFileSync(Path.join(sources, `s${i}`), bytes)
          return { path: `sessions/rollout-${i}.jsonl`, size, source: Path.join(sources, `s${i}`), sha256: sha256(bytes) }
        })
        const out = outFor(dir, "tgz")
        const written = yield* Effect.scoped(
          Effect.gen(function*() {
            const sink = yield* PackageWriter.open(out, { format: "tgz" })
            const written = yield* sink.addFiles(entries)
            yield* sink.commit
            return written
          })
        )
        assert.deepStrictEqual(written.map((f) => f.sha256), entries.map((e) => e.sha256))
        const files = yield* Effect.promise(() => filesOf(out))
        assert.deepStrictEqual(files.map(([name, bytes]) => [name, sha256(bytes)]), entries.map((e) => [e.path, e.sha256]))
      })
    ))

  // the flushed files are named through /proc
  it.effect.skipIf(process.platform !== "linux")("directory: every file is flushed to disk before commit answers; a failed flush fails the package, naming its file", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const sources = Path.join(dir, "sources")
        fs.mkdirSync(sources)
        const entries = Array.from({ length: 40 }, (_, i) => {
          fs.writeFileSync(Path.join(sources, `s${i}`), `line ${i}\n`)
          return { path: `sessions/rollout-${i}.jsonl`, size: `line ${i}\n`.length, source: Path.join(sources, `s${i}`) }
        })
        const realFsync = fs.fsync
        const flushed: Array<number> = []
        let failOn: number | undefined
        const spied = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) =>
          realFsync(fd, (error) => {
            flushed.push(fd)
            const name = fs.readlinkSync(`/proc/self/fd/${fd}`)
            if (failOn !== undefined && name.endsWith(`rollout-${failOn}.jsonl`)) {
              callback(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" }))
            } else callback(error)
          })
        // node:fs as CommonJS sees it (its ES module namespace is read-only), then synced into the namespace
        const install = (f: typeof fs.fsync) => {
          ;(createRequire(import.meta.url)("node:fs") as { fsync: typeof fs.fsync }).fsync = f
          syncBuiltinESMExports()
        }
        install(spied as typeof fs.fsync)
        try {
          const out = outFor(dir, "directory")
          const flushedAtCommit = yield* Effect.scoped(
            Effect.gen(function*() {
              const sink = yield* PackageWriter.open(out, { format: "directory" })
              yield* sink.addFiles(entries)
              yield* sink.addBytes("README.md", "x")
              yield* sink.commit
              return flushed.length
            })
          )
          // each file once (a folder's flush goes through a file handle, not counted here)
          assert.strictEqual(flushedAtCommit, entries.length + 1)
          assert.strictEqual(snapshot(out).length, entries.length + 2)

          failOn = 7
          const failed = outFor(dir, "directory") + "-2"
          const error = yield* Effect.scoped(
            Effect.gen(function*() {
              const sink = yield* PackageWriter.open(failed, { format: "directory" })
              yield* sink.addFiles(entries)
              yield* sink.commit
            })
          ).pipe(Effect.flip)
          assert.strictEqual(error.reason, "io")
          assert.strictEqual(error.entry, "sessions/rollout-7.jsonl")
          assert.match(error.detail, /EIO/)
          assert.isFalse(snapshot(dir).some((p) => p.startsWith("pkg-2")))
        } finally {
          install(realFsync)
        }
      })
    ))

  it.effect("the temps a killed writer left beside out are removed by the next write; a live writer's stay", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        // a process that has exited: its pid runs nothing (or, reused, something that is kept)
        const dead = spawnSync(process.execPath, ["-e", ""]).pid!
        const live = process.ppid
        const hourAndMore = new Date(Date.now() - 61 * 60 * 1000)
        // this machine, as temp names carry it (independently: the first 8 hex of sha256(hostname))
        const host = createHash("sha256").update(os.hostname()).digest("hex").slice(0, 8)
        const temps = {
          deadFile: `pkg.tgz.tmp-${host}-${dead}-aaaaaaaaaaaa`,
          deadFolder: `pkg.tgz.tmp-${host}-${dead}-bbbbbbbbbbbb`,
          liveFile: `pkg.tgz.tmp-${host}-${live}-cccccccccccc`,
          // another machine's (a shared folder): its pid says nothing here, stale only when old
          otherHost: `pkg.tgz.tmp-0badf00d-${dead}-abababababab`,
          otherHostOld: `pkg.tgz.tmp-0badf00d-${dead}-bcbcbcbcbcbc`,
          // before pids were in the name: stale only when old
          oldUnowned: "pkg.tgz.tmp-dddddddddddd",
          freshUnowned: "pkg.tgz.tmp-eeeeeeeeeeee",
          otherTarget: `other.tgz.tmp-${host}-${dead}-ffffffffffff`,
          notATemp: "pkg.tgz.tmp-notes"
        }
        for (const name of Object.values(temps)) fs.writeFileSync(Path.join(dir, name), "partial")
        fs.rmSync(Path.join(dir, temps.deadFolder))
        fs.mkdirSync(Path.join(dir, temps.deadFolder, "sessions"), { recursive: true })
        fs.writeFileSync(Path.join(dir, temps.deadFolder, "sessions", "rollout-a.jsonl"), "{}\n")
        fs.utimesSync(Path.join(dir, temps.oldUnowned), hourAndMore, hourAndMore)
        fs.utimesSync(Path.join(dir, temps.otherHostOld), hourAndMore, hourAndMore)

        const out = Path.join(dir, "pkg.tgz")
        yield* Effect.scoped(
          Effect.gen(function*() {
            const sink = yield* PackageWriter.open(out, { format: "tgz" })
            yield* sink.addBytes("README.md", "ok\n")
            yield* sink.commit
          })
        )
        assert.deepStrictEqual(
          fs.readdirSync(dir).sort(),
          ["pkg.tgz", temps.liveFile, temps.otherHost, temps.freshUnowned, temps.otherTarget, temps.notATemp].sort()
        )
      })
    ))

  it.effect("the temp output is named with the writer's machine and pid", () =>
    withTmp((dir) =>
      Effect.scoped(Effect.gen(function*() {
        yield* PackageWriter.open(Path.join(dir, "pkg.tgz"), { format: "tgz" })
        const [temp] = fs.readdirSync(dir)
        const host = createHash("sha256").update(os.hostname()).digest("hex").slice(0, 8)
        assert.match(temp!, new RegExp(`^pkg\\.tgz\\.tmp-${host}-${process.pid}-[0-9a-f]{12}$`))
      }))
    ))

  it.effect("allowedFiles lets named skill files through, nothing else", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const out = outFor(dir, "directory")
        yield* Effect.scoped(
          Effect.gen(function*() {
            const sink = yield* PackageWriter.open(out, { format: "directory", allowedFiles: ["skills/x/.npmrc", "auth.json"] })
            const refused = (path: string) => sink.addBytes(path, "x").pipe(Effect.flip, Effect.map((e) => e.reason))
            assert.strictEqual((yield* sink.addBytes("skills/x/.npmrc", "x")).path, "skills/x/.npmrc")
            assert.strictEqual(yield* refused("skills/x/.pypirc"), "credential_file")
            assert.strictEqual(yield* refused("auth.json"), "credential_file")
            yield* sink.commit
          })
        )
        assert.isTrue(fs.existsSync(Path.join(out, "skills", "x", ".npmrc")))
      })
    ))

  it.effect("an existing destination is refused; a folder package may go into an empty folder", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const tgz = Path.join(dir, "pkg.tgz")
        fs.writeFileSync(tgz, "old")
        const busy = Path.join(dir, "busy")
        fs.mkdirSync(busy)
        fs.writeFileSync(Path.join(busy, "x"), "x")
        const empty = Path.join(dir, "empty")
        fs.mkdirSync(empty)
        const open = (out: string, format: PackageWriter.Format) =>
          Effect.scoped(PackageWriter.open(out, { format }).pipe(Effect.flatMap((sink) => sink.commit)))
        assert.strictEqual((yield* Effect.flip(open(tgz, "tgz"))).reason, "destination_exists")
        assert.strictEqual((yield* Effect.flip(open(busy, "directory"))).reason, "destination_exists")
        assert.strictEqual(fs.readFileSync(tgz, "utf8"), "old")
        yield* open(empty, "directory")
        yield* Effect.scoped(
          Effect.gen(function*() {
            const sink = yield* PackageWriter.open(empty + "2", { format: "directory" })
            yield* sink.addBytes("README.md", "x")
            // the destination appears while writing: commit refuses to replace it
            fs.mkdirSync(empty + "2")
            fs.writeFileSync(Path.join(empty + "2", "y"), "y")
            assert.strictEqual((yield* Effect.flip(sink.commit)).reason, "destination_exists")
          })
        )
        assert.deepStrictEqual(snapshot(dir), ["busy/", "busy/x", "empty/", "empty2/", "empty2/y", "pkg.tgz"])
      })
    ))
})
