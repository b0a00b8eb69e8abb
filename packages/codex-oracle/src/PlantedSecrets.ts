/**
 * Secrets planted where coding sessions really hold them, for the end-to-end tests of redaction
 * (issue 18): a key pasted into a prompt, `.env` lines and a PEM private key in tool outputs, a
 * token in a command the model runs. The agents' own tools put them into their transcripts: each
 * test writes {@link projectFiles} into a project, types {@link prompts} and scripts its model to
 * run {@link commands}.
 *
 * The expected placeholders are computed here from the planted text alone
 * (`[REDACTED:<kind>:<first 8 hex of its SHA-256>]`), never by the code under test. Secrets are
 * put together at run time (see SecretSamples), so no secret-shaped literal sits in this source.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import * as tar from "tar-stream"
import * as Samples from "./SecretSamples.js"

/**
 * One planted secret: the fragments that must never appear once it is redacted (each free of
 * characters JSON escapes, so they are found in any JSON nesting), and the placeholders a
 * redaction of it may leave (kind, and the exact text the placeholder stands for: the rule
 * decides whether a `.env` value or a URL's password is the secret).
 *
 * @since 0.1.0
 * @category models
 */
export interface Planted {
  readonly name: string
  readonly needles: ReadonlyArray<string>
  readonly redactions: ReadonlyArray<readonly [kind: string, text: string]>
}

/** The first 8 hex digits of the SHA-256 of `text`. @since 0.1.0 @category constructors */
export const hash8 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex").slice(0, 8)

/** `[REDACTED:<kind>:<h8>]` of `text`. @since 0.1.0 @category constructors */
export const placeholder = (kind: string, text: string): string => `[REDACTED:${kind}:${hash8(text)}]`

/** The placeholders of `planted` that occur in `text`. @since 0.1.0 @category queries */
export const placeholdersIn = (text: string, planted: Planted): ReadonlyArray<string> =>
  planted.redactions.map(([kind, secret]) => placeholder(kind, secret)).filter((p) => text.includes(p))

// A long key is also looked for by its start: a copy cut short (a title, a `last-prompt`) leaks too.
const plant = (name: string, kinds: ReadonlyArray<string>, secret: string): Planted => ({
  name,
  needles: secret.length > 40 ? [secret, secret.slice(0, 24)] : [secret],
  redactions: kinds.map((kind) => [kind, secret] as const)
})

// ---- the values (made up; shaped as the rules expect)

const databasePassword = "Vq7rT2pLx9" + "zKw4mN8s"
const databaseUrl = `postgres://app:${databasePassword}@db.internal:5432/app`
const stripeKey = "sk_" + "live_" + "51Hx9QmA2bR7tLk3Wp8Zs6Vn" + "Yd4Ce0Fg"
const sessionSecret = "Jx8fQ2mVz7Lk3Pw" + "R9tYb6NcH4sDg1KqE"
const awsSecretKey = "Zq3vN8xR2mL5tB7w" + "K9pD4fH6jS1aC0eYgU2iO8nQ"

/**
 * The project's `.env`, as `cat .env` prints it: one harmless line, five secrets.
 *
 * @since 0.1.0
 * @category samples
 */
export const envFile = [
  "# local settings",
  "APP_ENV=development",
  `DATABASE_URL=${databaseUrl}`,
  `STRIPE_SECRET_KEY=${stripeKey}`,
  `SESSION_SECRET=${sessionSecret}`,
  `AWS_ACCESS_KEY_ID=${Samples.awsAccessKeyId}`,
  `AWS_SECRET_ACCESS_KEY=${awsSecretKey}`,
  ""
].join("\n")

/**
 * The PEM private key of `deploy/id_ec.pem` (SecretSamples' EC key).
 *
 * @since 0.1.0
 * @category samples
 */
export const pem = Samples.ecPrivateKey

const pemBlock = pem.trimEnd()

/** @since 0.1.0 @category samples */
export const secrets = {
  /** An OpenAI key pasted into the first prompt. */
  pastedKey: plant("openai key in the prompt", ["openai"], Samples.openaiKey),
  /** `.env` lines in a tool output. */
  databasePassword: {
    name: "database password in .env",
    needles: [databasePassword],
    redactions: [["database-url", databasePassword], ["url-password", databasePassword], ["database-url", databaseUrl], [
      "dotenv",
      databaseUrl
    ]]
  } satisfies Planted,
  stripeKey: plant("stripe key in .env", ["stripe", "dotenv"], stripeKey),
  sessionSecret: plant("session secret in .env", ["dotenv", "secret-assignment"], sessionSecret),
  awsAccessKeyId: plant("aws key id in .env", ["aws", "dotenv"], Samples.awsAccessKeyId),
  awsSecretKey: plant("aws secret key in .env", ["aws", "dotenv"], awsSecretKey),
  /** A PEM private key in a tool output: every body line must go. */
  privateKey: {
    name: "PEM private key in a tool output",
    needles: pemBlock.split("\n").slice(1, -1),
    redactions: [["private-key", pemBlock], ["private-key", pem], ["privatekey", pemBlock]]
  } satisfies Planted,
  /** A GitHub token in a command the model runs. */
  githubToken: plant("github token in a command", ["github"], Samples.githubToken),
  /** An Anthropic key pasted into a later prompt (the turn a test continues with). */
  laterKey: plant("anthropic key in a later prompt", ["anthropic"], Samples.anthropicKey)
} as const

