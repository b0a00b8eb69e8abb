import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as Path from "node:path"
import {
  baseFiles,
  BOMB,
  entriesOf,
  gzip,
  manifestFor,
  type RawEntry,
  SESSION,
  tarOf,
  threadsLine,
  writeFolder,
  writeTgz,
  writeTgzBomb
} from "./PackageBuilders.js"
import * as Samples from "./SecretSamples.js"

/**
 * Hostile and broken packages, one per check of the package reader: each names the reason it
 * must be refused with. Shared by every reader of packages (verify, inspect, install, sync).
 *
 * @since 0.1.0
 */

/** the reasons of @sessionport/package-format's PackageError (kept as strings: no dependency) */
export type Reason = string

/** @since 0.1.0 @category models */
export interface Case {
  readonly name: string
  readonly reason: Reason
  /** the blamed entry, when one is */
  readonly entry?: string
  /** reader limits the case needs (small ones, to stay fast); absent: the defaults */
  readonly limits?: Partial<{
    maxEntrySize: number
    maxTotalSize: number
    maxEntries: number
    maxMetadataSize: number
    maxExpansionRatio: number
    expansionFloor: number
  }>
  /** builds the package inside `dir`, answers its path */
  readonly build: (dir: string) => Promise<string>
}

const tgz = (entries: Parameters<typeof writeTgz>[1]) => (dir: string) => writeTgz(dir, entries)

/** The valid package with its files changed, the manifest listing the changed files. */
const tgzWith = (change: (files: Record<string, string | Buffer>) => void) => (dir: string) => {
  const files = baseFiles()
  change(files)
  return writeTgz(dir, entriesOf(files))
}

/** The valid package with one more raw entry. */
const tgzPlus = (...extra: Parameters<typeof writeTgz>[1]) => (dir: string) => writeTgz(dir, [...entriesOf(baseFiles()), ...extra])

const withManifest = (patch: (manifest: Record<string, unknown>) => unknown) => (dir: string) => {
  const files = baseFiles()
  return writeTgz(dir, entriesOf(files, manifestFor(files, { patch })))
}

const rawFile = (bytes: Buffer) => async (dir: string) => {
  const file = Path.join(dir, "package.tgz")
  fs.writeFileSync(file, bytes)
  return file
}

const validTgzBytes = async () => gzip(await tarOf(entriesOf(baseFiles())))

/**
 * The valid package's entries as `tar` writes an archived folder: each under `prefix` (`./`,
 * `pkg/`, `./pkg/`), after the folder's own entry.
 *
 * @since 0.3.0
 * @category constructors
 */
export const prefixed = (prefix: string, files: Record<string, string | Buffer> = baseFiles()): Array<RawEntry> => [
  { name: prefix, type: "directory" },
  ...entriesOf(files).map((entry) => ({ ...entry, name: prefix + entry.name }))
]

/** The valid package under `prefix`, then more raw entries. */
const tgzUnder = (prefix: string, ...extra: Array<RawEntry>) => (dir: string) => writeTgz(dir, [...prefixed(prefix), ...extra])

/**
 * The valid package as a folder, changed by `change` (its manifest lists the valid files).
 *
 * @since 0.1.0
 * @category constructors
 */
export const folderWith = (change: (root: string) => void) => async (dir: string): Promise<string> => {
  const files = baseFiles()
  const root = writeFolder(dir, { ...files, "package_manifest.json": manifestFor(files) })
  change(root)
  return root
}

