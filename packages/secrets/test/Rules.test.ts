import { assert, describe, it } from "@effect/vitest"
import { Placeholder, RuleSet } from "@sessionport/secrets"
import { Effect } from "effect"
import { createRequire } from "node:module"
import { performance } from "node:perf_hooks"
import { presetRuleIds } from "../src/internal/lint.js"
import { ALNUM, B64, B64URL, cutPrivateKey, generator, HEX, pkcs8PrivateKey, samples } from "./utils/samples.js"

const scan = (text: string, filePath?: string) => Effect.promise(() => RuleSet.scanText(text, filePath))

/** the kinds found in `text` */
const kindsIn = (text: string, filePath?: string) => Effect.map(scan(text, filePath), (matches) => matches.map((match) => match.kind))

const { pick } = generator(7)

describe("RuleSet", () => {
  it("the version names the installed secretlint core and preset", () => {
    const require = createRequire(import.meta.url)
    const core = require("@secretlint/core/package.json").version
    const preset = require("@secretlint/secretlint-rule-preset-recommend/package.json").version
    assert.include(RuleSet.RULESET_VERSION, `secretlint ${core} (preset-recommend ${preset})`)
  })

  it.effect("every rule of the preset but filter-comments runs, and reports a kind of KINDS", () =>
    Effect.gen(function*() {
      const ids = yield* Effect.promise(presetRuleIds)
      const preset = ids.filter((id) => id.startsWith("@secretlint/"))
      // the recommended preset 12.0.0 has 25 rules; filter-comments is left out
      assert.strictEqual(preset.length, 24)
      assert.notInclude(preset, "@secretlint/secretlint-rule-filter-comments")
      const kinds = new Set(RuleSet.KINDS.map((info) => info.kind))
      assert.strictEqual(kinds.size, RuleSet.KINDS.length, "kinds are unique")
      assert.isAtLeast(kinds.size, 24)
      for (const info of RuleSet.KINDS) assert.match(info.kind, /^[a-z0-9][a-z0-9-]*$/, "a kind fits in a placeholder")
    }))

  it.effect("secretlint's profiler keeps nothing: memory and time stay flat over many scans", () =>
    Effect.gen(function*() {
      yield* scan("warm up")
      const before = performance.getEntriesByType("mark").length
      for (let i = 0; i < 20; i++) yield* scan(samples[0]!.context)
      assert.strictEqual(performance.getEntriesByType("mark").length, before)
    }))

  it.effect("per kind: a secret of a valid shape is found, its range exactly the secret", () =>
    Effect.gen(function*() {
      for (const sample of samples) {
        const matches = yield* scan(sample.context)
        const start = sample.context.indexOf(sample.secret)
        assert.deepStrictEqual(
          matches,
          [{ kind: sample.kind, start, end: start + sample.secret.length }],
          `${sample.kind}: ${sample.context.slice(0, 60)}`
        )
      }
      // every kind has a sample (so every rule, and every preset rule's prefilter, is exercised)
      assert.deepStrictEqual(
        new Set(samples.map((sample) => sample.kind)),
        new Set(RuleSet.KINDS.map((info) => info.kind))
      )
    }))

  it.effect("a placeholder matches no rule, alone or where its secret was", () =>
    Effect.gen(function*() {
      for (const sample of samples) {
        const redacted = sample.context.replace(sample.secret, Placeholder.make(sample.kind, sample.secret))
        assert.deepStrictEqual(yield* scan(redacted), [], `${sample.kind}: ${redacted.slice(0, 80)}`)
      }
    }))

  it.effect("a private key: escaped line ends, cut off, several in a text", () =>
    Effect.gen(function*() {
      // as a JSON string shows it: `\n` escapes, inside a service account file
      const escaped = JSON.stringify({ type: "service_account", private_key: pkcs8PrivateKey + "\n" })
      const inner = JSON.stringify(pkcs8PrivateKey).slice(1, -1)
      const start = escaped.indexOf("-----BEGIN")
      assert.deepStrictEqual(yield* scan(escaped), [{ kind: "private-key", start, end: start + inner.length }])
      // cut off before END: to the end of the body
      const cut = `$ head -c 200 key.pem\n${cutPrivateKey}\n$ `
      assert.deepStrictEqual(yield* scan(cut), [{ kind: "private-key", start: cut.indexOf("-----"), end: cut.indexOf(cutPrivateKey) + cutPrivateKey.length }])
      assert.deepStrictEqual(yield* kindsIn(`${pkcs8PrivateKey}\n\n${pkcs8PrivateKey}`), ["private-key", "private-key"])
    }))

  it.effect("a URL's password is the finding, not the URL", () =>
    Effect.gen(function*() {
      const text = "postgresql+asyncpg://svc:Zq8-Lm3rT7@pg.internal/app and postgres://svc:p4ss%40word@pg/app"
      const matches = yield* scan(text)
      assert.deepStrictEqual(matches.map((match) => text.slice(match.start, match.end)), ["Zq8-Lm3rT7", "p4ss%40word"])
    }))

  it.effect("secretlint-disable comments hide nothing", () =>
    Effect.gen(function*() {
      const token = samples.find((sample) => sample.kind === "github")!.secret
      assert.deepStrictEqual(yield* kindsIn(`// secretlint-disable\nconst t = "${token}"\n`), ["github"])
    }))

  it.effect("overlaps: the specific kind wins over the generic ones", () =>
    Effect.gen(function*() {
      const token = samples.find((sample) => sample.kind === "github")!.secret
      assert.deepStrictEqual(yield* kindsIn(`export GITHUB_TOKEN=${token}`), ["github"])
      assert.deepStrictEqual(yield* kindsIn(`{"api_key": "${token}"}`), ["github"])
    }))

  it.effect("look-alikes of each shape pass", () =>
    Effect.gen(function*() {
      const cases = [
        `pk_live_${pick(ALNUM, 24)}`, // Stripe publishable: public by design
        `sk-proj-${pick(ALNUM, 20)}`, // too short
        `AIza${pick(B64URL, 20)}`,
        `eyJ${pick(B64URL, 30)}.eyJ${pick(B64URL, 30)}.${pick(B64URL, 43)}`, // header is not JSON
        `${Buffer.from(JSON.stringify({ typ: "JWT" })).toString("base64url")}.eyJ${pick(B64URL, 30)}.${pick(B64URL, 43)}`, // no alg
        `https://acct.blob.core.windows.net/c?sig=${pick(ALNUM, 44)}`, // a sig= with no SAS fields
        "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----",
        "postgres://user:password@localhost/db postgres://app:${DB_PASSWORD}@db/app mysql://root:<password>@h/x",
        "redis://:changeme@cache:6379 amqp://guest:guest@rabbit:5672",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
        `SK${pick(HEX, 31)}`,
        `dop_v1_${pick(HEX, 63)}`
      ]
      for (const text of cases) assert.deepStrictEqual(yield* kindsIn(text), [], text)
    }))

  it.effect("dotenv: generated values are found, other values pass", () =>
    Effect.gen(function*() {
      const found = [
        `SERVICE_UPSTREAM=${pick(ALNUM, 8)}7Qa${pick(ALNUM, 20)}`,
        `export SIGNING_MATERIAL='${pick(B64, 30)}9aZ'`,
        // hex only where the name says secret
        `WEBHOOK_SECRET=${pick(HEX, 64)}`
      ]
      for (const text of found) assert.deepStrictEqual(yield* kindsIn(text), [text.startsWith("WEBHOOK") ? "secret-assignment" : "dotenv"], text)
      // in JSON text inside a string (a tool call's arguments): line ends and quotes are escaped
      const value = `${pick(ALNUM, 12)}4Xb${pick(ALNUM, 20)}`
      const args = JSON.stringify({ command: `cat > .env <<EOF\nSERVICE_UPSTREAM=${value}\nDB_PASSWORD=hunter2hunter2\nQUOTED="${value}"\nEOF` })
      const matches = yield* scan(args)
      assert.deepStrictEqual(
        matches.map((match) => [match.kind, args.slice(match.start, match.end)]),
        [["dotenv", value], ["secret-assignment", "hunter2hunter2"], ["dotenv", value]]
      )
      const pass = [
        `GIT_COMMIT=${pick(HEX, 40)}`,
        `IMAGE_DIGEST=sha256:${pick(HEX, 64)}`,
        "SESSION_TRACE=019c8a59-e9dd-71f0-9ae3-4079fe9726a9",
        "NODE_OPTIONS=--max-old-space-size=4096",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
        "DATABASE_URL=postgres://localhost:5432/app",
        "HOMEBREW_PREFIX=/opt/homebrew",
        "LANG=en_US.UTF-8",
        "DEPLOY_TARGET=productionUsEast1ClusterBlueGreen",
        "APP_LABEL=my-service-staging-2",
        "API_ENDPOINT=https://api.example.com/v1",
        "OPENAI_API_KEY=${OPENAI_API_KEY}",
        "ANTHROPIC_API_KEY=<your key here>",
        "SECRET_KEY_BASE=xxxxxxxxxxxxxxxxxxxxxxxx",
        `AWS_ACCESS_KEY_ID_SUFFIX_PATH=/home/me/${pick(ALNUM, 30)}`,
        `BUILD_ID=${pick(ALNUM, 30)}9`
      ]
      for (const text of pass) assert.deepStrictEqual(yield* kindsIn(text), [], text)
    }))

  it.effect("secret-assignment: literals assigned to names that say secret; code, templates and words pass", () =>
    Effect.gen(function*() {
      const found: ReadonlyArray<readonly [string, string | undefined]> = [
        [`password = "hunter2${pick(ALNUM, 6)}"`, undefined],
        [`{\\"token\\": \\"${pick(ALNUM, 12)}9z\\"}`, undefined],
        // unquoted: a literal in a config file, after export, on a .env line; elsewhere when generated
        ["auth_token: hunter2hunter2", "config.yaml"],
        ["export MY_SERVICE_TOKEN=hunter2hunter2", undefined],
        ["DB_PASSWORD=hunter2hunter2", undefined],
        ["  auth_token: c0ffee5ecret4a7b9e21", undefined]
      ]
      for (const [text, path] of found) assert.deepStrictEqual(yield* kindsIn(text + "\n", path), ["secret-assignment"], text)
      const pass = [
        "apiKey: 'proxy-handled',",
        "const env = createEnv({ CODEMIE_API_KEY: 'test-key' })",
        "expect(options.apiKey).toBe('sk-secret')",
        "api_key = os.environ[\"OPENAI_API_KEY\"]",
        "const apiKey = process.env.OPENAI_API_KEY",
        "token: ${{ secrets.GITHUB_TOKEN }}",
        "max_tokens = 4096",
        "if token == \"c0ffee5ecret4a7b9e21\": pass",
        "password: \"correct horse battery staple\"",
        // unquoted outside a config file, not after export: counts only when generated
        "auth_token: hunter2hunter2",
        "DB_PASSWORD = hunter2hunter2"
      ]
      for (const text of pass) assert.deepStrictEqual(yield* kindsIn(text + "\n"), [], text)
    }))
})