/** Every secret of the first turn (the session as it is first exported). @since 0.1.0 @category samples */
export const firstTurn: ReadonlyArray<Planted> = [
  secrets.pastedKey,
  secrets.databasePassword,
  secrets.stripeKey,
  secrets.sessionSecret,
  secrets.awsAccessKeyId,
  secrets.awsSecretKey,
  secrets.privateKey,
  secrets.githubToken
]

/** Every planted secret. @since 0.1.0 @category samples */
export const all: ReadonlyArray<Planted> = [...firstTurn, secrets.laterKey]

/**
 * What the user types: the first prompt pastes an OpenAI key, the later one an Anthropic key.
 *
 * @since 0.1.0
 * @category samples
 */
export const prompts = {
  first: `Set up the deploy config. Here is my OpenAI key: ${Samples.openaiKey} (keep it out of git).`,
  later: `Also wire up the Anthropic client; the key is ${Samples.anthropicKey}. Thanks!`
} as const

/** The prompts as a redacted package must carry them. @since 0.1.0 @category samples */
export const redactedPrompts = {
  first: prompts.first.replace(Samples.openaiKey, placeholder("openai", Samples.openaiKey)),
  later: prompts.later.replace(Samples.anthropicKey, placeholder("anthropic", Samples.anthropicKey))
} as const

/**
 * The commands the scripted model runs in the project, in order: read `.env`, read the deploy
 * key, save a token into `.env.local`.
 *
 * @since 0.1.0
 * @category samples
 */
export const commands = {
  env: "cat .env",
  key: "cat deploy/id_ec.pem",
  token: `echo 'GITHUB_TOKEN=${Samples.githubToken}' >> .env.local && echo saved`
} as const

/** The model's last answer of the first turn. @since 0.1.0 @category samples */
export const firstReply = "Configured: the app reads .env, the deploy key is in place, the token is saved."

/** The files of the project the session works in. @since 0.1.0 @category samples */
export const projectFiles: Readonly<Record<string, string>> = {
  ".env": envFile,
  "deploy/id_ec.pem": pem,
  "README.md": "# app\n\nDeploys with the key in deploy/.\n"
}

/** Writes {@link projectFiles} into `dir`. @since 0.1.0 @category constructors */
export const writeProject = (dir: string): void => {
  for (const [name, content] of Object.entries(projectFiles)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    fs.writeFileSync(path.join(dir, name), content)
  }
}

/**
 * The planted secrets (of `among`, default all) any of whose fragments occurs in `bytes`.
 *
 * @since 0.1.0
 * @category queries
 */
export const leaks = (bytes: Uint8Array | string, among: ReadonlyArray<Planted> = all): ReadonlyArray<string> => {
  const buffer = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes)
  return among.filter((p) => p.needles.some((needle) => buffer.includes(needle))).map((p) => p.name)
}

/**
 * The secrets of `among` that left no placeholder in `text`.
 *
 * @since 0.1.0
 * @category queries
 */
export const unredacted = (text: string, among: ReadonlyArray<Planted>): ReadonlyArray<string> =>
  among.filter((p) => placeholdersIn(text, p).length === 0).map((p) => p.name)

/**
 * A `.tgz` package's tar stream, gunzipped: every byte of every entry and header, for a scan.
 *
 * @since 0.1.0
 * @category queries
 */
export const tarBytes = (pkg: string): Buffer => zlib.gunzipSync(fs.readFileSync(pkg))

/**
 * The files of a `.tgz` package by entry name (a leading `./` dropped).
 *
 * @since 0.1.0
 * @category queries
 */
export const packageFiles = (pkg: string): Promise<Map<string, Buffer>> =>
  new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>()
    const extract = tar.extract()
    extract.on("entry", (header, stream, next) => {
      const chunks: Array<Buffer> = []
      stream.on("data", (chunk: unknown) => void chunks.push(chunk as Buffer))
      stream.on("end", () => {
        if (header.type === "file") files.set(header.name.replace(/^\.\//, ""), Buffer.concat(chunks))
        next()
      })
      stream.on("error", reject)
    })
    extract.on("finish", () => resolve(files))
    extract.on("error", reject)
    extract.end(tarBytes(pkg))
  })