/** @since 0.1.0 @category constants */
export const cases: ReadonlyArray<Case> = [
  // names
  { name: "absolute path", reason: "unsafe_entry", entry: "/etc/passwd", build: tgzPlus({ name: "/etc/passwd", content: "x" }) },
  { name: "Windows drive path", reason: "unsafe_entry", entry: "C:/Windows/x", build: tgzPlus({ name: "C:/Windows/x", content: "x" }) },
  { name: "'..' segment", reason: "unsafe_entry", entry: "sessions/../../escape", build: tgzPlus({ name: "sessions/../../escape", content: "x" }) },
  { name: "backslash", reason: "unsafe_entry", entry: "sessions\\x.jsonl", build: tgzPlus({ name: "sessions\\x.jsonl", content: "x" }) },
  // the first entry has no ./, so none may: this one is refused, not stripped
  { name: "non-normalized './' after an entry without it", reason: "unsafe_entry", entry: "./README.md", build: tgzPlus({ name: "./README.md", content: "x" }) },
  { name: "non-normalized '//'", reason: "unsafe_entry", entry: "metadata//threads.jsonl", build: tgzPlus({ name: "metadata//threads.jsonl", content: "x" }) },
  {
    name: "file with a trailing '/' (pax path)",
    reason: "unsafe_entry",
    entry: "README.md/",
    build: tgz([{ name: "x", content: "x", pax: { path: "README.md/" } }])
  },
  // entry types
  { name: "symlink entry", reason: "unsafe_entry", entry: "sessions/link.jsonl", build: tgzPlus({ name: "sessions/link.jsonl", type: "symlink", linkname: "/etc/passwd" }) },
  { name: "hard link entry", reason: "unsafe_entry", entry: "sessions/hard.jsonl", build: tgzPlus({ name: "sessions/hard.jsonl", type: "link", linkname: SESSION }) },
  { name: "character device", reason: "unsafe_entry", entry: "sessions/tty", build: tgzPlus({ name: "sessions/tty", type: "character-device" }) },
  { name: "block device", reason: "unsafe_entry", entry: "sessions/sda", build: tgzPlus({ name: "sessions/sda", type: "block-device" }) },
  { name: "fifo", reason: "unsafe_entry", entry: "sessions/pipe", build: tgzPlus({ name: "sessions/pipe", type: "fifo" }) },
  { name: "contiguous file", reason: "unsafe_entry", entry: "README.md", build: tgz([{ name: "README.md", type: "contiguous-file" }]) },
  // duplicates
  { name: "duplicate entry", reason: "duplicate_entry", entry: SESSION, build: tgzPlus({ name: SESSION, content: "{}\n" }) },
  {
    name: "case-insensitive duplicate",
    reason: "duplicate_entry",
    entry: SESSION.toUpperCase().replace("SESSIONS/", "sessions/"),
    build: tgzPlus({ name: SESSION.toUpperCase().replace("SESSIONS/", "sessions/"), content: "{}\n" })
  },
  { name: "file clashing with a folder", reason: "duplicate_entry", entry: "skills/X", build: tgzPlus({ name: "skills/x/SKILL.md", content: "x" }, { name: "skills/X", content: "x" }) },
  // sizes
  { name: "entry over maxEntrySize", reason: "too_large", entry: SESSION, limits: { maxEntrySize: 3000 }, build: tgzWith(() => undefined) },
  { name: "total over maxTotalSize", reason: "too_large", limits: { maxTotalSize: 3000 }, build: tgzWith(() => undefined) },
  { name: "more than maxEntries", reason: "too_large", limits: { maxEntries: 3 }, build: tgzWith(() => undefined) },
  { name: "metadata over maxMetadataSize", reason: "too_large", entry: "package_manifest.json", limits: { maxMetadataSize: 100 }, build: tgzWith(() => undefined) },
  {
    name: "gzip bomb (endless empty tar blocks)",
    reason: "too_large",
    limits: { maxTotalSize: 1024 * 1024, maxEntries: 10 },
    build: rawFile(gzip(Buffer.alloc(64 * 1024 * 1024)))
  },
  // the bombs of issue 11, refused at the bomb's tar header (its declared size), before its body
  { name: "gzip bomb: 3.5 GiB of zeros in 3.6 MB", reason: "too_large", entry: BOMB, build: (dir) => writeTgzBomb(dir, 3584, 0) },
  { name: "gzip bomb: 1 GiB of newlines in 1 MB", reason: "too_large", entry: BOMB, build: (dir) => writeTgzBomb(dir, 1024, 0x0a) },
  // no file declares much: the expansion ratio caps the decompressed bytes themselves
  {
    name: "gzip bomb (endless empty tar blocks) under the default limits",
    reason: "too_large",
    build: (dir) => rawFile(gzip(Buffer.alloc(16 * 1024 * 1024)))(dir)
  },
  // archive damage
  { name: "random bytes", reason: "not_a_package", build: rawFile(randomBytes(4096)) },
  { name: "empty file", reason: "not_a_package", build: rawFile(Buffer.alloc(0)) },
  { name: "bad gzip", reason: "corrupt_archive", build: rawFile(Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(4096)])) },
  { name: "truncated gzip", reason: "corrupt_archive", build: async (dir) => rawFile((await validTgzBytes()).subarray(0, 600))(dir) },
  { name: "trailing garbage after gzip", reason: "corrupt_archive", build: async (dir) => rawFile(Buffer.concat([await validTgzBytes(), Buffer.from("garbage")]))(dir) },
  { name: "tar garbage (gzip of random bytes)", reason: "corrupt_archive", build: rawFile(gzip(randomBytes(8192))) },
  {
    name: "garbage after the end-of-archive blocks",
    reason: "corrupt_archive",
    build: async (dir) => rawFile(gzip(Buffer.concat([await tarOf(entriesOf(baseFiles())), randomBytes(512)])))(dir)
  },
  { name: "tar cut mid-entry", reason: "corrupt_archive", build: async (dir) => rawFile(gzip((await tarOf(entriesOf(baseFiles()))).subarray(0, 2500)))(dir) },
  // manifest
  { name: "manifest not JSON", reason: "bad_manifest", entry: "package_manifest.json", build: tgz(entriesOf(baseFiles(), "{ nope")) },
  { name: "unknown future format_version", reason: "unsupported_format_version", build: withManifest((m) => ({ ...m, format_version: 99 })) },
  { name: "manifest field of the wrong type", reason: "bad_manifest", build: withManifest((m) => ({ ...m, thread_ids: "all" })) },
  { name: "manifest lists a file twice", reason: "bad_manifest", build: withManifest((m) => ({ ...m, files: [...(m.files as Array<unknown>), (m.files as Array<unknown>)[0]] })) },
  {
    name: "missing manifest",
    reason: "missing_file",
    entry: "package_manifest.json",
    build: tgz(Object.entries(baseFiles()).map(([name, content]) => ({ name, content })))
  },
  { name: "no package content at all", reason: "not_a_package", build: tgz([{ name: "README.md", content: "hello" }]) },
  // metadata
  {
    name: "missing threads.jsonl",
    reason: "missing_file",
    entry: "metadata/threads.jsonl",
    build: tgzWith((files) => {
      delete files["metadata/threads.jsonl"]
    })
  },
  {
    name: "threads line naming a missing rollout",
    reason: "missing_file",
    entry: "sessions/rollout-missing.jsonl",
    build: tgzWith((files) => {
      files["metadata/threads.jsonl"] = threadsLine() + threadsLine("t2", "C:\\Users\\a\\.codex\\sessions\\2025\\11\\20\\rollout-missing.jsonl")
    })
  },
  {
    name: "bad threads.jsonl line",
    reason: "bad_metadata",
    entry: "metadata/threads.jsonl",
    build: tgzWith((files) => {
      files["metadata/threads.jsonl"] = threadsLine() + "{not json\n"
    })
  },
  {
    name: "threads line without rollout_path",
    reason: "bad_metadata",
    entry: "metadata/threads.jsonl",
    build: tgzWith((files) => {
      files["metadata/threads.jsonl"] = JSON.stringify({ id: "x" }) + "\n"
    })
  },
  {
    name: "path_localization.json not JSON",
    reason: "bad_metadata",
    entry: "metadata/path_localization.json",
    build: tgzWith((files) => {
      files["metadata/path_localization.json"] = "{"
    })
  },
  // checksums
  {
    name: "wrong checksum",
    reason: "checksum_mismatch",
    entry: SESSION,
    build: withManifest((m) => ({
      ...m,
      files: (m.files as Array<{ path: string }>).map((f) => f.path === SESSION ? { ...f, sha256: "0".repeat(64) } : f)
    }))
  },
  {
    name: "wrong size",
    reason: "checksum_mismatch",
    entry: SESSION,
    build: withManifest((m) => ({
      ...m,
      files: (m.files as Array<{ path: string; size: number }>).map((f) => f.path === SESSION ? { ...f, size: f.size + 1 } : f)
    }))
  },
  {
    name: "file listed but missing",
    reason: "missing_file",
    entry: "sessions/rollout-gone.jsonl",
    build: withManifest((m) => ({ ...m, files: [...(m.files as Array<unknown>), { path: "sessions/rollout-gone.jsonl", size: 1, sha256: "0".repeat(64) }] }))
  },
  { name: "unlisted extra file", reason: "unexpected_file", entry: "sessions/extra.jsonl", build: tgzPlus({ name: "sessions/extra.jsonl", content: "{}\n" }) },
  // layout
  { name: "unexpected top-level file", reason: "unexpected_file", entry: "notes.txt", build: tgzPlus({ name: "notes.txt", content: "x" }) },
  { name: "unexpected top-level folder", reason: "unexpected_file", entry: "bin", build: tgzPlus({ name: "bin/", type: "directory" }) },
  { name: "nested sessions folder", reason: "unexpected_file", entry: "sessions/2025/x.jsonl", build: tgzPlus({ name: "sessions/2025/x.jsonl", content: "{}\n" }) },
  { name: "nested sessions folder entry", reason: "unexpected_file", entry: "sessions/2025", build: tgzPlus({ name: "sessions/2025/", type: "directory" }) },
  // credentials
  { name: "auth.json", reason: "credential_file", entry: "auth.json", build: tgzPlus({ name: "auth.json", content: "{}" }) },
  { name: "credential inside a skill", reason: "credential_file", entry: "skills/x/api_key.txt", build: tgzPlus({ name: "skills/x/api_key.txt", content: "sk-" }) },
  {
    name: "private key in a skill file, listed in the manifest",
    reason: "credential_file",
    entry: "skills/x/notes.md",
    build: tgzWith((files) => {
      files["skills/x/notes.md"] = `deploy key:\n${Samples.pkcs8PrivateKey}`
    })
  },
  {
    name: "a skill file allowed by the manifest does not let another through",
    reason: "credential_file",
    entry: "skills/x/.npmrc",
    build: (dir) => {
      const files = { ...baseFiles(), "skills/x/.npmrc": `//registry.npmjs.org/:_authToken=${Samples.npmToken}\n`, "skills/x/a.md": "a\n" }
      const allowOther = (manifest: Record<string, unknown>) => ({ ...manifest, allowed_files: [{ path: "skills/x/a.md", reason: "x" }] })
      return writeTgz(dir, entriesOf(files, manifestFor(files, { patch: allowOther })))
    }
  },
  {
    name: "auth.json cannot be allowed: only skill files can",
    reason: "credential_file",
    entry: "auth.json",
    build: (dir) => {
      const files = { ...baseFiles(), "auth.json": "{}" }
      const allow = (manifest: Record<string, unknown>) => ({ ...manifest, allowed_files: [{ path: "auth.json", reason: "auth-json" }] })
      return writeTgz(dir, entriesOf(files, manifestFor(files, { patch: allow })))
    }
  },
  // archives of a folder (tar -C pkg . / tar pkg): the raw name is judged before ./ or pkg/ is stripped, the rest after
  { name: "'..' under ./", reason: "unsafe_entry", entry: "./../x", build: tgzUnder("./", { name: "./../x", content: "x" }) },
  { name: "'..' under the top folder", reason: "unsafe_entry", entry: "pkg/../x", build: tgzUnder("pkg/", { name: "pkg/../x", content: "x" }) },
  { name: "'..' as the top folder", reason: "unsafe_entry", entry: "..", build: tgzUnder("../") },
  { name: "a drive as the top folder", reason: "unsafe_entry", entry: "C:", build: tgzUnder("C:/") },
  { name: "'//' after the top folder (absolute once stripped)", reason: "unsafe_entry", entry: "pkg//x", build: tgzUnder("pkg/", { name: "pkg//x", content: "x" }) },
  { name: "'././' (one ./ is stripped, not two)", reason: "unsafe_entry", entry: "././README.md", build: tgzUnder("./", { name: "././README.md", content: "x" }) },
  { name: "an entry without the ./ of the first", reason: "unsafe_entry", entry: "README.md", build: tgzUnder("./", { name: "README.md", content: "x" }) },
  { name: "two top-level folders", reason: "unexpected_file", entry: "other/README.md", build: tgzUnder("pkg/", { name: "other/README.md", content: "x" }) },
  { name: "two top-level folders differing by case", reason: "unexpected_file", entry: "Pkg/README.md", build: tgzUnder("pkg/", { name: "Pkg/README.md", content: "x" }) },
  { name: "a top-level file beside the top folder", reason: "unexpected_file", entry: "notes.txt", build: tgzUnder("pkg/", { name: "notes.txt", content: "x" }) },
  {
    name: "symlink as the top folder",
    reason: "unsafe_entry",
    entry: "pkg",
    build: tgz([{ name: "pkg", type: "symlink", linkname: "/etc" }, ...prefixed("pkg/").slice(1)])
  },
  { name: "symlink as the ./ folder", reason: "unsafe_entry", entry: ".", build: tgz([{ name: ".", type: "symlink", linkname: "/etc" }, ...prefixed("./").slice(1)]) },
  {
    name: "hard link under the top folder",
    reason: "unsafe_entry",
    entry: "pkg/sessions/h.jsonl",
    build: tgzUnder("pkg/", { name: "pkg/sessions/h.jsonl", type: "link", linkname: `pkg/${SESSION}` })
  },
  { name: "duplicate once ./ is stripped", reason: "duplicate_entry", entry: `./${SESSION}`, build: tgzUnder("./", { name: `./${SESSION}`, content: "{}\n" }) },
  {
    name: "case-insensitive duplicate under the top folder",
    reason: "duplicate_entry",
    entry: `pkg/${SESSION.toUpperCase().replace("SESSIONS/", "sessions/")}`,
    build: tgzUnder("pkg/", { name: `pkg/${SESSION.toUpperCase().replace("SESSIONS/", "sessions/")}`, content: "{}\n" })
  },
  { name: "the ./ folder twice", reason: "duplicate_entry", entry: ".", build: tgzUnder("./", { name: "./", type: "directory" }) },
  { name: "the top folder twice", reason: "duplicate_entry", entry: "./pkg", build: tgzUnder("./pkg/", { name: "./pkg/", type: "directory" }) },
  { name: "a file named like the top folder, first", reason: "unexpected_file", entry: "pkg", build: tgz([{ name: "pkg", content: "x" }, ...prefixed("pkg/")]) },
  { name: "a file named like the top folder, after it", reason: "unexpected_file", entry: "pkg", build: tgzUnder("pkg/", { name: "pkg", content: "x" }) },
  { name: "the package one folder deeper", reason: "unexpected_file", entry: "outer/pkg", build: (dir) => writeTgz(dir, [{ name: "outer/", type: "directory" }, ...prefixed("outer/pkg/")]) },
  {
    name: "a folder named like a layout folder is not stripped",
    reason: "unexpected_file",
    // sessions/package_manifest.json would pass as a flat session file: the first nested name is refused
    entry: "sessions/metadata/threads.jsonl",
    build: (dir) => writeTgz(dir, prefixed("sessions/"))
  },
  // macOS AppleDouble files (._NAME): skipped only next to a layout name in an archive with a prefix
  { name: "AppleDouble file without a prefix", reason: "unexpected_file", entry: "._README.md", build: tgzPlus({ name: "._README.md", content: "x" }) },
  { name: "AppleDouble file of no layout name", reason: "unexpected_file", entry: "pkg/._notes.txt", build: tgzUnder("pkg/", { name: "pkg/._notes.txt", content: "x" }) },
  { name: "AppleDouble file of no top folder", reason: "unexpected_file", entry: "._pkg", build: tgz([{ name: "._pkg", content: "x" }, ...entriesOf(baseFiles())]) },
  {
    name: "AppleDouble file over maxEntrySize",
    reason: "too_large",
    entry: "./._README.md",
    limits: { maxEntrySize: 8000 },
    build: (dir) => writeTgz(dir, [{ name: "./", type: "directory" }, { name: "./._README.md", content: Buffer.alloc(10_000) }, ...prefixed("./").slice(1)])
  },
  // folder packages
  { name: "missing path", reason: "not_found", build: async (dir) => Path.join(dir, "nothing-here.tgz") },
  { name: "folder that is not a package", reason: "not_a_package", build: async (dir) => writeFolder(dir, { "notes.txt": "x" }) },
  {
    name: "symlink inside a folder package",
    reason: "unsafe_entry",
    entry: "sessions/link.jsonl",
    build: folderWith((root) => fs.symlinkSync("/etc/passwd", Path.join(root, "sessions", "link.jsonl")))
  },
  {
    name: "symlinked folder inside a folder package",
    reason: "unsafe_entry",
    entry: "skills",
    build: folderWith((root) => fs.symlinkSync("/etc", Path.join(root, "skills")))
  },
  {
    name: "fifo inside a folder package",
    reason: "unsafe_entry",
    entry: "sessions/pipe",
    build: folderWith((root) => execFileSync("mkfifo", [Path.join(root, "sessions", "pipe")]))
  },
  {
    name: "case-insensitive duplicate in a folder package",
    reason: "duplicate_entry",
    entry: "skills/x/a.md",
    build: folderWith((root) => {
      fs.mkdirSync(Path.join(root, "skills", "x"), { recursive: true })
      fs.writeFileSync(Path.join(root, "skills", "x", "a.md"), "x")
      fs.writeFileSync(Path.join(root, "skills", "x", "A.md"), "x")
    })
  },
  {
    name: "credential file in a folder package",
    reason: "credential_file",
    entry: "skills/x/.env",
    build: folderWith((root) => {
      fs.mkdirSync(Path.join(root, "skills", "x"), { recursive: true })
      fs.writeFileSync(Path.join(root, "skills", "x", ".env"), "TOKEN=1")
    })
  },
  {
    name: "a secret by content in a folder package",
    reason: "credential_file",
    entry: "skills/x/setup.sh",
    build: folderWith((root) => {
      fs.mkdirSync(Path.join(root, "skills", "x"), { recursive: true })
      fs.writeFileSync(Path.join(root, "skills", "x", "setup.sh"), `#!/bin/sh\nexport OPENAI_API_KEY=${Samples.openaiKey}\n`)
    })
  },
  {
    name: "tampered file in a folder package",
    reason: "checksum_mismatch",
    entry: SESSION,
    build: folderWith((root) => fs.appendFileSync(Path.join(root, ...SESSION.split("/")), "{}\n"))
  }
]

