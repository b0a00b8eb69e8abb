/**
 * Encrypted packages against the reference implementation, the `age` command (Debian's 1.1,
 * installed by scripts/ensure-age.mjs in the globalSetup), both ways: what we export to an age
 * key, an SSH ed25519 key and an SSH RSA key (ssh-keygen's) `age -d -i` decrypts into a `.tgz`
 * our reader verifies and installs, byte for byte the archive we decrypt ourselves; what `age -r`
 * / `age -R KEY.pub` / `age -p` encrypt we install. age reads passphrases from the terminal only:
 * those cases run it in a pseudo-terminal (python3's pty) that answers its prompts.
 */
import { assert, describe, it } from "@effect/vitest"
import { copyFixtureHome, removeTemps, tempDir } from "@sessionport/codex-oracle/Fixtures"
import { sessionMeta, userMessage, uuid, writeRollout } from "@sessionport/codex-oracle/SyntheticRollout"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import { errorLines, sessionTransfer } from "./utils/cli.js"
import * as Pty from "./utils/pty.js"

afterAll(removeTemps)

const onPath = (command: string, args: ReadonlyArray<string>) => spawnSync(command, args, { stdio: "ignore" }).status === 0
const missing = (command: string, args: ReadonlyArray<string>, how: string) => onPath(command, args) ? undefined : `${command} is not on PATH (${how})`

const noAge = missing("age", ["--version"], "node scripts/ensure-age.mjs installs Debian's package as root")
const noSshKeygen = spawnSync("ssh-keygen", ["-?"], { stdio: "ignore" }).error === undefined ? undefined : "ssh-keygen is not on PATH (apt-get install openssh-client)"
const noPty = Pty.missing

/** Runs a command and asserts it succeeded. */
const run = (command: string, args: ReadonlyArray<string>, input?: Buffer) => {
  const result = spawnSync(command, args, { input, maxBuffer: 1 << 28 })
  assert.strictEqual(result.status, 0, `${command} ${args.join(" ")}: ${String(result.stderr)}`)
  return result.stdout
}

/** `command` in a pseudo-terminal answering age's passphrase prompts (`prompts` of them) with `passphrase`. */
const agePty = (passphrase: string, prompts: ReadonlyArray<string>, command: ReadonlyArray<string>) => {
  const result = Pty.inPty(command, prompts.map((prompt) => [prompt, passphrase] as const))
  assert.strictEqual(result.status, 0, `${command.join(" ")}: ${result.output}`)
}

/** A Codex home of two small sessions. */
const source = () => {
  const home = tempDir("interop-src")
  const ids = [uuid(0xf1), uuid(0xf2)]
  ids.forEach((id, i) =>
    writeRollout(home, id, new Date(Date.UTC(2026, 0, 1 + i)), [sessionMeta({ id, cwd: "/home/alice/proj" }), userMessage(`hello ${i}`)])
  )
  return { home, ids }
}

/** What a package holds as our reader sees it: its id and its sessions' ids. */
const inspected = (pkg: string, keys: ReadonlyArray<string> = [], env: Record<string, string> = {}) =>
  Effect.map(sessionTransfer(["inspect", pkg, ...keys, "--json"], { env }), (result) => {
    assert.strictEqual(result.code, 0, `${pkg}: ${result.stderr}`)
    const inspection = JSON.parse(result.stdout)
    return {
      id: inspection.manifest.package_id as string,
      sessions: inspection.sessions.map((s: { thread_id: string }) => s.thread_id).sort() as Array<string>
    }
  })

const installs = (pkg: string, ids: ReadonlyArray<string>, keys: ReadonlyArray<string> = [], env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const result = yield* sessionTransfer(["install", pkg, ...keys, "--codex-home", copyFixtureHome(), "--yes", "--json"], { env })
    assert.strictEqual(result.code, 0, `${pkg}: ${result.stderr}`)
    assert.deepStrictEqual(JSON.parse(result.stdout).sessions.map((s: { source_id: string }) => s.source_id).sort(), [...ids].sort())
  })

