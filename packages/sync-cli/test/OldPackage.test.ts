/**
 * A Codex-only package made before other agents existed (sessionport 0.1.0, committed in
 * fixtures/packages) still installs and syncs, its `.jsonl.zst` rollout too; and today's
 * Codex-only export is the same layout, with the same bytes for everything that does not depend
 * on when and where it was made, but for that rollout: carried decompressed now, as the `.jsonl`
 * its row names, so that the baseline tools install it.
 */
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, removeTemps, repoRoot, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { afterAll } from "vitest"
import { sessionSync, sessionTransfer } from "./utils/cli.js"

afterAll(removeTemps)

const OLD = path.join(repoRoot, "fixtures", "packages", "codex-before-agents.tgz")
const entries = (pkg: string) => execFileSync("tar", ["tzf", pkg], { encoding: "utf8" }).split("\n").filter((e) => e !== "")
const entry = (pkg: string, name: string) => execFileSync("tar", ["xzOf", pkg, name])
const ZST = ".jsonl.zst"
const fzstd = createRequire(createRequire(import.meta.url).resolve("@sessionport/schema/package.json"))("fzstd") as {
  decompress(bytes: Uint8Array): Uint8Array
}
const zstdDecompressSync = (zlib as { zstdDecompressSync?: (bytes: Uint8Array) => Buffer }).zstdDecompressSync
const unzstd = (bytes: Buffer): Buffer =>
  zstdDecompressSync !== undefined ? zstdDecompressSync(bytes) : Buffer.from(fzstd.decompress(bytes))
/** an entry's name in today's packages: a `.jsonl.zst` travels as its `.jsonl` */
const today = (name: string) => name.endsWith(ZST) ? name.slice(0, -".zst".length) : name

describe("a Codex package made by sessionport 0.1.0", () => {
  it.effect("installs, and a repeat sync of it changes nothing", () =>
    Effect.gen(function*() {
      const home = copyFixtureHome()
      const installed = yield* sessionTransfer(["install", OLD, "--codex-home", home, "--json"])
      assert.strictEqual(installed.code, 0, installed.stderr)
      const ids = JSON.parse(installed.stdout).sessions.map((s: { source_id: string }) => s.source_id)
      assert.deepStrictEqual([...new Set(ids)].sort(), JSON.parse(entry(OLD, "package_manifest.json").toString()).thread_ids)
      const synced = yield* sessionSync(["sync", OLD, "--codex-home", home, "--yes", "--json"])
      assert.strictEqual(synced.code, 0, synced.stderr)
      const result = JSON.parse(synced.stdout)
      // the fixture home has the very sessions: each is found and left as it is, the .zst one too
      assert.isTrue(result.sessions.every((s: { class: string }) => s.class === "unchanged"), synced.stdout)
      assert.isTrue(result.sessions.some((s: { entry: string }) => s.entry.endsWith(ZST)), synced.stdout)
      // the first sync records them in the sidecar; a repeat sync then changes nothing at all
      const again = yield* sessionSync(["sync", OLD, "--codex-home", home, "--yes", "--json"])
      assert.strictEqual(again.code, 0, again.stderr)
      assert.strictEqual(JSON.parse(again.stdout).transaction_id, undefined, again.stdout)
    }), 60_000)

  it.effect("today's Codex-only export has its layout, and its bytes where nothing else changed; the .zst decompressed", () =>
    Effect.gen(function*() {
      const pkg = path.join(tempDir("pkg"), "now.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--include-archived", "--codex-home", copyFixtureHome(), "--out", pkg])
      assert.strictEqual(exported.code, 0, exported.stderr)
      assert.deepStrictEqual(entries(pkg), entries(OLD).map(today))
      // files only: `tar xzOf` of a folder entry prints every file under it
      const compared = entries(OLD).filter((e) =>
        /^sessions\/[^/]+$/.test(e) || /^metadata\/(threads|session_index|thread_dynamic_tools)\.jsonl$/.test(e)
      )
      assert.isAtLeast(compared.length, 6)
      const compressed = compared.filter((name) => name.endsWith(ZST))
      assert.lengthOf(compressed, 1)
      for (const name of compared) {
        const then = entry(OLD, name)
        assert.isTrue(entry(pkg, today(name)).equals(name.endsWith(ZST) ? unzstd(then) : then), name)
      }
      const [now, then] = [pkg, OLD].map((p) => JSON.parse(entry(p, "package_manifest.json").toString()))
      assert.deepStrictEqual(Object.keys(now), Object.keys(then))
      assert.deepStrictEqual(now.files.map((f: { path: string }) => f.path), then.files.map((f: { path: string }) => today(f.path)))
    }), 60_000)
})
