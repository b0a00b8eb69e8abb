/**
 * coding-cli-session-sync archives (built from the peer's documented format by
 * @sessionport/codex-oracle/PeerArchives): told apart from our packages by their first file,
 * unpacked into an agent home with the package reader's checks, every dropped file reported by
 * path and reason. Expected placements are read off the format (§1.4 of the peer research), not
 * off the code.
 */
import { assert, describe, it } from "@effect/vitest"
import { fixtureByRole, fixtureHome } from "@sessionport/codex-oracle/Fixtures"
import { baseFiles, entriesOf, gzip, type RawEntry, sha256, snapshot, tarOf, withTmp, writeFolder, writeTgz } from "@sessionport/codex-oracle/PackageBuilders"
import * as Peer from "@sessionport/codex-oracle/PeerArchives"
import { PackageError, PeerArchive } from "@sessionport/package-format"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as Path from "node:path"

const read = (file: string) => fs.readFileSync(file)

/** Every file under `dir` (relative, `/`-separated), folders left out. */
const files = (dir: string) => snapshot(dir).filter((p) => !p.endsWith("/"))

/** Whether `needle` occurs in any file under `dir`. */
const foundUnder = (dir: string, needle: string) => files(dir).some((p) => read(Path.join(dir, p)).includes(needle))

const unpacked = (archive: string, dir: string) => {
  const dest = fs.mkdtempSync(Path.join(dir, "out-"))
  return Effect.map(PeerArchive.unpack(archive, dest, { label: "the-archive.tgz" }), (u) => ({ ...u, dest }))
}

const refusal = (archive: string, dir: string) => Effect.flip(unpacked(archive, dir))

const assertRefused = (error: PackageError.PackageError, reason: string, entry?: string) => {
  assert.instanceOf(error, PackageError.PackageError)
  assert.strictEqual(error.reason, reason, error.message)
  if (entry !== undefined) assert.strictEqual(error.entry, entry, error.message)
  assert.notInclude(error.message, "\n")
}

/** A peer archive of the Codex day with some raw entries before `metadata.json`. */
const codexWith = (dir: string, extra: ReadonlyArray<RawEntry>, options: Peer.PeerArchiveOptions = {}) =>
  Effect.promise(() => Peer.peerArchive(dir, "codex", [Peer.CODEX_DAY], [...Peer.codexEntries(), ...extra], options))

describe("PeerArchive.sniff", () => {
  it.effect("a peer archive of each tool is Peer, by its first file", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        for (const make of [Peer.codexArchive, Peer.claudeArchive, Peer.opencodeArchive]) {
          assert.deepStrictEqual(yield* PeerArchive.sniff(yield* Effect.promise(() => make(dir))), { _tag: "Peer" })
        }
        // the peer's folders may come first in an archive re-packed by tar
        const folders = yield* Effect.promise(() =>
          writeTgz(dir, [{ name: ".codex/", type: "directory" }, { name: ".codex/sessions/", type: "directory" }, ...Peer.codexEntries()], "x.tgz")
        )
        assert.deepStrictEqual(yield* PeerArchive.sniff(folders), { _tag: "Peer" })
        const onlyMetadata = yield* Effect.promise(() => writeTgz(dir, [{ name: "metadata.json", content: "{}" }], "m.tgz"))
        assert.deepStrictEqual(yield* PeerArchive.sniff(onlyMetadata), { _tag: "Peer" })
      })
    ))

  it.effect("our packages, folders, other files and what cannot be read are left to the package reader", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const ours = yield* Effect.promise(() => writeTgz(dir, entriesOf(baseFiles())))
        const folder = writeFolder(dir, baseFiles())
        const text = Path.join(dir, "notes.txt")
        fs.writeFileSync(text, "hello")
        const broken = Path.join(dir, "broken.tgz")
        fs.writeFileSync(broken, Buffer.from([0x1f, 0x8b, 0, 0, 0]))
        const wrapped = yield* Effect.promise(() => writeTgz(dir, [{ name: "pkg/.codex/config.toml", content: "x" }], "w.tgz"))
        for (const path of [ours, folder, text, broken, wrapped, Path.join(dir, "missing.tgz")]) {
          assert.deepStrictEqual(yield* PeerArchive.sniff(path), { _tag: "Sessionport" }, path)
        }
      })
    ))
})

