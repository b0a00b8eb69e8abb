/**
 * Made-up secrets in the shapes the rules look for, built at run time from a seeded generator
 * (no secret-shaped literal sits in this source for a repository's secret scanning to flag).
 * Each sample is a context (a line as it would appear in a transcript) and the secret in it:
 * the range a finding must have is where the secret is in the context.
 */
import { generateKeyPairSync } from "node:crypto"

/** mulberry32: the same strings on every run */
export const generator = (seed: number) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pick = (alphabet: string, length: number) => {
    let out = ""
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)]
    return out
  }
  return { next, pick }
}

export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
export const B64URL = ALNUM + "_-"
export const B64 = ALNUM + "+/"
export const HEX = "0123456789abcdef"
export const UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
export const DIGITS = "0123456789"
const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l".toUpperCase()

const { pick } = generator(18)

/** a random string of `length` that mixes letters and digits (so that entropy checks pass) */
const mixed = (alphabet: string, length: number): string => {
  for (;;) {
    const candidate = pick(alphabet, length)
    if (/[0-9]/.test(candidate) && /[a-z]/.test(candidate) && /[A-Z]/.test(candidate)) return candidate
  }
}

const base64url = (text: string) => Buffer.from(text).toString("base64url")

const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`

const wrap = (base64: string) => base64.match(/.{1,64}/g)!.join("\n")

/** the body of a PEM block (between the BEGIN and END lines) */
const body = (block: string) => block.split("\n").filter((line) => !line.startsWith("-----")).join("\n")

const ec = generateKeyPairSync("ec", { namedCurve: "P-256" })
const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 })

/** a throwaway EC P-256 key, SEC1 PEM: a small key, body `MH…` */
export const ecPrivateKey = ec.privateKey.export({ type: "sec1", format: "pem" }).toString().trim()
/** the same key as PKCS#8 */
export const pkcs8PrivateKey = ec.privateKey.export({ type: "pkcs8", format: "pem" }).toString().trim()
/** an RSA key, PKCS#1 */
export const rsaPrivateKey = rsa.privateKey.export({ type: "pkcs1", format: "pem" }).toString().trim()
/** an OpenSSH key's shape (Node cannot write the format): magic, then random base64 */
export const opensshPrivateKey = pem(
  "OPENSSH " + "PRIVATE KEY",
  wrap(Buffer.from("openssh-key-v1\0").toString("base64").replace(/=+$/, "") + pick(B64, 300))
)

export interface Sample {
  /** the kind the finding must have */
  readonly kind: string
  /** a line as a transcript would hold it */
  readonly context: string
  /** the secret in it: the finding's range */
  readonly secret: string
}

const sample = (kind: string, secret: string, around: (secret: string) => string = (s) => `the value is ${s} here`): Sample => ({
  kind,
  secret,
  context: around(secret)
})

const jwtOf = (header: object, payload: object) =>
  `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${pick(B64URL, 43)}`

/** a 1Password service account token: `ops_` and base64 of a JSON object ending in `fQ==` */
const onePassword = () => {
  let json = JSON.stringify({ email: `${pick(HEX, 12)}@1passwordserviceaccounts.lcl`, secretKey: pick(ALNUM, 40), srpX: pick(HEX, 64) })
  while (json.length % 3 !== 1) json = json.replace("{", "{ ")
  return `ops_${Buffer.from(json).toString("base64")}`
}

/** One sample per kind (several for kinds with several shapes). */
export const samples: ReadonlyArray<Sample> = [
  sample("openai", `sk-proj-${mixed(B64URL, 74)}T3BlbkFJ${mixed(B64URL, 74)}`),
  sample("openai", `sk-proj-${mixed(B64URL, 124)}`),
  sample("anthropic", `sk-ant-api03-${mixed(B64URL, 93)}AA`),
  sample("anthropic", `sk-ant-oat01-${mixed(B64URL, 95)}`),
  sample("github", `ghp_${mixed(ALNUM, 36)}`),
  sample("github", `github_pat_${mixed(ALNUM, 82)}`),
  sample("gitlab", `glpat-${mixed(B64URL, 20)}`),
  sample("gitlab", `gldt-${mixed(B64URL, 20)}`),
  sample("aws", `AKIA${pick(UPPER_DIGITS, 16)}`),
  sample("aws", mixed(B64, 40), (s) => `aws_secret_access_key = ${s}`),
  sample("gcp", `AIza${mixed(B64URL, 35)}`),
  sample("slack", `xoxb-${pick(DIGITS, 11)}-${pick(DIGITS, 12)}-${mixed(ALNUM, 24)}`),
  sample("npm", `npm_${mixed(ALNUM, 36)}`),
  sample("private-key", ecPrivateKey, (s) => `deploy with\n${s}\nand go`),
  sample("private-key", pkcs8PrivateKey),
  sample("private-key", rsaPrivateKey),
  sample("private-key", opensshPrivateKey),
  sample("database-url", `${mixed(ALNUM, 12)}9`, (s) => `DATABASE=postgres://app:${s}@db.internal:5432/app`),
  sample("database-url", mixed(ALNUM, 16), (s) => `mongo "mongodb+srv://admin:${s}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true"`),
  sample("database-url", mixed(ALNUM, 16), (s) => `redis-cli -u redis://:${s}@cache.internal:6379/0`),
  sample("database-url", mixed(ALNUM, 16), (s) => `broker: amqps://worker:${s}@mq.internal:5671/vhost`),
  sample("database-url", mixed(ALNUM, 16), (s) => `jdbc:mysql://root:${s}@10.0.0.5:3306/shop`),
  sample("url-password", mixed(ALNUM, 16), (s) => `git remote add origin https://deploy:${s}@git.example.org/team/repo.git`),
  sample("sendgrid", `SG.${mixed(B64URL.replace("-", ""), 22)}.${mixed(B64URL.replace("-", ""), 43)}`),
  sample("shopify", `shpat_${pick(HEX, 32)}`),
  sample("grafana", `glsa_${mixed(ALNUM, 32)}_${pick(HEX, 8)}`),
  sample("groq", `gsk_${mixed(ALNUM, 52)}`),
  sample("huggingface", `hf_${pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)}`),
  sample("linear", `lin_api_${mixed(ALNUM, 40)}`),
  sample("notion", `ntn_${pick(DIGITS, 11)}${mixed(ALNUM, 35)}`),
  sample("1password", onePassword()),
  sample("hashicorp-vault", `hvs.${mixed(B64URL, 95)}`),
  sample("vercel", `vcp_${mixed(ALNUM, 24)}`),
  sample("databricks", `dapi${pick(HEX, 32)}`),
  sample("docker", `dckr_pat_${mixed(B64URL, 27)}`),
  sample("figma", `figd_${mixed(B64URL, 40)}`),
  sample("stripe", `sk_live_${mixed(ALNUM, 24)}`),
  sample("stripe", `rk_test_${mixed(ALNUM, 99)}`),
  sample("stripe", `whsec_${mixed(ALNUM, 32)}`),
  sample("azure", `${mixed(B64, 86)}==`, (s) => `DefaultEndpointsProtocol=https;AccountName=acct1;AccountKey=${s};EndpointSuffix=core.windows.net`),
  sample(
    "azure",
    `${mixed(ALNUM, 40)}%2B${pick(ALNUM, 2)}%3D`,
    (s) => `curl "https://acct1.blob.core.windows.net/c/b.txt?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig=${s}"`
  ),
  sample("azure", `${pick(ALNUM, 3)}8Q~${mixed(B64URL, 34)}`, (s) => `AZURE_CLIENT_SECRET: ${s}`),
  sample("google-oauth", `GOCSPX-${mixed(B64URL, 28)}`),
  sample("google-oauth", `ya29.${mixed(B64URL, 120)}`),
  sample("jwt", jwtOf({ alg: "HS256", typ: "JWT" }, { sub: "1234567890", name: "A Person", iat: 1516239022 }), (s) => `Authorization: Bearer ${s}`),
  sample("telegram-bot", `${pick(DIGITS.slice(1), 1)}${pick(DIGITS, 9)}:AA${mixed(B64URL, 33)}`),
  sample("digitalocean", `dop_v1_${pick(HEX, 64)}`),
  sample("twilio", `SK${pick(HEX, 32)}`),
  sample("pypi", `pypi-AgEIcHlwaS5vcmc${mixed(B64URL, 60)}`),
  sample("npmrc-auth", mixed(ALNUM, 36), (s) => `//registry.npmjs.org/:_authToken=${s}`),
  sample("openrouter", `sk-or-v1-${pick(HEX, 64)}`),
  sample("discord", mixed(B64URL, 68), (s) => `https://discord.com/api/webhooks/${pick(DIGITS, 18)}/${s}`),
  sample("age", `AGE-SECRET-KEY-1${pick(BECH32, 58)}`),
  sample("dotenv", mixed(ALNUM, 40), (s) => `BILLING_UPSTREAM=${s}`),
  sample("dotenv", mixed(B64, 44), (s) => `  export CI_SIGNING_MATERIAL="${s}"`),
  sample("secret-assignment", `${mixed(ALNUM, 10)}7`, (s) => `{"api_key": "${s}", "region": "eu-west-1"}`),
  sample("secret-assignment", `hunter2${mixed(ALNUM, 6)}`, (s) => `DB_PASSWORD=${s}`),
  sample("secret-assignment", `${mixed(ALNUM, 24)}`, (s) => `  client_secret: ${s}`)
]

/** a private key whose END line was cut off (a tool showed the file in part) */
export const cutPrivateKey = pkcs8PrivateKey.split("\n").slice(0, -2).join("\n")

export { body }
