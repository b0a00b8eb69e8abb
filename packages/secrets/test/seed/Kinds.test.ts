import { assert, describe, it } from "@effect/vitest"
import { lintSource } from "@secretlint/core"
import { rules as presetRules } from "@secretlint/secretlint-rule-preset-recommend"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { KINDS, type Secret } from "./Kinds.js"
import * as Rng from "./Rng.js"

// The generators checked against readings that are not theirs: secretlint's own rules (preset
// 12.0.0) for the kinds it knows, the providers' documented formats for the others, node:crypto
// and ssh-keygen for keys, zlib's CRC-32 for GitHub's checksum.

const made = new Map(KINDS.map((k) => [k.kind, Array.from({ length: 4 }, (_, i) => k.make(Rng.make(`kinds-test-${i}`).fork(k.kind)))]))
const of = (kind: string): ReadonlyArray<Secret> => made.get(kind)!

// kind → the preset rule that must report it (placed as `NAME=value`, or as its file)
const SECRETLINT: Record<string, string> = {
  openai: "openai",
  anthropic: "anthropic",
  github: "github",
  "github-fine-grained": "github",
  gitlab: "gitlab",
  aws: "aws",
  "gcp-service-account": "gcp",
  slack: "slack",
  "slack-webhook": "slack",
  sendgrid: "sendgrid",
  npm: "npm",
  huggingface: "huggingface",
  "private-key-rsa": "privatekey",
  "private-key-openssh": "privatekey",
  "private-key-pkcs8": "privatekey",
  "postgres-url": "database-connection-string",
  "mysql-url": "database-connection-string",
  "mongodb-url": "database-connection-string",
  vault: "hashicorp-vault",
  linear: "linear",
  notion: "notion",
  shopify: "shopify",
  grafana: "grafana",
  groq: "groq",
  vercel: "vercel",
  databricks: "databricks",
  docker: "docker",
  figma: "figma",
  "1password": "1password",
  "url-password": "basicauth"
}

// the kinds secretlint does not know: their documented formats
const FORMATS: Record<string, RegExp> = {
  "gcp-api-key": /^AIza[0-9A-Za-z_-]{35}$/,
  "google-oauth-secret": /^GOCSPX-[0-9A-Za-z_-]{28}$/,
  "azure-ad-secret": /^[0-9A-Za-z_~.-]{3}\dQ~[0-9A-Za-z_~.-]{34}$/,
  stripe: /^sk_live_[0-9A-Za-z]{24,99}$/,
  telegram: /^\d{8,10}:AA[0-9A-Za-z_-]{33}$/,
  digitalocean: /^dop_v1_[0-9a-f]{64}$/,
  twilio: /^SK[0-9a-f]{32}$/,
  pypi: /^pypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{50,}$/,
  jwt: /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{43}$/
}

const config = {
  rules: presetRules.filter((r) => !r.meta.id.endsWith("filter-comments")).map((rule) => ({ id: rule.meta.id, rule }))
}

const ruleIds = async (filePath: string, content: string): Promise<Array<string>> => {
  const source = { filePath, content, contentType: "text" as const, ext: path.extname(filePath) }
  const result = await lintSource({ source, options: { config, maskSecrets: true } })
  return result.messages.map((m) => m.ruleId.replace("@secretlint/secretlint-rule-", ""))
}