describe("PeerArchive.unpack", () => {
  it.effect("codex: the day's rollouts land in the home as they are; config.toml is dropped and reported", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const archive = yield* Effect.promise(() => Peer.codexArchive(dir))
        const u = yield* unpacked(archive, dir)
        assert.strictEqual(u.tool, "codex")
        assert.strictEqual(u.home, Path.join(u.dest, "home"))
        const day = Path.join(fixtureHome, "sessions", "2026", "11", "21")
        const rollouts = fs.readdirSync(day).sort()
        assert.include(rollouts, Path.basename(fixtureByRole("zst").rollout))
        assert.deepStrictEqual(files(u.home), rollouts.map((name) => `sessions/2026/11/21/${name}`))
        for (const name of rollouts) assert.isTrue(read(Path.join(u.home, "sessions/2026/11/21", name)).equals(read(Path.join(day, name))), name)
        assert.isFalse(foundUnder(u.dest, Peer.CONFIG_CANARY), "the config's secret is nowhere")
        assert.deepStrictEqual(u.origin.dropped, [{ path: ".codex/config.toml", reason: "config" }])
        assert.deepStrictEqual(u.warnings, [".codex/config.toml: not copied: sessionport never replaces this machine's config"])
        assert.deepStrictEqual(u.sessionIds, [])

        const metadata = JSON.parse(
          (yield* Effect.promise(() => tarEntries(archive))).find((e) => e.name === "metadata.json")!.content.toString("utf8")
        )
        const o = u.origin
        assert.deepStrictEqual(
          { ...o, dropped: undefined },
          {
            format: "coding-cli-session-sync",
            tool: "codex",
            version: "1.0",
            archive: "the-archive.tgz",
            archive_sha256: sha256(read(archive)),
            stated_checksum: metadata.archive.checksum_sha256,
            integrity: "unverified",
            source_hostname: Peer.SOURCE_HOSTNAME,
            export_timestamp: Peer.EXPORT_TIMESTAMP,
            session_ids: ["2026/11/21"],
            dropped: undefined
          }
        )
        assert.notStrictEqual(o.stated_checksum, o.archive_sha256, "the peer's checksum covers another file")
      })
    ))

  it.effect("claude: the named sessions with their files are taken; the rest of ~/.claude is dropped, each file with its reason", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const u = yield* unpacked(yield* Effect.promise(() => Peer.claudeArchive(dir)), dir)
        const [interactive, named] = Peer.claudeSelected.map(Peer.claudeSession)
        const [tools, betaPlain] = Peer.claudeUnselected.map(Peer.claudeSession)
        assert.strictEqual(u.tool, "claude")
        assert.deepStrictEqual(u.sessionIds, [interactive!.sessionId, named!.sessionId].sort())
        const home = files(u.home)
        assert.deepStrictEqual(home, [
          `file-history/${interactive!.sessionId}/9ed8d4c80929da0c@v2`,
          "history.jsonl",
          interactive!.transcript,
          named!.transcript
        ].sort())
        const fixture = Peer.claudeFixtureHome
        assert.isTrue(read(Path.join(u.home, named!.transcript)).equals(read(Path.join(fixture, named!.transcript))))
        const reasons = Object.fromEntries(u.origin.dropped.map((d) => [d.path, d.reason]))
        assert.deepStrictEqual(reasons, {
          [`.claude/session-env/${interactive!.sessionId}/hook.sh`]: "not_a_session",
          [`.claude/session-env/${named!.sessionId}/hook.sh`]: "not_a_session",
          ".claude/.claude.json": "not_a_session",
          ".claude/plugins/store/cc-plugin-agents-md_builtin-b049b47b3618.json": "not_a_session",
          [`.claude/${tools!.transcript}`]: "not_selected",
          [`.claude/${betaPlain!.transcript}`]: "not_selected",
          ".claude/settings.json": "not_a_session",
          ".claude/statsig/x": "not_a_session",
          [`.claude/${interactive!.transcript.split("/").slice(0, 2).join("/")}/memory/MEMORY.md`]: "not_a_session",
          [`.claude/todos/${interactive!.sessionId}-agent-${interactive!.sessionId}.json`]: "not_carried",
          ".claude/my_token.txt": "credential:credential-name"
        })
        assert.isFalse(foundUnder(u.dest, "ghp_canary"))
        assert.deepStrictEqual(u.warnings, [
          "the archive also carries 2 other Claude transcript(s) (coding-cli-session-sync copies all of ~/.claude); not installed",
          "1 file(s) named like credentials left out"
        ])
        assert.deepStrictEqual(u.origin.session_ids, [interactive!.sessionId, named!.sessionId])
      })
    ))

  it.effect("claude without metadata.json: every transcript is taken, and the missing metadata is said", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const u = yield* unpacked(yield* Effect.promise(() => Peer.claudeArchive(dir, { metadata: null })), dir)
        const all = ["interactive", "named", "tools", "beta_plain"].map((role) => Peer.claudeSession(role).sessionId).sort()
        assert.deepStrictEqual(u.sessionIds, all)
        assert.include(u.warnings[0]!, "no metadata.json")
        assert.deepStrictEqual(u.origin.session_ids, [])
        assert.isNull(u.origin.version)
        assert.isFalse(u.origin.dropped.some((d) => d.reason === "not_selected"))
      })
    ))

  it.effect("claude: a session the metadata names without a transcript is said; a pre-2.x <id>.json is unsupported", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const entries = [...Peer.claudeEntries(), { name: "0d6c3b7e-legacy.json", content: "{\"messages\":[]}" }]
        const ids = [Peer.claudeSession("named").sessionId, "no-such-session"]
        const archive = yield* Effect.promise(() => Peer.peerArchive(dir, "claude", ids, entries))
        const u = yield* unpacked(archive, dir)
        assert.deepStrictEqual(u.sessionIds, [Peer.claudeSession("named").sessionId])
        assert.include(u.warnings, "metadata.json names 1 Claude session(s) the archive holds no transcript of: no-such-session")
        assert.deepInclude(u.origin.dropped, { path: "0d6c3b7e-legacy.json", reason: "unsupported_format" })
        assert.isTrue(u.warnings.some((w) => w.includes("before Claude Code 2.x")))
      })
    ))

  it.effect("opencode: the root session goes to session/global, messages as they are; the peer's part file is a bad part layout", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const u = yield* unpacked(yield* Effect.promise(() => Peer.opencodeArchive(dir)), dir)
        const sid = Peer.OPENCODE_SESSION
        assert.strictEqual(u.tool, "opencode")
        assert.deepStrictEqual(files(u.home), [
          ...Peer.OPENCODE_MESSAGES.map((m) => `storage/message/${sid}/${m}.json`),
          `storage/session/global/${sid}.json`
        ].sort())
        assert.deepStrictEqual(u.origin.dropped, [
          { path: `opencode/storage/part/${sid}_001.bin`, reason: "bad_part_layout" },
          { path: `opencode/storage/directory-readme/${sid}.json`, reason: "not_a_session" }
        ])
        assert.deepStrictEqual(u.warnings, ["coding-cli-session-sync carries no OpenCode parts: messages arrive without their text"])
        assert.deepStrictEqual(u.origin.session_ids, [sid])
      })
    ))

  it.effect("a rollout outside a day folder and any other file of .codex are not sessions", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const archive = yield* codexWith(dir, [
          { name: ".codex/sessions/rollout-2026-01-01T00-00-00-x.jsonl", content: "{}\n" },
          { name: ".codex/history.jsonl", content: "{}\n" },
          { name: ".codex/auth.json", content: "{\"token\":\"x\"}" },
          { name: "notes.json", content: "{}" }
        ])
        const u = yield* unpacked(archive, dir)
        assert.deepStrictEqual(u.origin.dropped.slice(1), [
          { path: ".codex/sessions/rollout-2026-01-01T00-00-00-x.jsonl", reason: "not_a_session" },
          { path: ".codex/history.jsonl", reason: "not_a_session" },
          { path: ".codex/auth.json", reason: "credential:auth-json" },
          { path: "notes.json", reason: "not_a_session" }
        ])
        assert.isFalse(fs.existsSync(Path.join(u.home, "auth.json")))
      })
    ))
})