const sshKey = (dir: string, type: "ed25519" | "rsa", passphrase = "") => {
  const file = path.join(dir, `id_${type}`)
  run("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "3072"] : []), "-N", passphrase, "-C", "alice@laptop", "-f", file])
  return { file, pub: `${file}.pub` }
}

describe.skipIf(noAge !== undefined)(`interop with the age command${noAge === undefined ? "" : ` (skipped: ${noAge})`}`, () => {
  it.effect.skipIf(noSshKeygen !== undefined)("our export to an age key, an ssh-ed25519 and an ssh-rsa key: age -d -i each gives the archive, which we install", () =>
    Effect.gen(function*() {
      const { home, ids } = source()
      const dir = tempDir("interop-ours")
      const ageKey = path.join(dir, "key.txt")
      run("age-keygen", ["-o", ageKey])
      const recipient = String(run("age-keygen", ["-y", ageKey])).trim()
      const ed = sshKey(dir, "ed25519")
      const rsa = sshKey(dir, "rsa")
      const pkg = path.join(dir, "sessions.tgz.age")
      // a recipient as itself, and two as .pub files
      const exported = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", pkg, "--encrypt-to", recipient, "--encrypt-to", ed.pub, "--encrypt-to", rsa.pub])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const ours = yield* inspected(pkg, ["--identity", ageKey])
      assert.deepStrictEqual(ours.sessions, [...ids].sort())
      const archives = [ageKey, ed.file, rsa.file].map((key) => {
        const out = path.join(dir, `${path.basename(key)}.tgz`)
        run("age", ["-d", "-i", key, "-o", out, pkg])
        return out
      })
      const first = fs.readFileSync(archives[0]!)
      assert.deepStrictEqual([...first.subarray(0, 2)], [0x1f, 0x8b], "a gzip archive")
      for (const archive of archives) {
        assert.isTrue(fs.readFileSync(archive).equals(first), `${archive}: the same plaintext for every recipient`)
        // the very package: same id, same sessions, every SHA-256 verified by our reader
        assert.deepStrictEqual(yield* inspected(archive), ours)
      }
      yield* installs(archives[2]!, ids)
      // and our reader opens it with the SSH keys too
      for (const key of [ed.file, rsa.file]) assert.deepStrictEqual(yield* inspected(pkg, ["--identity", key]), ours)
    }), 180_000)

  it.effect.skipIf(noSshKeygen !== undefined)("age -r, age -R KEY.pub and age -R for an RSA key encrypt our .tgz: we install what they wrote", () =>
    Effect.gen(function*() {
      const { home, ids } = source()
      const dir = tempDir("interop-theirs")
      const plain = path.join(dir, "sessions.tgz")
      const exported = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", plain])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const original = yield* inspected(plain)
      const ageKey = path.join(dir, "key.txt")
      run("age-keygen", ["-o", ageKey])
      const ed = sshKey(dir, "ed25519")
      const rsa = sshKey(dir, "rsa")
      const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, string]> = [
        ["x25519", ["-r", String(run("age-keygen", ["-y", ageKey])).trim()], ageKey],
        ["ed25519", ["-R", ed.pub], ed.file],
        ["rsa", ["-R", rsa.pub], rsa.file]
      ]
      for (const [name, recipients, key] of cases) {
        const sealed = path.join(dir, `${name}.tgz.age`)
        run("age", [...recipients, "-o", sealed, plain])
        assert.deepStrictEqual(yield* inspected(sealed, ["--identity", key]), original, name)
        const wrong = yield* sessionTransfer(["inspect", sealed, "--identity", name === "x25519" ? ed.file : ageKey])
        assert.strictEqual(wrong.code, 1, wrong.stderr)
        assert.strictEqual(errorLines(wrong).length, 1, wrong.stderr)
        assert.include(wrong.stderr, `no identity given opens it (it is encrypted to 1 ${name === "x25519" ? "X25519" : `ssh-${name}`}`)
      }
      yield* installs(path.join(dir, "ed25519.tgz.age"), ids, ["--identity", ed.file])
    }), 180_000)

  it.effect.skipIf(noPty !== undefined)(`a passphrase both ways (age in a pseudo-terminal)${noPty === undefined ? "" : ` (skipped: ${noPty})`}`, () =>
    Effect.gen(function*() {
      const { home, ids } = source()
      const dir = tempDir("interop-passphrase")
      const passphrase = "tinned peaches in the rain"
      const ours = path.join(dir, "ours.tgz.age")
      const exported = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", ours, "--passphrase"], {
        env: { SESSIONPORT_PASSPHRASE: passphrase }
      })
      assert.strictEqual(exported.code, 0, exported.stderr)
      const decrypted = path.join(dir, "ours.tgz")
      agePty(passphrase, ["Enter passphrase"], ["age", "-d", "-o", decrypted, ours])
      assert.deepStrictEqual(yield* inspected(decrypted), yield* inspected(ours, [], { SESSIONPORT_PASSPHRASE: passphrase }))

      const theirs = path.join(dir, "theirs.tgz.age")
      agePty(passphrase, ["Enter passphrase", "Confirm passphrase"], ["age", "-p", "-o", theirs, decrypted])
      assert.match(fs.readFileSync(theirs).subarray(0, 100).toString("latin1"), /^age-encryption\.org\/v1\n-> scrypt /)
      const file = path.join(dir, "passphrase.txt")
      fs.writeFileSync(file, `${passphrase}\n`)
      yield* installs(theirs, ids, ["--passphrase-file", file])
    }), 180_000)

  it.effect.skipIf(noSshKeygen !== undefined)("a passphrase-protected SSH key: one line with the way out (age -d), nothing read", () =>
    Effect.gen(function*() {
      const { home } = source()
      const dir = tempDir("interop-protected")
      const ed = sshKey(dir, "ed25519", "key passphrase")
      const pkg = path.join(dir, "sessions.tgz.age")
      const exported = yield* sessionTransfer(["export", "--all", "--codex-home", home, "--out", pkg, "--encrypt-to", ed.pub])
      assert.strictEqual(exported.code, 0, exported.stderr)
      const refused = yield* sessionTransfer(["inspect", pkg, "--identity", ed.file])
      assert.strictEqual(refused.code, 1, refused.stderr)
      assert.deepStrictEqual(errorLines(refused), [
        `session-transfer: ${ed.file}: a passphrase-protected SSH key, which sessionport cannot open: decrypt the package with \`age -d -i KEY\` and read the .tgz, or use an age identity (age-keygen)`
      ])
      // the way out works: age asks for the key's passphrase
      if (noPty === undefined) {
        const plain = path.join(dir, "sessions.tgz")
        agePty("key passphrase", ["passphrase"], ["age", "-d", "-i", ed.file, "-o", plain, pkg])
        assert.deepStrictEqual((yield* inspected(plain)).sessions.length, 2)
      }
    }), 120_000)
})
