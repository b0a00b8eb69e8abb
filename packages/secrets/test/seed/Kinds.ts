/**
 * One generator per kind of secret, each making a value of the shape its provider issues (the
 * shapes secretlint preset-recommend 12.0.0 and the providers' docs describe: prefixes, lengths,
 * alphabets, checksums, real keys and signatures), and what a detector must cover in it.
 */
import { createHash, type KeyObject } from "node:crypto"
import * as Keys from "./Keys.js"
import * as Rng from "./Rng.js"
import { ALNUM_LOWER, BASE62, BASE64URL, DIGITS, HEX, LETTERS, UPPER_ALNUM } from "./Rng.js"

/** how a value can sit in text: a bare token, a URL, or a block of lines (a file's content) */
export type Shape = "token" | "url" | "block"

export interface Secret {
  readonly kind: string
  /** finding kinds that count as this kind (loose: by family) */
  readonly family: RegExp
  /** the text planted (token, URL, or whole block) */
  readonly value: string
  /**
   * What a finding must cover and redaction must remove: the whole value, or its sensitive part
   * (a URL's password, a PEM's base64 lines). No JSON-escapable characters, so each part reads
   * the same in a raw line and inside a JSON string (even a JSON string inside a JSON string).
   */
  readonly parts: ReadonlyArray<string>
  readonly shape: Shape
  /** the environment variable it is usually kept in */
  readonly envName: string
  /** a command that uses it (tool input), when the kind has one */
  readonly command?: string
  /** the file it usually lives in, when it is a block */
  readonly file?: string
  /** how tools print it, when not as `envName=value` (`cat ~/.aws/credentials`, `git config -l`) */
  readonly output?: string
}

export interface Kind {
  readonly kind: string
  readonly family: RegExp
  /** `round`: how many of this kind were made before (a kind with variants makes each in turn) */
  readonly make: (rng: Rng.Rng, round?: number) => Secret
}

// ── checksums and helpers ──────────────────────────────────────────────────────────────────

const CRC_TABLE: ReadonlyArray<number> = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