/** The entries of a `.tgz` as they are, in order (to read what the builder wrote). */
const tarEntries = async (file: string): Promise<Array<{ readonly name: string; readonly content: Buffer }>> => {
  const tar = await import("tar-stream")
  const zlib = await import("node:zlib")
  const extract = tar.extract()
  const out: Array<{ name: string; content: Buffer }> = []
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const chunks: Array<Buffer> = []
      stream.on("data", (c) => chunks.push(c as Buffer))
      stream.on("end", () => {
        out.push({ name: header.name, content: Buffer.concat(chunks) })
        next()
      })
    })
    extract.on("finish", resolve)
    extract.on("error", reject)
  })
  extract.end(zlib.gunzipSync(read(file)))
  await done
  return out
}

describe("PeerArchive.unpack refuses what the package reader refuses", () => {
  const rollout = `.codex/sessions/2026/11/21/rollout-2026-11-21T09-17-11-01a1fd65-379f-7a43-afe4-ac7137446cd7.jsonl`
  const cases: ReadonlyArray<{ readonly name: string; readonly reason: string; readonly entry: string; readonly extra: ReadonlyArray<RawEntry> }> = [
    { name: "a .. segment", reason: "unsafe_entry", entry: ".codex/../../escaped.txt", extra: [{ name: ".codex/../../escaped.txt", content: "x" }] },
    { name: "an absolute name", reason: "unsafe_entry", entry: "/tmp/escaped.txt", extra: [{ name: "/tmp/escaped.txt", content: "x" }] },
    { name: "a ./ name", reason: "unsafe_entry", entry: "./.codex/x", extra: [{ name: "./.codex/x", content: "x" }] },
    {
      name: "a symlink",
      reason: "unsafe_entry",
      entry: ".codex/sessions/2026/11/21/link.jsonl",
      extra: [{ name: ".codex/sessions/2026/11/21/link.jsonl", type: "symlink", linkname: "/etc/passwd" }]
    },
    { name: "a hard link", reason: "unsafe_entry", entry: ".codex/hard", extra: [{ name: ".codex/hard", type: "link", linkname: "/etc/passwd" }] },
    { name: "a fifo", reason: "unsafe_entry", entry: ".codex/fifo", extra: [{ name: ".codex/fifo", type: "fifo" }] },
    { name: "a duplicate", reason: "duplicate_entry", entry: rollout, extra: [{ name: rollout, content: "{}\n" }] },
    { name: "a duplicate by case", reason: "duplicate_entry", entry: rollout.toUpperCase().replace(".CODEX", ".codex"), extra: [{ name: rollout.toUpperCase().replace(".CODEX", ".codex"), content: "{}\n" }] },
    { name: "two tools' folders", reason: "unexpected_file", entry: ".claude/history.jsonl", extra: [{ name: ".claude/history.jsonl", content: "{}\n" }] },
    { name: "an OpenCode session in a Codex archive", reason: "unexpected_file", entry: `${Peer.OPENCODE_SESSION}.json`, extra: [{ name: `${Peer.OPENCODE_SESSION}.json`, content: "{}" }] },
    { name: "an unknown root file", reason: "unexpected_file", entry: "README.md", extra: [{ name: "README.md", content: "x" }] },
    { name: "an unknown root folder", reason: "unexpected_file", entry: "other/x.json", extra: [{ name: "other/x.json", content: "{}" }] }
  ]
  for (const c of cases) {
    it.effect(c.name, () =>
      withTmp((dir) =>
        Effect.gen(function*() {
          const error = yield* refusal(yield* codexWith(dir, c.extra), dir)
          assertRefused(error, c.reason, c.entry)
          assert.isFalse(fs.existsSync(Path.join(dir, "escaped.txt")))
          assert.isFalse(fs.existsSync("/tmp/escaped.txt"))
        })
      ))
  }

  it.effect("two entries that land on one file of the home", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const sid = Peer.OPENCODE_SESSION
        const archive = yield* Effect.promise(() =>
          Peer.peerArchive(dir, "opencode", [sid], [...Peer.opencodeEntries(), { name: `opencode/storage/session/global/${sid}.json`, content: "{}" }])
        )
        assertRefused(yield* refusal(archive, dir), "duplicate_entry", `opencode/storage/session/global/${sid}.json`)
      })
    ))

  it.effect("a gzip bomb, at its header", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const name = ".codex/sessions/2026/11/21/rollout-2026-11-21T09-00-00-bomb.jsonl"
        const archive = Path.join(dir, "codex-session-bomb.tgz")
        fs.writeFileSync(archive, gzip(yield* Effect.promise(() => tarOf([{ name, content: Buffer.alloc(8 * 1024 ** 2) }]))))
        const error = yield* refusal(archive, dir)
        assertRefused(error, "too_large", name)
        assert.include(error.detail, "gzip bomb")
      })
    ))

  it.effect("a file over the size limit, and too many entries", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const archive = yield* Effect.promise(() => Peer.codexArchive(dir))
        const dest = Path.join(dir, "a")
        fs.mkdirSync(dest)
        assertRefused(yield* Effect.flip(PeerArchive.unpack(archive, dest, { limits: { maxEntrySize: 1000 } })), "too_large")
        const dest2 = Path.join(dir, "b")
        fs.mkdirSync(dest2)
        assertRefused(yield* Effect.flip(PeerArchive.unpack(archive, dest2, { limits: { maxEntries: 3 } })), "too_large")
      })
    ))

  it.effect("metadata.json that is not JSON, not the peer's, or names another tool", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const notJson = yield* codexWith(dir, [], { metadata: "{ not json", name: "a.tgz" })
        assertRefused(yield* refusal(notJson, dir), "bad_metadata", "metadata.json")
        const unknownTool = yield* codexWith(dir, [], { metadata: { version: "1.0", tool: "cursor" }, name: "b.tgz" })
        assertRefused(yield* refusal(unknownTool, dir), "bad_metadata", "metadata.json")
        const mismatch = yield* codexWith(dir, [], { metadata: { version: "1.0", tool: "claude" }, name: "c.tgz" })
        const error = yield* refusal(mismatch, dir)
        assertRefused(error, "bad_metadata", "metadata.json")
        assert.include(error.detail, "claude")
      })
    ))

  it.effect("a metadata.json of its tool only reads; the same archive always gives the same package id", () =>
    withTmp((dir) =>
      Effect.gen(function*() {
        const archive = yield* codexWith(dir, [], { metadata: { tool: "codex", extra: { nested: true } } })
        const u = yield* unpacked(archive, dir)
        assert.strictEqual(u.origin.version, null)
        assert.strictEqual(u.origin.stated_checksum, null)
        const id = PeerArchive.packageId(u.origin.archive_sha256)
        assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        assert.strictEqual(PeerArchive.packageId(sha256(read(archive))), id)
        assert.notStrictEqual(PeerArchive.packageId(sha256("another archive")), id)
      })
    ))
})
