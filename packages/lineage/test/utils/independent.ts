// Independent readings for the tests: records split by hand, prints and chain heads hashed with
// node:crypto's streaming API, zstd through fzstd's one-shot decompressor, installed copies made
// by the Rewriter itself.
import { fixtureHome, fixtureThreads } from "@sessionport/codex-oracle/Fixtures"
import { Neutralizer, Rewriter } from "@sessionport/localize"
import { Chunk, Effect, Sink, Stream } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

const requireHere = createRequire(import.meta.url)
const fzstd = createRequire(requireHere.resolve("@sessionport/schema/package.json"))("fzstd") as {
  decompress: (data: Uint8Array) => Uint8Array
}

/** A fixture rollout's bytes as they are on disk. */
export const raw = (rel: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(fixtureHome, rel)))

/** A fixture rollout's plain text bytes (zstd decompressed). */
export const plain = (rel: string): Uint8Array => rel.endsWith(".zst") ? fzstd.decompress(raw(rel)) : raw(rel)

/** The terminated lines of a text (an unterminated last piece dropped), blank ones too. */
export const terminatedLines = (bytes: Uint8Array): Array<string> => {
  const lines = Buffer.from(bytes).toString("utf8").split("\n")
  lines.pop()
  return lines
}

export const joinLines = (lines: ReadonlyArray<string>): Uint8Array => new TextEncoder().encode(lines.map((l) => `${l}\n`).join(""))

/** What a print should be: sha256 of each non-blank terminated line's canonical text, chained. */
export const expectedPrint = (bytes: Uint8Array) => {
  const records = terminatedLines(bytes).filter((l) => l.trim().length > 0)
  const prints = records.map((l) => createHash("sha256").update(Neutralizer.canonical(l), "utf8").digest().subarray(0, 8))
  return { records: records.length, prints: new Uint8Array(Buffer.concat(prints)), head: chainHead(prints) }
}

/** head_k = sha256(print_1 ‖ … ‖ print_k): the prefix hash. */
export const chainHead = (prints: ReadonlyArray<Uint8Array>): string => {
  const hash = createHash("sha256")
  for (const p of prints) hash.update(p)
  return hash.digest().toString("hex")
}

/** Index of the first record that carries one of these prompts as an event (user_message, or a UserMessage item). */
export const promptIndex = (bytes: Uint8Array, prompts: ReadonlyArray<string>): number =>
  terminatedLines(bytes).filter((l) => l.trim().length > 0).findIndex((l) => {
    const { payload, type } = JSON.parse(l)
    if (type !== "event_msg") return false
    if (payload.type === "user_message") return prompts.includes(payload.message)
    return payload.type === "item_completed" && payload.item?.type === "UserMessage" &&
      prompts.includes(payload.item.content.map((c: any) => c.text ?? "").join(""))
  })

/** Every fixture thread installed under a plan (parents first, forks given their parent's line ends). */
export const installAll = (plan: Rewriter.Plan) =>
  Effect.gen(function*() {
    const wanted = new Map<string, Set<number>>()
    for (const fork of fixtureThreads.filter((s) => s.parentId !== undefined)) {
      const base = JSON.parse(terminatedLines(plain(fork.rollout))[0]!).payload.history_base
      wanted.set(base.thread_id, new Set([...(wanted.get(base.thread_id) ?? []), base.end_byte_offset]))
    }
    const offsets = new Map<string, ReadonlyMap<number, number>>()
    const installed = new Map<string, Uint8Array>()
    for (const session of [...fixtureThreads].sort((a, b) => Number(a.parentId !== undefined) - Number(b.parentId !== undefined))) {
      const [chunks, report] = yield* Rewriter.run(
        Stream.make(raw(session.rollout)),
        { ...plan, lineEnds: wanted.get(session.threadId), historyBaseOffsets: offsets },
        Sink.collectAll<Uint8Array>()
      )
      offsets.set(session.threadId, report.lineEnds)
      installed.set(session.threadId, new Uint8Array(Buffer.concat([...Chunk.toReadonlyArray(chunks)])))
    }
    return installed
  })
