/**
 * A package archived the usual ways (`tar czf x.tgz -C pkg .` gives `./…`, `tar czf x.tgz pkg`
 * gives `pkg/…`, `tar czf x.tgz ./pkg` gives `./pkg/…`) reads as the same package as our own
 * archive of it; the hostile ones are in @sessionport/codex-oracle/HostilePackages.
 */
import { assert, describe, it } from "@effect/vitest"
import { prefixed } from "@sessionport/codex-oracle/HostilePackages"
import {
  baseFiles,
  entriesOf,
  manifestFor,
  type RawEntry,
  SESSION,
  sha256,
  snapshot,
  withTmp,
  writeFolder,
  writeTgz
} from "@sessionport/codex-oracle/PackageBuilders"
import { PackageError, PackageReader } from "@sessionport/package-format"
import { Effect, Logger } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as Path from "node:path"

/** The files of a package made by codex-session-transfer's packup: no `files` list in its 8-field manifest. */
const baselineFiles = (): Record<string, string | Buffer> => {
  const files = {
    ...baseFiles(),
    "INSTALL_REMOTE.md": "# Install\n",
    "metadata/thread_dynamic_tools.jsonl": "",
    "skeleton/required-directories.json": JSON.stringify(["/home/alice/proj"]),
    "skills/codex-session-transfer/SKILL.md": "# skill\n"
  }
  return { ...files, "package_manifest.json": manifestFor(files, { listFiles: false }) }
}

/** Our own files and manifest (sizes and checksums listed). */
const ownFiles = (): Record<string, string | Buffer> => {
  const files = baseFiles()
  return { ...files, "package_manifest.json": manifestFor(files) }
}

/**
 * The entries GNU tar writes for a folder holding `files` under `prefix`: the folder itself, then
 * depth first, each folder's entry before what it holds (files sorted, as the folder is read).
 */
const gnuOrder = (prefix: string, files: Record<string, string | Buffer>, folders = true): Array<RawEntry> => {
  const out: Array<RawEntry> = folders && prefix !== "" ? [{ name: prefix, type: "directory" }] : []
  const seen = new Set<string>()
  for (const name of Object.keys(files).sort()) {
    const segments = name.split("/")
    for (let i = 1; i < segments.length; i++) {
      const folder = `${segments.slice(0, i).join("/")}/`
      if (folders && !seen.has(folder)) out.push({ name: prefix + folder, type: "directory" })
      seen.add(folder)
    }
    out.push({ name: prefix + name, content: files[name]! })
  }
  return out
}

/** Verify's view of a package: what must not depend on how it was archived. */
const viewOf = (verified: PackageReader.VerifiedPackage<number>) => ({
  checksums: verified.checksums,
  files: verified.files,
  metadata: [...verified.metadata.entries()].sort(),
  sessions: [...verified.sessions.entries()].sort()
})

/** Each session's byte count, seen in the pass that hashes it. */
const countBytes = () => {
  let bytes = 0
  return {
    push: (chunk: Uint8Array) => {
      bytes += chunk.byteLength
      return true
    },
    end: () => bytes
  }
}

const verify = (pkg: string, options: { stageInto?: string } = {}) => PackageReader.verify(pkg, { scanSession: countBytes, ...options })

/** Every file under `root`, by its path, with its bytes' SHA-256. */
const tree = (root: string): Record<string, string> =>
  Object.fromEntries(
    snapshot(root).filter((path) => !path.endsWith("/")).map((path) => [path, sha256(fs.readFileSync(Path.join(root, ...path.split("/"))))])
  )

const hashes = (files: Record<string, string | Buffer>) => Object.fromEntries(Object.entries(files).map(([path, content]) => [path, sha256(content)]))

const refusal = <A>(effect: Effect.Effect<A, PackageError.PackageError>) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(effect)
    assert.instanceOf(error, PackageError.PackageError)
    return error
  })

const HINT = "archive the folder's contents: tar czf x.tgz -C DIR ."

