import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { PackageInstall } from "@sessionport/agent"
import type { AgentStore } from "@sessionport/agent/AgentStore"
import { FormatVersion, Manifest, PackageWriter } from "@sessionport/package-format"
import { Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as Path from "node:path"

const A = "019a0000-0000-7000-8000-00000000000a"
const B = "019a0000-0000-7000-8000-00000000000b"
const rollout = (id: string) => `rollout-2025-11-20T10-00-00-${id}.jsonl`
const session = (id: string) => JSON.stringify({ timestamp: "2025-11-20T10:00:00Z", type: "session_meta", payload: { id } }) + "\n"

/** A package of two Codex sessions and one Claude session with a file besides its transcript. */
const FILES: Record<string, string> = {
  "metadata/threads.jsonl": [A, B].map((id) => JSON.stringify({ id, rollout_path: `/h/.codex/sessions/${rollout(id)}` }) + "\n").join(""),
  [`sessions/${rollout(A)}`]: session(A),
  [`sessions/${rollout(B)}`]: session(B),
  "agents/claude/sessions/c1/transcript.jsonl": "{\"type\":\"user\"}\n",
  "agents/claude/sessions/c1/subagents/agent-1.jsonl": "{\"type\":\"user\"}\n"
}

const writePackage = (out: string) =>
  Effect.scoped(Effect.gen(function*() {
    const sink = yield* PackageWriter.open(out, { format: "tgz", mtime: new Date("2025-11-20T10:00:00Z") })
    const files: Array<Manifest.PackageFile> = []
    for (const [path, text] of Object.entries(FILES)) files.push(yield* sink.add({ path, size: Buffer.byteLength(text), content: Stream.make(Buffer.from(text)) }))
    yield* sink.addBytes("package_manifest.json", JSON.stringify({
      format_version: FormatVersion.FORMAT_VERSION,
      package_kind: "session-skill-package",
      minimum_working_set_only: true,
      cwd_filter: null,
      thread_ids: [A, B],
      skills_included: [],
      deferred_components: [],
      preferred_installer_skill: "codex-session-transfer",
      files,
      agents: ["codex", "claude"],
      agent_sessions: [{ agent: "claude", id: "c1" }]
    }))
    yield* sink.commit
  }))

// what prepareDeferred asks of a store: its agent, and which entries it scans (none here)
const store = (agent: string) =>
  ({ agent, ownsEntry: () => false, scan: () => ({ push: () => false, end: () => undefined }) }) as unknown as AgentStore

const unpacked = (dir: string): Array<string> =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => Path.relative(dir, Path.join(e.parentPath, e.name))).sort()
    : []

describe("PackageInstall.prepareDeferred", () => {
  it.scoped("unpacks a .tgz only when asked, without the files of the sessions seen; nothing when no other session is left", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(Path.join(os.tmpdir(), "sp-deferred-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const pkg = Path.join(dir, "pkg.tgz")
      yield* writePackage(pkg)
      const stores = [store("codex"), store("claude")]

      // every session seen before: not a file is unpacked
      const all = yield* PackageInstall.prepareDeferred({ package: pkg, maps: [] }, stores)
      expect(unpacked(all.stagedDir)).toEqual([])
      yield* all.unpack(new Set([`sessions/${rollout(A)}`, `sessions/${rollout(B)}`, "agents/claude/sessions/c1/transcript.jsonl"]))
      expect(unpacked(all.stagedDir)).toEqual([])

      // one Codex session and the Claude one seen (its other file too): the rest is unpacked
      const some = yield* PackageInstall.prepareDeferred({ package: pkg, maps: [] }, stores)
      yield* some.unpack(new Set([`sessions/${rollout(A)}`, "agents/claude/sessions/c1/transcript.jsonl"]))
      expect(unpacked(some.stagedDir)).toEqual(["metadata/threads.jsonl", "package_manifest.json", `sessions/${rollout(B)}`])
      expect(fs.readFileSync(Path.join(some.stagedDir, "sessions", rollout(B)), "utf8")).toBe(FILES[`sessions/${rollout(B)}`])
    }).pipe(Effect.provide(NodeContext.layer)))
})
