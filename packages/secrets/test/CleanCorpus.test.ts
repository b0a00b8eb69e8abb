/**
 * False findings: real sessions with no planted secrets (the fixtures of every agent, and the
 * Codex rollouts copied from public repositories into `../shared/corpus/`) must give none, and
 * so must the look-alikes transcripts are full of (digests, ids, base64, lock files, minified
 * code). The issue allows at most one false finding per 10 MB; the corpus is about 4.7 MB, so
 * the bound is zero.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { sharedCorpusDir as SHARED_CORPUS } from "./seed/Sources.js"
import { ALNUM, B64, generator, HEX } from "./utils/samples.js"
import { scanBytes, scanText } from "./utils/scan.js"

const FIXTURES = fileURLToPath(new URL("../../../fixtures/", import.meta.url))

const filesUnder = (root: string): Array<string> =>
  fs.readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()

/** text the scanner takes: not SQLite, no NUL byte, valid UTF-8 (compressed files are none of these) */
const isText = (bytes: Buffer): boolean => {
  if (bytes.subarray(0, 16).toString("latin1") === "SQLite format 3\0" || bytes.subarray(0, 8000).includes(0)) return false
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

const agentOf = (file: string) => file.includes(`${path.sep}claude${path.sep}`) ? "claude" : file.includes(`${path.sep}opencode${path.sep}`) ? "opencode" : "codex"

const { pick } = generator(2024)

describe("clean corpus", () => {
  it.effect("fixtures and ../shared/corpus: no findings", () =>
    Effect.gen(function*() {
      const roots = [FIXTURES, ...(fs.existsSync(SHARED_CORPUS) ? [SHARED_CORPUS] : [])]
      let scanned = 0
      const findings: Array<string> = []
      for (const file of roots.flatMap(filesUnder)) {
        const bytes = fs.readFileSync(file)
        if (!isText(bytes)) continue
        scanned += bytes.length
        const format = /\.jsonl?$/.test(file) ? "jsonl" : "text"
        const result = yield* scanBytes(bytes, { agent: agentOf(file), format }, 64 * 1024)
        // the kind and where, never the value
        for (const finding of result.findings) findings.push(`${finding.kind} ${file}:${finding.record} ${JSON.stringify(finding.path)}`)
      }
      // the fixtures alone are ~1 MB of text; with the shared corpus ~3.5 MB
      assert.isAbove(scanned, fs.existsSync(SHARED_CORPUS) ? 2_000_000 : 800_000, "the fixtures (and the shared corpus) were scanned")
      assert.deepStrictEqual(findings, [])
    }), 120_000)

  it.effect("look-alikes: digests, ids, base64, lock files, minified code, examples", () =>
    Effect.gen(function*() {
      const gitLog = Array.from({ length: 40 }, (_, i) =>
        `commit ${pick(HEX, 40)}\nMerge: ${pick(HEX, 7)} ${pick(HEX, 7)}\nAuthor: Dev <dev@example.com>\n\n    fix #${i}\n`).join("\n")
      const sums = Array.from({ length: 40 }, (_, i) => `${pick(HEX, 64)}  dist/file-${i}.tar.gz\nSHA512 (x) = ${pick(HEX, 128)}`).join("\n")
      const ids = Array.from({ length: 40 }, () =>
        `${pick(HEX, 8)}-${pick(HEX, 4)}-7${pick(HEX, 3)}-a${pick(HEX, 3)}-${pick(HEX, 12)} 01J${pick("0123456789ABCDEFGHJKMNPQRSTVWXYZ", 23)}`).join("\n")
      const blob = Buffer.from(pick(ALNUM, 6000)).toString("base64")
      const base64 = `${blob.match(/.{1,76}/g)!.join("\n")}\n${blob}\n{"image": "data:image/png;base64,${blob}"}`
      const lock = Array.from({ length: 40 }, (_, i) =>
        `    "node_modules/pkg-${i}": {\n      "version": "1.${i}.0",\n      "resolved": "https://registry.npmjs.org/pkg-${i}/-/pkg-${i}-1.${i}.0.tgz",\n      "integrity": "sha512-${pick(B64, 86)}=="\n    },`).join("\n") +
        `\n__metadata:\n  cacheKey: 10c0\n"left-pad@npm:1.3.0":\n  checksum: 10c0/${pick(HEX, 128)}\n`
      const minified = Array.from({ length: 30 }, (_, i) =>
        `!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?module.exports=t():e.x${i}=t()}(this,function(){"use strict";var n="${pick(ALNUM, 24)}",r={key:"k${i}",token:function(e){return e.t${i}},secret:!1};function o(e){for(var t=0,n=e.length;t<n;t++)r[e[t]]=t}return o.hash="${pick(HEX, 20)}",o.color="#${pick(HEX, 6)}",o});`).join("") +
        `\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${blob.slice(0, 2000)}\n`
      const examples = [
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "OPENAI_API_KEY=sk-...",
        "export ANTHROPIC_API_KEY=\"$(security find-generic-password -s anthropic -w)\"",
        "GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}",
        "password: ${DB_PASSWORD:-}",
        "DATABASE_URL=postgres://postgres:postgres@localhost:5432/test",
        `IMAGE=ghcr.io/acme/api@sha256:${pick(HEX, 64)}`,
        `CACHE_KEY=node-modules-${pick(HEX, 64)}`,
        "eyJhbGciOiJIUzI1NiJ9.e30",
        `"etag": "W/\\"${pick(HEX, 32)}\\""`,
        `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${pick(B64, 43)} dev@laptop`,
        `-----BEGIN CERTIFICATE-----\n${pick(B64, 64)}\n-----END CERTIFICATE-----`,
        `-----BEGIN PUBLIC KEY-----\n${pick(B64, 64)}\n-----END PUBLIC KEY-----`
      ].join("\n")
      for (const [name, text] of Object.entries({ gitLog, sums, ids, base64, lock, minified, examples })) {
        // as a tool's output in a transcript and as a text file
        const record = JSON.stringify({ type: "response_item", payload: { type: "function_call_output", call_id: "c", output: text } }) + "\n"
        assert.deepStrictEqual((yield* scanText(record, { agent: "codex", format: "jsonl" })).findings, [], `${name} in a record`)
        assert.deepStrictEqual((yield* scanText(text, { agent: "claude", format: "text" })).findings, [], `${name} as text`)
      }
    }))
})
