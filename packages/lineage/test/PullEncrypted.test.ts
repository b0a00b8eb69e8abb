/**
 * Encrypted packages in the exchange, in process: A pushes `.tgz.age` packages (to B's age key);
 * B pulls with no key, a key that is not a recipient, and its own. Expected values are read
 * independently: the package files' first bytes (the age header), their SHA-256 by node:crypto,
 * the rollouts on disk, the `exchange.sqlite` rows.
 */
import { assert, describe, it } from "@effect/vitest"
import { fixtureByRole, fixtureThreads, removeTemps } from "@sessionport/codex-oracle/Fixtures"
import { Encryption } from "@sessionport/package-format"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import type * as Push from "../src/Push.js"
import {
  continueSession,
  exchangeRows,
  files,
  fixtureMachine,
  indexOf,
  machineIdOf,
  outboxOf,
  pull,
  push,
  syntheticMachine
} from "./utils/exchange.js"

afterAll(removeTemps)

/** A key pair as age-keygen makes one, and B's ring of it. */
const keyPair = Effect.map(Encryption.generateKeyPair, (pair) => ({
  ...pair,
  ring: { identities: [{ type: "X25519", source: "key.txt", key: pair.identity }], passphrases: [] } satisfies Encryption.KeyRing
}))

/** Push's encryption to one `age1…` recipient. */
const to = (recipient: string) =>
  Effect.map(Encryption.recipientsOf(recipient), (recipients): Push.PushEncryption => ({ mode: "recipients", seal: { _tag: "Recipients", recipients } }))

const withKeys = (ring: Encryption.KeyRing) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, Encryption.Keys, ring)

/** What became of each package a pull looked at: `[seq, status, kind]`, by seq. */
const outcomes = (result: { readonly packages: ReadonlyArray<{ readonly seq: number; readonly status: string; readonly kind?: string | undefined }> }) =>
  [...result.packages].sort((x, y) => x.seq - y.seq).map((p) => [p.seq, p.status, p.kind])

const GROWN = "beta_cwd"

describe("Pull of encrypted packages", () => {
  it.effect("A's package is a .tgz.age listed as encrypted, by the digest of its bytes; B takes it only with its key, and nothing before", () =>
    Effect.gen(function*() {
      const a = fixtureMachine()
      const b = yield* syntheticMachine(a.folder, "bob-pc")
      const bob = yield* keyPair
      const other = yield* keyPair
      const pushed = yield* push(a, { encryption: yield* to(bob.recipient) })
      const [entry] = indexOf(a).packages
      const bytes = fs.readFileSync(path.join(outboxOf(a), entry.file))
      const sha256 = createHash("sha256").update(bytes).digest("hex")
      assert.strictEqual(entry.file, `packages/000001-${sha256.slice(0, 32)}.tgz.age`)
      assert.deepStrictEqual([entry.sha256, entry.size, entry.encrypted], [sha256, bytes.length, true])
      assert.strictEqual(bytes.subarray(0, 22).toString("latin1"), "age-encryption.org/v1\n")
      assert.deepStrictEqual([pushed.encryption, pushed.package?.encrypted], ["recipients", true])

      // no key, then a key that is not a recipient: skipped, and B's home and the folder as they were
      const before = { home: files(b.home), folder: files(a.folder) }
      const none = yield* pull(b)
      assert.deepStrictEqual(outcomes(none), [[1, "skipped", "encrypted"]])
      assert.match(none.packages[0]!.why!, /encrypted \(to 1 X25519\): give --identity/)
      assert.deepStrictEqual(none.notes, [`skipped ${machineIdOf(a)}/${entry.file}: ${none.packages[0]!.why}; retried next pull`])
      assert.isUndefined(none.transactionId)
      const wrong = yield* pull(b).pipe(withKeys(other.ring))
      assert.deepStrictEqual(outcomes(wrong), [[1, "skipped", "encrypted"]])
      assert.match(wrong.packages[0]!.why!, /no identity given opens it/)
      assert.deepStrictEqual(exchangeRows(b.home, "applied"), [])
      assert.deepStrictEqual({ home: files(b.home), folder: files(a.folder) }, before)

      // B's key: every session
      const taken = yield* pull(b).pipe(withKeys(bob.ring))
      assert.deepStrictEqual(outcomes(taken), [[1, "applied", undefined]])
      assert.strictEqual(taken.packages[0]!.sync!.sessions.length, fixtureThreads.length)
      assert.deepStrictEqual(exchangeRows(b.home, "applied").map((r) => [r.seq, r.sha256, r.how]), [[1, sha256, "applied"]])
    }))

  it.effect("a package superseded by a later one no key here opens is applied instead; the later one once the key is given", () =>
    Effect.gen(function*() {
      const a = fixtureMachine()
      // B publishes a session of its own: a machine with an index, so A's compaction keeps what B has not pulled
      const b = yield* syntheticMachine(a.folder, "bob-pc", 1)
      const bob = yield* keyPair
      yield* push(b)
      // 1: everything, plain (B takes it); 2: the grown session, plain; 3: it grown again, encrypted
      yield* push(a)
      assert.deepStrictEqual(outcomes(yield* pull(b)), [[1, "applied", undefined]])
      continueSession(a.home, GROWN)
      yield* push(a)
      continueSession(a.home, GROWN)
      yield* push(a, { encryption: yield* to(bob.recipient) })
      const packages = indexOf(a).packages
      assert.deepStrictEqual(packages.map((p: { encrypted?: boolean }) => p.encrypted === true), [false, false, true])
      const grown = fixtureByRole(GROWN).threadId

      // without B's key: 2 is not superseded by 3 (which cannot be opened) but applied
      const first = yield* pull(b)
      assert.deepStrictEqual(outcomes(first), [[2, "applied", undefined], [3, "skipped", "encrypted"]])
      assert.deepStrictEqual(exchangeRows(b.home, "applied").map((r) => [r.seq, r.how]).sort(), [[1, "applied"], [2, "applied"]])

      // with it: 3 fast-forwards the grown session
      const second = yield* pull(b).pipe(withKeys(bob.ring))
      assert.deepStrictEqual(outcomes(second), [[3, "applied", undefined]])
      const decision = second.packages[0]!.sync!.sessions.find((s) => s.sourceId === grown)
      assert.strictEqual(decision?.class, "fast_forward_import")
    }))
})
