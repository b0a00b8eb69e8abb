import { assert, describe, it } from "@effect/vitest"
import * as Samples from "@sessionport/codex-oracle/SecretSamples"
import { Credentials } from "@sessionport/package-format"
import { Effect } from "effect"

const contentRule = (path: string, content: string | Buffer) => Credentials.contentRule(path, Buffer.from(content))

describe("Credentials", () => {
  it("name rules: each names its rule; look-alikes pass", () => {
    const cases: ReadonlyArray<readonly [string, string | undefined]> = [
      ["auth.json", "auth-json"],
      ["skills/x/auth.json", "auth-json"],
      ["skills/x/access_token.txt", "credential-name"],
      ["skills/x/client-secret.json", "credential-name"],
      ["skills/x/credentials.yaml", "credential-name"],
      ["skills/x/db-password", "credential-name"],
      ["skills/x/api_key.txt", "credential-name"],
      ["skills/x/myApiKeys.json", "credential-name"],
      ["skills/x/openai_key.txt", "credential-name"],
      ["skills/x/mytoken.txt", "credential-name"],
      ["skills/x/github_pat.txt", "credential-name"],
      ["skills/x/server.pem", "key-file"],
      ["skills/x/server.key", "key-file"],
      ["skills/x/cert.p12", "key-file"],
      ["skills/x/CERT.PFX", "key-file"],
      ["skills/x/id_ed25519", "key-file"],
      ["skills/x/.env", "env-file"],
      ["skills/x/.env.production", "env-file"],
      ["skills/x/.envrc", "env-file"],
      ["skills/x/.netrc", "auth-config-file"],
      ["skills/x/_netrc", "auth-config-file"],
      ["skills/x/.npmrc", "auth-config-file"],
      ["skills/x/.pypirc", "auth-config-file"],
      ["skills/x/service-account.json", "service-account-file"],
      ["skills/x/service_account_prod.json", "service-account-file"],
      ["skills/x/credentials/prod.json", "credential-folder"],
      ["skills/x/deep/secrets/prod.yaml", "credential-folder"],
      // a skill's own folder name says what it is about: a `secrets` skill's docs travel
      ["skills/secrets/SKILL.md", undefined],
      ["skills/x/tokenizer.py", undefined],
      ["skills/x/my_path.py", undefined],
      ["skills/x/keyboard.txt", undefined],
      ["skills/x/monkey.txt", undefined],
      ["skills/x/environment.md", undefined],
      ["skills/x/service.json", undefined],
      ["skills/x/SKILL.md", undefined]
    ]
    for (const [path, rule] of cases) assert.strictEqual(Credentials.nameRule(path), rule, path)
  })

  it.effect("content rules: private keys, provider keys, auth lines, PKCS#12, assigned secrets", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string | Buffer, string]> = [
        ["skills/x/notes.md", `deploy with\n${Samples.ecPrivateKey}`, "private-key"],
        ["skills/x/key.txt.bak", Samples.pkcs8PrivateKey, "private-key"],
        ["skills/x/gcp.json", Samples.serviceAccountJson, "private-key"],
        ["skills/x/bundle.bin", Samples.pkcs12, "pkcs12"],
        ["skills/x/npm.md", `//registry.npmjs.org/:_authToken=abc123def456\n`, "npmrc-auth"],
        ["skills/x/npm.md", `_auth = "dXNlcjpwYXNzd29yZA=="\n`, "npmrc-auth"],
        ["skills/x/npm.md", `//npm.example.com/:_password=cGFzc3dvcmQ=\n`, "npmrc-auth"],
        ["skills/x/upload.md", `[pypi]\nusername = __token__\npassword = ${Samples.pypiToken}\n`, "pypi-token"],
        ["skills/x/a.md", `key: ${Samples.openaiKey}`, "openai"],
        ["skills/x/a.md", `key: ${Samples.anthropicKey}`, "anthropic"],
        ["skills/x/a.md", `git clone https://${Samples.githubToken}@github.com/o/r`, "github"],
        ["skills/x/a.md", `GH=${Samples.githubPat}`, "github"],
        ["skills/x/a.md", `aws configure set aws_access_key_id ${Samples.awsAccessKeyId}`, "aws"],
        ["skills/x/a.md", `"${Samples.npmToken}"`, "npm"],
        // a secretlint-disable comment does not hide a secret from us
        ["skills/x/a.js", `// secretlint-disable\nconst t = "${Samples.githubToken}"\n`, "github"],
        ["skills/x/config.toml", `[svc]\napi_key = "c0ffee-5ecret-4a7b9e21"\n`, "secret-assignment"],
        ["skills/x/config.yaml", `service:\n  auth_token: c0ffee5ecret4a7b9e21\n`, "secret-assignment"],
        ["skills/x/settings.json", `{ "clientSecret": "c0ffee5ecret4a7b9e21" }`, "secret-assignment"],
        ["skills/x/client.py", `API_KEY = "c0ffee5ecret4a7b9e21"\n`, "secret-assignment"],
        ["skills/x/setup.md", "```\nexport MY_SERVICE_TOKEN=c0ffee5ecret4a7b9e21\n```\n", "secret-assignment"],
        ["skills/x/setup.sh", `DB_PASSWORD=c0ffee5ecret4a7b9e21 ./migrate\n`, "secret-assignment"]
      ]
      for (const [path, content, rule] of cases) assert.strictEqual(yield* contentRule(path, content), rule, `${path}: ${content}`)
    }))

  it.effect("content rules: files that name, read or template secrets pass", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string | Buffer]> = [
        ["skills/x/config.toml", `api_key = ""\nenv_key = "OPENAI_API_KEY"\nmax_tokens = 4096\nprivate_key_id = "k1"\n`],
        ["skills/x/config.toml", `api_key = "OPENAI_API_KEY"\ntoken = "<your token>"\npassword = "changeme"\n`],
        ["skills/x/tokenizer.py", `pad_token = "[PAD]"\neos_token = "</s>"\napi_key = os.environ["OPENAI_API_KEY"]\n`],
        ["skills/x/client.js", `const apiKey = process.env.OPENAI_API_KEY\nconst token = await getToken()\n`],
        ["skills/x/client.py", `if token == "c0ffee5ecret4a7b9e21": pass\n`],
        ["skills/x/run.sh", `export OPENAI_API_KEY="\${OPENAI_API_KEY:?}"\nTOKEN=$(cat ~/.token)\nexport SECRET=\n`],
        ["skills/x/workflow.yml", "token: ${{ secrets.GITHUB_TOKEN }}\npassword: ''\n"],
        ["skills/x/README.md", "Put your api_key in the environment: `export OPENAI_API_KEY=sk-...`; the password is asked once.\n"],
        ["skills/x/npm.md", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"],
        ["skills/x/key.md", "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n"],
        ["skills/x/logo.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])],
        // a DER file that is not PKCS#12 (an X.509 certificate starts SEQUENCE, SEQUENCE)
        ["skills/x/cert.der", Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x30, 0x82, 0x00, 0xf0, 0xa0, 0x03, 0x02, 0x01, 0x02])]
      ]
      for (const [path, content] of cases) assert.isUndefined(yield* contentRule(path, content), `${path}: ${content}`)
    }))

  it.effect(`only the first ${Credentials.CHECKED_BYTES} bytes are checked`, () =>
    Effect.gen(function*() {
      const filler = "x = 1\n".repeat(Math.ceil(Credentials.CHECKED_BYTES / 6))
      assert.strictEqual(yield* contentRule("skills/x/big.py", Samples.pkcs8PrivateKey + filler), "private-key")
      assert.isUndefined(yield* contentRule("skills/x/big.py", filler + Samples.pkcs8PrivateKey))
    }))
})