/** CRC-32 (IEEE), as GitHub's token checksum uses */
export const crc32 = (text: string): number => {
  let c = 0xffffffff
  for (const byte of Buffer.from(text, "utf8")) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

export const base62 = (n: number, width: number): string => {
  let s = ""
  let v = n
  while (v > 0) {
    s = BASE62[v % 62] + s
    v = Math.floor(v / 62)
  }
  return s.padStart(width, "0")
}

const uuid = (rng: Rng.Rng): string => {
  const h = rng.bytes(16).toString("hex")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const token = (
  kind: string,
  family: RegExp,
  envName: string,
  value: (rng: Rng.Rng) => string,
  command?: (v: string) => string
): Kind => ({
  kind,
  family,
  make: (rng) => {
    const v = value(rng)
    return { kind, family, value: v, parts: [v], shape: "token", envName, ...(command ? { command: command(v) } : {}) }
  }
})

/** base64url characters, the last one alphanumeric (a trailing `-` would end the token at a word boundary) */
const b64u = (rng: Rng.Rng, n: number): string => rng.chars(BASE64URL, n - 1) + rng.chars(BASE62, 1)

const bearer = (url: string) => (v: string) => `curl -sS ${url} -H "Authorization: Bearer ${v}"`
const header = (name: string, url: string) => (v: string) => `curl -sS -H "${name}: ${v}" ${url}`

const pemLines = (pem: string): Array<string> =>
  pem.split("\n").filter((line) => line !== "" && !line.startsWith("-----"))

// RSA keys take ~0.5 s each: a pool of four (made on first use, the same on every run), each
// planted RSA key a seeded choice among them
const RSA_POOL = 4
const rsaPool = new Map<number, KeyObject>()
const rsaKey = (rng: Rng.Rng): KeyObject => {
  const i = rng.int(RSA_POOL)
  const key = rsaPool.get(i) ?? Keys.rsa(Rng.make(`sessionport-secrets-rsa-${i}`))
  rsaPool.set(i, key)
  return key
}

const pem = (kind: string, file: string, make: (rng: Rng.Rng) => string): Kind => ({
  kind,
  family: /private|pem|key/i,
  make: (rng) => {
    const value = make(rng)
    return {
      kind,
      family: /private|pem|key/i,
      value,
      parts: pemLines(value),
      shape: "block",
      envName: "SSH_PRIVATE_KEY",
      file,
      command: `cat > ${file} <<'EOF'\n${value.trimEnd()}\nEOF\nchmod 600 ${file}`
    }
  }
})

const dbPassword = (rng: Rng.Rng) => rng.chars(BASE62, rng.between(14, 24)) + rng.pick(["", "-", "_", "!", "*"]) + rng.chars(BASE62, 4)

const db = (kind: string, scheme: string, envName: string, host: (rng: Rng.Rng) => string, tool: (url: string) => string): Kind => ({
  kind,
  family: /database|postgres|mysql|mongo|url|basic|connection/i,
  make: (rng) => {
    const user = rng.pick(["app", "svc_api", "analytics", "billing_rw", "deploy"])
    const password = dbPassword(rng)
    const value = `${scheme}://${user}:${password}@${host(rng)}`
    return { kind, family: /database|postgres|mysql|mongo|url|basic|connection/i, value, parts: [password], shape: "url", envName, command: tool(value) }
  }
})

// ── the kinds ──────────────────────────────────────────────────────────────────────────────

const githubClassic = (rng: Rng.Rng, prefix: string) => {
  const random = rng.chars(BASE62, 30)
  return `${prefix}_${random}${base62(crc32(random), 6)}`
}

const onePasswordToken = (rng: Rng.Rng): string => {
  const json = {
    signInAddress: `${rng.pick(["acme", "globex", "initech"])}.1password.com`,
    userAuth: { method: "SRPg-4096", alg: "PBES2g-HS256", iterations: 650000, salt: rng.bytes(16).toString("base64url") },
    email: `${rng.chars(ALNUM_LOWER, 13)}@1passwordserviceaccounts.com`,
    srpX: rng.bytes(32).toString("hex"),
    muk: { alg: "A256GCM", ext: true, k: rng.bytes(32).toString("base64url"), key_ops: ["encrypt", "decrypt"], kty: "oct", kid: "mp" },
    secretKey: `A3-${rng.chars(UPPER_ALNUM, 6)}-${rng.chars(UPPER_ALNUM, 6)}-${rng.chars(UPPER_ALNUM, 5)}-${rng.chars(UPPER_ALNUM, 5)}-${rng.chars(UPPER_ALNUM, 5)}-${rng.chars(UPPER_ALNUM, 5)}`,
    throttleSecret: { seed: rng.bytes(32).toString("hex"), uuid: uuid(rng) },
    deviceUid: rng.chars(ALNUM_LOWER, 26),
    pad: ""
  }
  // base64 of a JSON text ends in `fQ==` (1Password's shape) when its length is 1 mod 3
  while (JSON.stringify(json).length % 3 !== 1) json.pad += "x"
  return `ops_${Buffer.from(JSON.stringify(json), "utf8").toString("base64")}`
}

const pypiToken = (rng: Rng.Rng): string => {
  // a macaroon (v2 binary): location "pypi.org", identifier, caveats, signature
  const field = (type: number, data: Buffer) => Buffer.concat([Buffer.from([type, data.length]), data])
  const macaroon = Buffer.concat([
    Buffer.from([0x02]),
    field(0x01, Buffer.from("pypi.org")),
    field(0x02, Buffer.from(uuid(rng))),
    Buffer.from([0x00, 0x00]),
    field(0x02, Buffer.from(JSON.stringify({ version: 1, permissions: "user" }))),
    Buffer.from([0x00, 0x00, 0x06, 0x20]),
    rng.bytes(32)
  ])
  return `pypi-${macaroon.toString("base64url")}`
}

const gcpServiceAccount: Kind = {
  kind: "gcp-service-account",
  family: /gcp|google|private|key/i,
  make: (rng) => {
    const project = `${rng.pick(["acme", "orbit", "lumen", "delta"])}-${rng.pick(["prod", "staging", "data"])}-${rng.between(100000, 999999)}`
    const name = rng.pick(["deployer", "ci-runner", "bigquery-reader", "storage-admin"])
    const key = rsaKey(rng)
    const privateKey = key.export({ format: "pem", type: "pkcs8" }).toString()
    const sa = {
      type: "service_account",
      project_id: project,
      private_key_id: rng.bytes(20).toString("hex"),
      private_key: privateKey,
      client_email: `${name}@${project}.iam.gserviceaccount.com`,
      client_id: rng.chars(DIGITS, 21),
      auth_uri: "https://accounts.google.com/o/oauth2/auth",
      token_uri: "https://oauth2.googleapis.com/token",
      auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${name}%40${project}.iam.gserviceaccount.com`,
      universe_domain: "googleapis.com"
    }
    const value = JSON.stringify(sa, null, 2) + "\n"
    return {
      kind: "gcp-service-account",
      family: /gcp|google|private|key/i,
      value,
      parts: pemLines(privateKey),
      shape: "block",
      envName: "GOOGLE_APPLICATION_CREDENTIALS_JSON",
      file: `${name}-key.json`,
      command: `cat > ${name}-key.json <<'EOF'\n${value.trimEnd()}\nEOF\ngcloud auth activate-service-account --key-file=${name}-key.json`
    }
  }
}

const aws: Kind = {
  kind: "aws",
  family: /aws/i,
  make: (rng) => {
    const id = `${rng.pick(["AKIA", "AKIA", "ASIA"])}${rng.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`
    const secret = rng.chars(BASE62 + "+/", 40)
    const region = rng.pick(["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"])
    return {
      kind: "aws",
      family: /aws/i,
      value: `AWS_ACCESS_KEY_ID=${id}\nAWS_SECRET_ACCESS_KEY=${secret}\nAWS_DEFAULT_REGION=${region}`,
      parts: [secret],
      shape: "block",
      envName: "AWS_SECRET_ACCESS_KEY",
      file: ".aws/credentials",
      output: `[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${secret}\nregion = ${region}\n`,
      command: `export AWS_ACCESS_KEY_ID=${id} AWS_SECRET_ACCESS_KEY=${secret} && aws s3 ls s3://${rng.pick(["acme-backups", "orbit-logs"])}/`
    }
  }
}

const azureStorage: Kind = {
  kind: "azure-storage",
  family: /azure/i,
  make: (rng) => {
    const account = `${rng.pick(["acme", "orbit", "lumen"])}${rng.pick(["prod", "data", "logs"])}${rng.chars(DIGITS, 3)}`
    const key = rng.bytes(64).toString("base64")
    const value = `DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=${key};EndpointSuffix=core.windows.net`
    return {
      kind: "azure-storage",
      family: /azure/i,
      value,
      parts: [key],
      shape: "token",
      envName: "AZURE_STORAGE_CONNECTION_STRING",
      command: `az storage blob list --container-name backups --connection-string "${value}" -o table`
    }
  }
}

const azureAdSecret: Kind = {
  kind: "azure-ad-secret",
  family: /azure/i,
  make: (rng) => {
    const value = `${rng.chars(BASE62, 3)}${rng.chars(DIGITS, 1)}Q~${rng.chars(BASE62 + "_~.-", 34)}`
    return {
      kind: "azure-ad-secret",
      family: /azure/i,
      value,
      parts: [value],
      shape: "token",
      envName: "AZURE_CLIENT_SECRET",
      command: `az login --service-principal -u ${uuid(rng)} -p '${value}' --tenant ${uuid(rng)}`
    }
  }
}

const slackWebhook: Kind = {
  kind: "slack-webhook",
  family: /slack/i,
  make: (rng) => {
    const last = rng.chars(BASE62, 24)
    const value = `https://hooks.slack.com/services/T${rng.chars(UPPER_ALNUM, 10)}/B${rng.chars(UPPER_ALNUM, 10)}/${last}`
    return {
      kind: "slack-webhook",
      family: /slack/i,
      value,
      parts: [last],
      shape: "url",
      envName: "SLACK_WEBHOOK_URL",
      command: `curl -X POST -H 'Content-type: application/json' --data '{"text":"deploy finished"}' ${value}`
    }
  }
}

const basicAuthUrl: Kind = {
  kind: "url-password",
  family: /basic|url|password|auth/i,
  make: (rng) => {
    const password = rng.chars(BASE62, rng.between(16, 28))
    const user = rng.pick(["deploy", "ci-bot", "builder", "mirror"])
    const host = rng.pick(["git.acme-corp.io", "registry.orbit-labs.dev", "nexus.lumen.systems"])
    const value = `https://${user}:${password}@${host}/acme/app.git`
    return {
      kind: "url-password",
      family: /basic|url|password|auth/i,
      value,
      parts: [password],
      shape: "url",
      envName: "GIT_REMOTE_URL",
      command: `git clone ${value} /tmp/app`,
      output: `core.repositoryformatversion=0\ncore.bare=false\nremote.origin.url=${value}\nremote.origin.fetch=+refs/heads/*:refs/remotes/origin/*\nbranch.main.remote=origin\n`
    }
  }
}

const dotenvValue = (rng: Rng.Rng, variant: number): string => {
  switch (variant % 4) {
    case 0:
      return rng.bytes(32).toString("base64") // openssl rand -base64 32
    case 1:
      return rng.chars("abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)", 50) // django's get_random_secret_key
    case 2:
      return rng.bytes(32).toString("hex") // openssl rand -hex 32: hex, but its name says secret
    default:
      return rng.chars(BASE62, 40)
  }
}

const dotenv: Kind = {
  kind: "dotenv",
  family: /./,
  make: (rng, round = rng.int(4)) => {
    const envName = rng.pick([
      "SESSION_SECRET",
      "APP_SECRET",
      "ENCRYPTION_KEY",
      "NEXTAUTH_SECRET",
      "JWT_SIGNING_KEY",
      "COOKIE_SECRET",
      "WEBHOOK_SIGNING_SECRET",
      "DJANGO_SECRET_KEY",
      "SECRET_KEY_BASE",
      "MASTER_KEY"
    ])
    const value = dotenvValue(rng, round)
    return { kind: "dotenv", family: /./, value, parts: [value], shape: "token", envName }
  }
}

const withOutput = (base: Kind, output: (s: Secret) => string): Kind => ({
  ...base,
  make: (rng) => {
    const s = base.make(rng)
    return { ...s, output: output(s) }
  }
})

export const KINDS: ReadonlyArray<Kind> = [
  token("openai", /openai/i, "OPENAI_API_KEY", (r) => `sk-proj-${b64u(r, 74)}T3BlbkFJ${b64u(r, 74)}`, bearer("https://api.openai.com/v1/models")),
  token("anthropic", /anthropic/i, "ANTHROPIC_API_KEY", (r) => `sk-ant-api03-${r.chars(BASE64URL, 93)}AA`, (v) =>
    `curl -sS https://api.anthropic.com/v1/messages -H "x-api-key: ${v}" -H "anthropic-version: 2023-06-01" -H "content-type: application/json" -d '{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"ping"}]}'`),
  withOutput(
    token("github", /github/i, "GITHUB_TOKEN", (r) => githubClassic(r, r.pick(["ghp", "ghp", "gho", "ghs"])), (v) => `curl -sS -H "Authorization: token ${v}" https://api.github.com/user`),
    (s) => `core.editor=vim\nremote.origin.url=https://x-access-token:${s.value}@github.com/acme/app.git\nbranch.main.remote=origin\n`
  ),
  token("github-fine-grained", /github/i, "GH_TOKEN", (r) => `github_pat_11${r.chars(UPPER_ALNUM, 20)}_${r.chars(BASE62, 59)}`, (v) => `gh auth login --with-token <<< ${v} && gh repo list acme`),
  withOutput(
    token("gitlab", /gitlab/i, "GITLAB_TOKEN", (r) => `glpat-${b64u(r, 20)}`, header("PRIVATE-TOKEN", "https://gitlab.com/api/v4/projects?owned=true")),
    (s) => `user.name=Dev\nremote.origin.url=https://oauth2:${s.value}@gitlab.com/acme/api.git\nremote.origin.fetch=+refs/heads/*:refs/remotes/origin/*\n`
  ),
  aws,
  gcpServiceAccount,
  token("gcp-api-key", /gcp|google/i, "GOOGLE_API_KEY", (r) => `AIza${b64u(r, 35)}`, (v) => `curl -sS "https://maps.googleapis.com/maps/api/geocode/json?address=Berlin&key=${v}"`),
  token("google-oauth-secret", /google|gcp|oauth/i, "GOOGLE_CLIENT_SECRET", (r) => `GOCSPX-${b64u(r, 28)}`),
  azureStorage,
  azureAdSecret,
  token("slack", /slack/i, "SLACK_BOT_TOKEN", (r) => `xoxb-${r.chars(DIGITS, 12)}-${r.chars(DIGITS, 13)}-${r.chars(BASE62, 24)}`, bearer("https://slack.com/api/auth.test")),
  slackWebhook,
  token("stripe", /stripe/i, "STRIPE_SECRET_KEY", (r) => `sk_live_51${r.chars(BASE62, r.pick([22, 97]))}`, (v) => `curl -sS https://api.stripe.com/v1/charges?limit=3 -u ${v}:`),
  token("sendgrid", /sendgrid/i, "SENDGRID_API_KEY", (r) => `SG.${r.chars(BASE62 + "_", 22)}.${r.chars(BASE62 + "_", 43)}`, bearer("https://api.sendgrid.com/v3/scopes")),
  withOutput(
    token("npm", /npm/i, "NPM_TOKEN", (r) => `npm_${r.chars(BASE62, 36)}`, (v) => `npm config set //registry.npmjs.org/:_authToken=${v} && npm publish --access public`),
    (s) => `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${s.value}\n`
  ),
  token("huggingface", /hugging|hf/i, "HF_TOKEN", (r) => `hf_${r.chars(LETTERS, 34)}`, bearer("https://huggingface.co/api/whoami-v2")),
  pem("private-key-rsa", "deploy_rsa.pem", (r) => rsaKey(r).export({ format: "pem", type: "pkcs1" }).toString()),
  pem("private-key-ec", "server-ec.key", (r) => Keys.ecP256(r).export({ format: "pem", type: "sec1" }).toString()),
  pem("private-key-openssh", "id_ed25519", (r) => Keys.openSshEd25519(r, `${r.pick(["dev", "ci", "deploy"])}@${r.pick(["laptop", "build-01", "bastion"])}`)),
  pem("private-key-pkcs8", "tls.key", (r) => rsaKey(r).export({ format: "pem", type: "pkcs8" }).toString()),
  token("jwt", /jwt/i, "API_ACCESS_TOKEN", (r) => {
    const iat = 1_790_000_000 + r.int(10_000_000)
    return Keys.jwtHs256({ sub: uuid(r), email: `${r.pick(["ana", "li", "sam", "kim"])}@acme-corp.io`, role: r.pick(["admin", "service", "user"]), iat, exp: iat + 3600 }, r.bytes(32))
  }, bearer("https://api.acme-corp.io/v1/me")),
  db("postgres-url", "postgres", "DATABASE_URL", (r) => `${r.pick(["db.acme-corp.io", "pg-prod.internal", "ep-cool-sky-123456.eu-central-1.aws.neon.tech"])}:5432/${r.pick(["app", "billing", "analytics"])}`, (u) => `psql "${u}" -c '\\dt'`),
  db("mysql-url", "mysql", "MYSQL_URL", (r) => `${r.pick(["mysql.acme-corp.io", "aws.connect.psdb.cloud", "10.0.3.17"])}:3306/${r.pick(["shop", "wp", "crm"])}`, (u) => `DATABASE_URL="${u}" npx prisma migrate deploy`),
  db("mongodb-url", "mongodb+srv", "MONGODB_URI", (r) => `${r.pick(["cluster0", "prod", "analytics"])}.${r.chars(ALNUM_LOWER, 5)}.mongodb.net/${r.pick(["app", "events"])}?retryWrites=true&w=majority`, (u) => `mongosh "${u}" --eval 'db.stats()'`),
  dotenv,
  withOutput(
    token("pypi", /pypi/i, "TWINE_PASSWORD", pypiToken, (v) => `twine upload -u __token__ -p ${v} dist/*`),
    (s) => `[distutils]\nindex-servers =\n    pypi\n\n[pypi]\n  username = __token__\n  password = ${s.value}\n`
  ),
  token("telegram", /telegram/i, "TELEGRAM_BOT_TOKEN", (r) => `${r.between(1, 7)}${r.chars(DIGITS, 9)}:AA${b64u(r, 33)}`, (v) => `curl -sS https://api.telegram.org/bot${v}/getMe`),
  token("digitalocean", /digitalocean/i, "DIGITALOCEAN_TOKEN", (r) => `dop_v1_${r.chars(HEX, 64)}`, bearer("https://api.digitalocean.com/v2/account")),
  token("databricks", /databricks/i, "DATABRICKS_TOKEN", (r) => `dapi${r.chars(HEX, 32)}`, bearer("https://adb-4718193365781212.12.azuredatabricks.net/api/2.0/clusters/list")),
  token("vault", /vault|hashicorp/i, "VAULT_TOKEN", (r) => `hvs.CAESI${b64u(r, 90)}`, header("X-Vault-Token", "https://vault.acme-corp.io:8200/v1/secret/data/app")),
  token("twilio", /twilio/i, "TWILIO_API_KEY", (r) => `SK${r.chars(HEX, 32)}`),
  token("linear", /linear/i, "LINEAR_API_KEY", (r) => `lin_api_${r.chars(BASE62, 40)}`, (v) => `curl -sS https://api.linear.app/graphql -H "Authorization: ${v}" -H "Content-Type: application/json" -d '{"query":"{ viewer { id } }"}'`),
  token("notion", /notion/i, "NOTION_TOKEN", (r) => `ntn_${r.chars(DIGITS, 11)}${r.chars(BASE62, 35)}`, bearer("https://api.notion.com/v1/users/me")),
  token("shopify", /shopify/i, "SHOPIFY_ACCESS_TOKEN", (r) => `shpat_${r.chars(HEX, 32)}`, header("X-Shopify-Access-Token", "https://acme-store.myshopify.com/admin/api/2024-10/shop.json")),
  token("grafana", /grafana/i, "GRAFANA_SERVICE_ACCOUNT_TOKEN", (r) => `glsa_${r.chars(BASE62, 32)}_${r.chars(HEX, 8)}`, bearer("https://acme.grafana.net/api/dashboards/home")),
  token("groq", /groq/i, "GROQ_API_KEY", (r) => `gsk_${r.chars(BASE62, 52)}`, bearer("https://api.groq.com/openai/v1/models")),
  token("vercel", /vercel/i, "VERCEL_TOKEN", (r) => `vcp_${r.chars(BASE62, 24)}`, (v) => `vercel deploy --prod --token ${v}`),
  token("docker", /docker/i, "DOCKER_PAT", (r) => `dckr_pat_${b64u(r, 27)}`, (v) => `echo ${v} | docker login -u acmeci --password-stdin`),
  token("figma", /figma/i, "FIGMA_TOKEN", (r) => `figd_${b64u(r, 40)}`, header("X-Figma-Token", "https://api.figma.com/v1/me")),
  token("1password", /1password|onepassword/i, "OP_SERVICE_ACCOUNT_TOKEN", onePasswordToken, (v) => `export OP_SERVICE_ACCOUNT_TOKEN=${v} && op vault list`),
  basicAuthUrl
]

/** SHA-256 (hex) of a secret's value: what the truth file keeps instead of the value */
export const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex")