describe("seed kinds", () => {
  it("has at least 24 kinds, each named once, the same values for the same seed and new ones for others", () => {
    assert.isAtLeast(KINDS.length, 24)
    assert.strictEqual(new Set(KINDS.map((k) => k.kind)).size, KINDS.length)
    for (const k of KINDS) {
      assert.strictEqual(k.make(Rng.make("a").fork(k.kind)).value, k.make(Rng.make("a").fork(k.kind)).value, k.kind)
      // RSA keys come from a pool of four: two seeds may pick the same one, four not all
      assert.isAbove(new Set(of(k.kind).map((s) => s.value)).size, 1, k.kind)
    }
  })

  it("names parts that lie in the value and read the same inside a JSON string", () => {
    for (const k of KINDS) {
      for (const s of of(k.kind)) {
        assert.isAbove(s.parts.length, 0, k.kind)
        for (const p of s.parts) {
          assert.isAtLeast(p.length, 8, k.kind)
          assert.include(s.value, p, k.kind)
          assert.strictEqual(JSON.stringify(p), `"${p}"`, k.kind)
        }
      }
    }
  })

  it.effect("makes what secretlint's recommended rules report, for every kind they know", () =>
    Effect.promise(async () => {
      for (const [kind, rule] of Object.entries(SECRETLINT)) {
        for (const s of of(kind)) {
          const ids = s.kind === "gcp-service-account"
            ? await ruleIds(s.file!, s.value)
            : await ruleIds(".env", s.shape === "block" ? s.value : `${s.envName}=${s.value}\n`)
          assert.include(ids, rule, `${kind}: ${ids.join(", ")}`)
        }
      }
    }))

  it("makes the documented formats of the other kinds", () => {
    for (const [kind, format] of Object.entries(FORMATS)) for (const s of of(kind)) assert.match(s.value, format, kind)
    assert.deepStrictEqual(
      KINDS.map((k) => k.kind).filter((k) => !(k in SECRETLINT) && !(k in FORMATS)).sort(),
      ["azure-storage", "dotenv", "private-key-ec"]
    )
  })

  it("ends a classic GitHub token in the base62 CRC-32 of its random part", () => {
    const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    for (const s of of("github")) {
      const [, random, check] = /^gh[opsu]_([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/.exec(s.value)!
      const decoded = [...check!].reduce((n, c) => n * 62 + b62.indexOf(c), 0)
      assert.strictEqual(decoded, zlib.crc32(random!))
    }
  })

  it("makes private keys that sign and verify, of the PEM types asked for", () => {
    const headers: Record<string, string> = {
      "private-key-rsa": "RSA PRIVATE KEY",
      "private-key-ec": "EC PRIVATE KEY",
      "private-key-pkcs8": "PRIVATE KEY"
    }
    for (const [kind, header] of Object.entries(headers)) {
      for (const s of of(kind)) {
        assert.isTrue(s.value.startsWith(`-----BEGIN ${header}-----\n`), kind)
        const key = createPrivateKey(s.value)
        const signature = sign(key.asymmetricKeyType === "rsa" ? "sha256" : null, Buffer.from("x"), key)
        assert.isTrue(verify(key.asymmetricKeyType === "rsa" ? "sha256" : null, Buffer.from("x"), createPublicKey(key), signature), kind)
      }
    }
    for (const s of of("gcp-service-account")) {
      const sa = JSON.parse(s.value)
      assert.strictEqual(sa.type, "service_account")
      assert.strictEqual(createPrivateKey(sa.private_key).asymmetricKeyType, "rsa")
    }
  })

  it("makes OpenSSH keys ssh-keygen reads", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seed-ssh-"))
    try {
      for (const s of of("private-key-openssh")) {
        const file = path.join(dir, "id")
        fs.writeFileSync(file, s.value, { mode: 0o600 })
        let out: string
        try {
          out = execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ENOENT") return // no ssh-keygen here: the other checks stand
          throw e
        }
        assert.match(out, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[\w+/]+ \S+@\S+\n$/)
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("makes JWTs with an HS256 header, PyPI macaroons for pypi.org, Azure keys of 64 bytes, 1Password JSON", () => {
    for (const s of of("jwt")) {
      const [head, payload] = s.value.split(".")
      assert.deepStrictEqual(JSON.parse(Buffer.from(head!, "base64url").toString()), { alg: "HS256", typ: "JWT" })
      assert.isNumber(JSON.parse(Buffer.from(payload!, "base64url").toString()).exp)
    }
    for (const s of of("pypi")) {
      const macaroon = Buffer.from(s.value.slice("pypi-".length), "base64url")
      assert.deepStrictEqual([...macaroon.subarray(0, 3)], [2, 1, 8])
      assert.strictEqual(macaroon.subarray(3, 11).toString(), "pypi.org")
    }
    for (const s of of("azure-storage")) {
      assert.match(s.value, /^DefaultEndpointsProtocol=https;AccountName=\w+;AccountKey=[\w+/]+==;EndpointSuffix=core\.windows\.net$/)
      assert.strictEqual(Buffer.from(s.parts[0]!, "base64").length, 64)
    }
    for (const s of of("1password")) {
      assert.match(s.value, /^ops_eyJ[\w+/]+fQ==$/)
      assert.isString(JSON.parse(Buffer.from(s.value.slice(4), "base64").toString()).secretKey)
    }
    for (const s of of("dotenv")) {
      assert.isAtLeast(s.value.length, 32)
      assert.match(s.envName, /SECRET|KEY/)
    }
  })
})