describe("a package archived under ./ or one top folder", () => {
  const forms: ReadonlyArray<{ readonly name: string; readonly prefix: string; readonly entries: (files: Record<string, string | Buffer>) => Array<RawEntry> }> = [
    { name: "tar -C pkg . (GNU order: ./ first, each folder before its files)", prefix: "./", entries: (files) => gnuOrder("./", files) },
    { name: "tar pkg, with folder entries", prefix: "pkg/", entries: (files) => gnuOrder("pkg/", files) },
    { name: "pkg/… without folder entries", prefix: "pkg/", entries: (files) => gnuOrder("pkg/", files, false) },
    { name: "tar ./pkg", prefix: "./pkg/", entries: (files) => gnuOrder("./pkg/", files) }
  ]
  const layouts = [
    { name: "our manifest", files: ownFiles, checksums: "verified" },
    { name: "codex-session-transfer's 8 fields", files: baselineFiles, checksums: "absent" }
  ] as const

  for (const form of forms) {
    for (const layout of layouts) {
      it.effect(`${form.name}; ${layout.name}: the same package as unprefixed, and extract writes the same tree`, () =>
        withTmp((dir) =>
          Effect.gen(function*() {
            const files = layout.files()
            const plain = yield* verify(yield* Effect.promise(() => writeTgz(dir, gnuOrder("", files), "plain.tgz")))
            const pkg = yield* Effect.promise(() => writeTgz(dir, form.entries(files), "prefixed.tgz"))
            const verified = yield* verify(pkg)
            assert.strictEqual(verified.prefix, form.prefix)
            assert.strictEqual(plain.prefix, "")
            assert.strictEqual(verified.checksums, layout.checksums)
            assert.deepStrictEqual(viewOf(verified), viewOf(plain))
            // read independently of the reader: every file but the manifest, its bytes' hash
            const { "package_manifest.json": _, ...rest } = hashes(files)
            assert.deepStrictEqual(Object.fromEntries(verified.files.map((file) => [file.path, file.sha256])), rest)
            assert.deepStrictEqual(verified.sessions.get(SESSION), Buffer.byteLength(files[SESSION]!))

            const out = Path.join(dir, "out")
            assert.strictEqual(yield* PackageReader.extract(verified, out), out)
            assert.deepStrictEqual(tree(out), hashes(files))
          })
        ))
    }
  }

  it.effect("the files staged while verifying sit at their stripped names", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = baselineFiles()
        const staged = Path.join(dir, "staged")
        const verified = yield* verify(yield* Effect.promise(() => writeTgz(dir, gnuOrder("pkg/", files))), { stageInto: staged })
        assert.strictEqual(verified.staged, staged)
        assert.deepStrictEqual(tree(staged), hashes(files))
      })
    ))

  it.effect("extract requires the prefix verify found: an archive rewritten with another one is refused, nothing written", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const files = ownFiles()
        const pkg = yield* Effect.promise(() => writeTgz(dir, gnuOrder("./", files)))
        const verified = yield* verify(pkg)
        // the same files, each under pkg/ now
        yield* Effect.promise(() => writeTgz(dir, gnuOrder("pkg/", files)))
        const out = Path.join(dir, "out")
        const error = yield* refusal(PackageReader.extract(verified, out))
        assert.strictEqual(error.reason, "unsafe_entry", error.message)
        assert.strictEqual(error.entry, "pkg")
        assert.include(error.detail, "changed since it was verified")
        assert.isFalse(fs.existsSync(out))
        assert.deepStrictEqual(snapshot(dir), ["package.tgz"])
      })
    ))

  describe("refusals name the entry as tar tzf shows it", () => {
    it.effect("a whole-package check (unlisted file, missing file) names the entry with its prefix", () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const files = ownFiles()
          const extra = yield* refusal(verify(yield* Effect.promise(() =>
            writeTgz(dir, [...gnuOrder("./", files), { name: "./sessions/extra.jsonl", content: "{}\n" }], "extra.tgz")
          )))
          assert.strictEqual(extra.reason, "unexpected_file", extra.message)
          assert.strictEqual(extra.entry, "./sessions/extra.jsonl")
          const { [SESSION]: _, ...without } = files
          const missing = yield* refusal(verify(yield* Effect.promise(() => writeTgz(dir, gnuOrder("pkg/", without), "missing.tgz"))))
          assert.strictEqual(missing.reason, "missing_file", missing.message)
          assert.strictEqual(missing.entry, `pkg/${SESSION}`)
        })
      ))
  })

  describe(`the hint "${HINT}"`, () => {
    it.effect("when an archive of a folder fails: one folder too deep, or an unexpected file under the top folder", () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const deeper = yield* refusal(verify(yield* Effect.promise(() => writeTgz(dir, [{ name: "./", type: "directory" }, ...prefixed("./pkg/")], "deeper.tgz"))))
          assert.strictEqual(deeper.reason, "unexpected_file", deeper.message)
          assert.strictEqual(deeper.entry, "./pkg")
          assert.isTrue(deeper.detail.endsWith(`; ${HINT}`), deeper.detail)

          const notes = yield* refusal(verify(yield* Effect.promise(() => writeTgz(dir, [...prefixed("pkg/"), { name: "pkg/notes.txt", content: "x" }], "notes.tgz"))))
          assert.strictEqual(notes.reason, "unexpected_file", notes.message)
          assert.strictEqual(notes.entry, "pkg/notes.txt")
          assert.isTrue(notes.detail.endsWith(`; ${HINT}`), notes.detail)

          const empty = yield* refusal(verify(yield* Effect.promise(() => writeTgz(dir, [{ name: "pkg/", type: "directory" }, { name: "pkg/README.md", content: "x" }], "empty.tgz"))))
          assert.strictEqual(empty.reason, "not_a_package", empty.message)
          assert.isTrue(empty.detail.endsWith(`; ${HINT}`), empty.detail)
        })
      ))

    it.effect("not for the contents archived (./ holding the layout), nor for our own archives, nor for folders", () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const dot = yield* refusal(verify(yield* Effect.promise(() => writeTgz(dir, [...gnuOrder("./", ownFiles()), { name: "./notes.txt", content: "x" }], "dot.tgz"))))
          assert.strictEqual(dot.entry, "./notes.txt")
          assert.strictEqual(dot.detail, "not part of the package layout")
          // our writer's order: a layout folder first
          const plain = yield* refusal(verify(yield* Effect.promise(() => writeTgz(dir, [...gnuOrder("", ownFiles()), { name: "notes.txt", content: "x" }], "plain.tgz"))))
          assert.strictEqual(plain.entry, "notes.txt")
          assert.strictEqual(plain.detail, "not part of the package layout")
          const unlisted = yield* refusal(verify(yield* Effect.promise(() => writeTgz(dir, [...gnuOrder("", ownFiles()), { name: "sessions/x.jsonl", content: "{}\n" }], "unlisted.tgz"))))
          assert.strictEqual(unlisted.entry, "sessions/x.jsonl")
          assert.strictEqual(unlisted.detail, "not listed in the manifest's files")
          const folder = yield* refusal(verify(writeFolder(dir, { ...ownFiles(), "metadata/x/notes.txt": "x" })))
          assert.strictEqual(folder.entry, "metadata/x")
          assert.strictEqual(folder.detail, "not part of the package layout")
        })
      ))
  })

  describe("macOS AppleDouble files (._NAME) next to layout names", () => {
    it.effect("are skipped in an archive with a prefix: counted in a warning, neither listed nor unpacked", () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const files = ownFiles()
          // bsdtar writes each before the file it describes; the top folder's own may come first
          const entries: Array<RawEntry> = [
            { name: "._pkg", content: "mac" },
            { name: "pkg/", type: "directory" },
            { name: "pkg/._README.md", content: "mac" },
            { name: "pkg/._sessions", content: "mac" },
            { name: `pkg/sessions/._${SESSION.slice("sessions/".length)}`, content: "mac" },
            ...gnuOrder("pkg/", files).slice(1)
          ]
          const logs: Array<string> = []
          const verified = yield* verify(yield* Effect.promise(() => writeTgz(dir, entries))).pipe(
            Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => logs.push([message].flat().join(" ")))))
          )
          assert.deepStrictEqual(verified.appleDouble.map((file) => file.path).sort(), ["._README.md", "._pkg", "._sessions", `sessions/._${SESSION.slice(9)}`].sort())
          const { "package_manifest.json": _, ...rest } = hashes(files)
          assert.deepStrictEqual(verified.files.map((file) => file.path), Object.keys(rest).sort())
          assert.strictEqual(logs.length, 1, logs.join("\n"))
          assert.include(logs[0], "skipped 4 macOS metadata file(s)")

          const out = Path.join(dir, "out")
          yield* PackageReader.extract(verified, out)
          assert.deepStrictEqual(tree(out), hashes(files))
        })
      ))

    it.effect("the ./ folder's own ._. and a skill file's are skipped too; without a prefix nothing is", () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const files = { ...ownFiles() }
          const verified = yield* verify(yield* Effect.promise(() =>
            writeTgz(dir, [{ name: "./", type: "directory" }, { name: "./._.", content: "mac" }, ...gnuOrder("./", files).slice(1), { name: "./metadata/._threads.jsonl", content: "mac" }])
          ))
          assert.deepStrictEqual(verified.appleDouble.map((file) => file.path), ["._.", "metadata/._threads.jsonl"])
          const plain = yield* refusal(verify(yield* Effect.promise(() => writeTgz(dir, [...entriesOf(baseFiles()), { name: "metadata/._threads.jsonl", content: "mac" }], "plain.tgz"))))
          assert.strictEqual(plain.reason, "unexpected_file", plain.message)
          assert.strictEqual(plain.entry, "metadata/._threads.jsonl")
        })
      ))
  })

  describe("archives made by the system tar", () => {
    const hasTar = (() => {
      try {
        execFileSync("tar", ["--version"], { stdio: "ignore" })
        return true
      } catch {
        return false
      }
    })()

    it.effect.skipIf(!hasTar)("tar czf x.tgz -C pkg . and tar czf x.tgz pkg read as the folder package they archive", () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const files = baselineFiles()
          const root = writeFolder(dir, files, "pkg")
          const folder = yield* verify(root)
          const contents = Path.join(dir, "contents.tgz")
          const wrapped = Path.join(dir, "wrapped.tgz")
          execFileSync("tar", ["czf", contents, "-C", root, "."])
          execFileSync("tar", ["czf", wrapped, "-C", dir, "pkg"])
          for (const [pkg, prefix] of [[contents, "./"], [wrapped, "pkg/"]] as const) {
            const verified = yield* verify(pkg)
            assert.strictEqual(verified.prefix, prefix)
            assert.deepStrictEqual(viewOf(verified), viewOf(folder))
            const out = Path.join(dir, `out-${Path.basename(pkg, ".tgz")}`)
            yield* PackageReader.extract(verified, out)
            assert.deepStrictEqual(tree(out), hashes(files))
          }
        })
      ))

    it.effect.skipIf(!hasTar)("the folder holding the package folder, archived, is refused with the hint", () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          writeFolder(Path.join(dir, "outer"), baselineFiles(), "pkg")
          const pkg = Path.join(dir, "outer.tgz")
          execFileSync("tar", ["czf", pkg, "-C", Path.join(dir, "outer"), "."])
          const error = yield* refusal(verify(pkg))
          assert.strictEqual(error.reason, "unexpected_file", error.message)
          assert.strictEqual(error.entry, "./pkg")
          assert.isTrue(error.detail.endsWith(`; ${HINT}`), error.detail)
        })
      ))
  })
})
