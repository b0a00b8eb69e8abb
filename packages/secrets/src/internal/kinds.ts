/**
 * Every kind a finding can have, what it is, and which rule set reports it (a kind of the
 * preset that our rules extend stays `secretlint`). Kind ids are short and stable: they are
 * written in placeholders (`[REDACTED:<kind>:…]`) and manifests.
 */
import type { KindInfo } from "../RuleSet.js"

const secretlint = (kind: string, description: string): KindInfo => ({ kind, description, source: "secretlint" })
const sessionport = (kind: string, description: string): KindInfo => ({ kind, description, source: "sessionport" })

export const KINDS: ReadonlyArray<KindInfo> = [
  secretlint("openai", "OpenAI API keys (sk-proj-…, sk-…T3BlbkFJ…; project/admin keys of any length by ours)"),
  secretlint("anthropic", "Anthropic API keys (sk-ant-api03-…; admin and OAuth tokens sk-ant-oat01-… by ours)"),
  secretlint("github", "GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)"),
  secretlint("gitlab", "GitLab tokens (glpat-; deploy, runner, trigger, OAuth and other gl…- tokens by ours)"),
  secretlint("aws", "AWS access key ids (AKIA…), secret access keys next to their name, account ids next to theirs"),
  secretlint("gcp", "Google Cloud service account key files; API keys (AIza…) by ours"),
  secretlint("slack", "Slack tokens (xoxb-, xoxp-, xapp-, …) and incoming webhook URLs"),
  secretlint("npm", "npm access tokens (npm_…)"),
  secretlint("private-key", "PEM private keys (RSA, EC, PKCS#8, OpenSSH, PGP; small, escaped and cut-off keys by ours)"),
  secretlint("database-url", "passwords in database and message broker URLs (postgres, mysql, mongodb+srv, redis, amqp, …)"),
  secretlint("url-password", "passwords in http(s)/ftp URLs (user:password@host)"),
  secretlint("sendgrid", "SendGrid API keys (SG.…)"),
  secretlint("shopify", "Shopify access tokens and shared secrets (shpat_, shpss_, …)"),
  secretlint("grafana", "Grafana Cloud API tokens and service account tokens"),
  secretlint("groq", "Groq API keys (gsk_…)"),
  secretlint("huggingface", "Hugging Face user access tokens (hf_…)"),
  secretlint("linear", "Linear API keys (lin_api_…)"),
  secretlint("notion", "Notion integration tokens (ntn_…)"),
  secretlint("1password", "1Password service account tokens (ops_…)"),
  secretlint("hashicorp-vault", "HashiCorp Vault tokens (hvs., hvb., hvr.)"),
  secretlint("vercel", "Vercel tokens (vcp_, vci_, vca_, vcr_, vck_)"),
  secretlint("databricks", "Databricks personal access tokens (dapi…)"),
  secretlint("docker", "Docker personal access tokens (dckr_pat_…)"),
  secretlint("figma", "Figma personal access tokens (figd_…)"),
  sessionport("stripe", "Stripe secret and restricted keys (sk_live_, rk_test_, …) and webhook secrets (whsec_)"),
  sessionport("azure", "Azure storage and shared access keys in connection strings, SAS signatures, Entra ID client secrets"),
  sessionport("google-oauth", "Google OAuth client secrets (GOCSPX-…) and access tokens (ya29.…)"),
  sessionport("jwt", "JSON Web Tokens whose header is JSON with an alg"),
  sessionport("telegram-bot", "Telegram bot tokens (123456789:AA…)"),
  sessionport("digitalocean", "DigitalOcean tokens (dop_v1_, doo_v1_, dor_v1_)"),
  sessionport("twilio", "Twilio API key SIDs (SK + 32 hex)"),
  sessionport("pypi", "PyPI API tokens (pypi-AgEIcHlwaS5vcmc…)"),
  sessionport("npmrc-auth", "npm registry credentials in .npmrc lines (_authToken=, _auth=, _password=)"),
  sessionport("openrouter", "OpenRouter API keys (sk-or-v1-…)"),
  sessionport("discord", "Discord webhook URLs (the token part)"),
  sessionport("age", "age identities (AGE-SECRET-KEY-1…)"),
  sessionport("dotenv", "NAME=value lines (.env style) whose value looks generated (long, high entropy, mixed)"),
  sessionport("secret-assignment", "literal values assigned to names that say secret (api_key, TOKEN, password, …)")
]

/** the preset's rule ids (short) whose kind is not the id itself */
export const PRESET_ALIASES: Readonly<Record<string, string>> = {
  privatekey: "private-key",
  "database-connection-string": "database-url",
  basicauth: "url-password"
}

/**
 * Kinds that match by context rather than by a format of their own, in tiers: a provider's kind
 * (not listed, tier 0) says most; a password in a URL (tier 1) says where it is; a value by its
 * name or its looks (tier 2) says least. Of overlapping findings the lower tier wins.
 */
export const TIERS: Readonly<Record<string, number>> = {
  "url-password": 1,
  "database-url": 1,
  "secret-assignment": 2,
  dotenv: 2
}
