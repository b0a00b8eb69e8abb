/**
 * Tokens with a fixed shape that the preset does not know, or knows only in part:
 *
 * - `openai`: project, service account and admin keys (`sk-proj-…`) of any length (the preset
 *   wants the `T3BlbkFJ` marker, which newer keys may lack);
 * - `anthropic`: API, admin and OAuth tokens (`sk-ant-oat01-…`: what Claude Code logs in with);
 * - `gitlab`: the token types besides personal access tokens (deploy, runner, trigger, OAuth…);
 * - `aws`: secret access keys next to their name (`aws_secret_access_key = …`,
 *   `"SecretAccessKey": "…"`): the preset's rule misses the keys that end in `+` or `/`;
 * - `telegram-bot`, `digitalocean`, `twilio` (API key SIDs), `pypi`, `openrouter`,
 *   `discord` (webhook URLs: the token part), `age` (age identities: `AGE-SECRET-KEY-1…`).
 */
import { isPlaceholder } from "../text.js"
import { patternRule } from "./rule.js"

export const openaiKey = patternRule({
  name: "openai-key",
  kind: "openai",
  needs: ["sk-"],
  pattern: /(?<![A-Za-z0-9_-])sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])/g
})

export const anthropicKey = patternRule({
  name: "anthropic-key",
  kind: "anthropic",
  needs: ["sk-ant-"],
  pattern: /(?<![A-Za-z0-9_-])sk-ant-(?:api|admin|oat|ort|sid)\d{2}-[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])/g
})

export const gitlabToken = patternRule({
  name: "gitlab-token",
  kind: "gitlab",
  needs: ["gldt-", "glrt-", "glcbt-", "glptt-", "glft-", "glimt-", "glagent-", "gloas-", "glsoat-", "glffct-", "GR1348941"],
  pattern:
    /(?<![A-Za-z0-9_-])(?:(?:gldt|glrt|glcbt|glptt|glft|glimt|glagent|gloas|glsoat|glffct)-[0-9A-Za-z_-]{20,}|GR1348941[0-9A-Za-z_-]{20,})(?![A-Za-z0-9_-])/g
})

export const awsSecretKey = patternRule({
  name: "aws-secret-key",
  kind: "aws",
  needs: ["secret", "Secret", "SECRET"],
  pattern: /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dgi,
  group: 1,
  accept: (key) => !isPlaceholder(key)
})

export const telegramBot = patternRule({
  name: "telegram-bot",
  kind: "telegram-bot",
  needs: [":AA"],
  // alone, or after `bot` as the Bot API's URLs have it (`https://api.telegram.org/bot<token>/getMe`)
  pattern: /(?:(?<=bot)|(?<![A-Za-z0-9_:-]))\d{8,10}:AA[0-9A-Za-z_-]{33}(?![A-Za-z0-9_-])/g
})

export const digitalocean = patternRule({
  name: "digitalocean",
  kind: "digitalocean",
  needs: ["_v1_"],
  pattern: /(?<![A-Za-z0-9_])do[por]_v1_[0-9a-f]{64}(?![0-9A-Za-z])/g
})

export const twilio = patternRule({
  name: "twilio",
  kind: "twilio",
  needs: ["SK"],
  pattern: /(?<![A-Za-z0-9_])SK[0-9a-f]{32}(?![0-9A-Za-z])/g
})

// `pypi-` and a macaroon whose first bytes say pypi.org (or test.pypi.org)
export const pypi = patternRule({
  name: "pypi",
  kind: "pypi",
  needs: ["pypi-AgE"],
  pattern: /(?<![A-Za-z0-9_-])pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{16,}/g
})

export const openrouter = patternRule({
  name: "openrouter",
  kind: "openrouter",
  needs: ["sk-or-"],
  pattern: /(?<![A-Za-z0-9_-])sk-or-v1-[0-9a-f]{64}(?![0-9A-Za-z])/g
})

export const discordWebhook = patternRule({
  name: "discord-webhook",
  kind: "discord",
  needs: ["/api/webhooks/"],
  pattern: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{5,30}\/([A-Za-z0-9_-]{60,80})(?![A-Za-z0-9_-])/dg,
  group: 1
})

export const age = patternRule({
  name: "age",
  kind: "age",
  needs: ["AGE-SECRET-KEY-1"],
  pattern: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Z0-9])/g
})
