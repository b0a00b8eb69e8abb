/**
 * One `lintSource` call of secretlint over a text with the whole rule set (the recommended
 * preset but `filter-comments`, plus ours), answered as matches: kind and range of the secret
 * only, no overlaps, in text order.
 *
 * Some preset rules report more than the secret or the wrong range; {@link NARROW} fixes that
 * by message id:
 * - `aws` reports a secret access key's range from the start of its name, 40 long (a bug): the
 *   key is found again there;
 * - `aws` account ids, `database-connection-string` and `basicauth` report their whole match:
 *   narrowed to the digits and to the URL's password;
 * - `npm` (`.npmrc` and `package.json` files only) has the secret access key's bug too.
 *
 * A match that overlaps a placeholder (`[REDACTED:…]`) is dropped: redacting twice changes
 * nothing.
 */
import type { lintSource as LintSource } from "@secretlint/core"
import type { SecretLintRuleCreator } from "@secretlint/types"
import * as Placeholder from "../Placeholder.js"
import type { Match } from "../RuleSet.js"
import { PRESET_ALIASES, TIERS } from "./kinds.js"
import { hasAny, setLiterals } from "./literals.js"
import { rules as ours } from "./rules/index.js"
import { type Range, RULE_PREFIX, toCreator } from "./rules/rule.js"
import { isLiteralPassword, passwordOf } from "./rules/databaseUrl.js"

const PRESET_PREFIX = "@secretlint/secretlint-rule-"

type Config = Parameters<typeof LintSource>[0]["options"]["config"]

interface Loaded {
  readonly lintSource: typeof LintSource
  readonly config: Config
  readonly kindOf: ReadonlyMap<string, string>
}

/** what an AWS access key id starts with */
const AWS_KEY_IDS = ["A3T", "AKIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ASIA"]

/**
 * By preset rule (short id): literals one of which every pattern of the rule needs, exactly (in
 * that case): a text with none of them is not given to the rule. Most blocks of a transcript
 * have none of a rule's literals, and the preset's patterns are costlier than a search for them.
 * Rules not listed always run. `test/Rules.test.ts` has a positive per rule, so a literal missing
 * here shows there.
 */
const PRESET_NEEDS: Readonly<Record<string, ReadonlyArray<string>>> = {
  aws: [...AWS_KEY_IDS, "ACCOUNT", "account", "Account", "SECRET", "secret", "Secret"],
  privatekey: ["PRIVATE KEY"],
  npm: ["npm_", "_authToken=", ":x-oauth-basic@"],
  basicauth: ["://"],
  slack: ["xoxb-", "xoxp-", "xapp-", "xoxa-", "xoxo-", "xoxr-", "://"],
  sendgrid: ["SG."],
  shopify: ["shppa_", "shpca_", "shpat_", "shpss_"],
  github: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
  gitlab: ["glpat-"],
  grafana: ["glc_", "glsa_"],
  openai: ["sk-"],
  anthropic: ["sk-ant-api0"],
  groq: ["gsk_"],
  huggingface: ["hf_"],
  linear: ["lin_api_"],
  notion: ["ntn_"],
  "1password": ["ops_ey"],
  "database-connection-string": ["://"],
  "hashicorp-vault": ["hvs.", "hvb.", "hvr."],
  vercel: ["vcp_", "vci_", "vca_", "vcr_", "vck_"],
  databricks: ["dapi"],
  docker: ["dckr_pat_"],
  figma: ["figd_"]
}

const AWS_SECRET_NAME = /(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)/
// the account id pattern from its name on (it may start before, with a quote or `aws_`)
const AWS_ACCOUNT_ID = /(?:ACCOUNT|account|Account)_?(?:ID|id|Id)?["']?\s*(?::|=>|=)\s*["']?[0-9]{4}-?[0-9]{4}-?[0-9]{4}/

/**
 * By preset rule: a finer test, after its literals, of a text it may match in. The `aws` rule's
 * literals `secret` and `account` are in many blocks, and its patterns are the preset's costliest
 * (they start with optional parts, so are tried at every position): each of its three patterns
 * needs one of the access key id prefixes, the secret key's name, or the account id's name and
 * its digits.
 */
const PRESET_TESTS: Readonly<Record<string, (text: string) => boolean>> = {
  aws: (text) => hasAny(text, AWS_KEY_IDS) || AWS_SECRET_NAME.test(text) || AWS_ACCOUNT_ID.test(text)
}

/** the preset rule, run only on texts with one of its literals (and that pass its test) */
const guarded = (
  rule: SecretLintRuleCreator,
  needs: ReadonlyArray<string> | undefined,
  test: ((text: string) => boolean) | undefined
): SecretLintRuleCreator =>
  needs === undefined ? rule : {
    ...rule,
    create(context, options) {
      const handler = rule.create(context, options)
      return {
        file(source) {
          if (hasAny(source.content, needs) && (test === undefined || test(source.content))) return handler.file?.(source)
        }
      }
    }
  }

const short = (id: string) => id.replace(PRESET_PREFIX, "")

/** every literal a rule needs (the prefilter's, set once: the scanner searches raw lines before the rules are loaded) */
setLiterals([...Object.values(PRESET_NEEDS).flat(), ...ours.flatMap((rule) => rule.needs ?? [])])

const load = async (): Promise<Loaded> => {
  const [core, preset, profiler] = await Promise.all([
    import("@secretlint/core"),
    import("@secretlint/secretlint-rule-preset-recommend"),
    import("@secretlint/profiler")
  ])
  // core marks every rule of every lint in an always-on profiler that keeps each mark (in its own
  // list, searched on every mark, and in Node's performance timeline): memory and time would grow
  // with every block scanned. We never read it.
  profiler.secretLintProfiler.mark = () => {}
  const kindOf = new Map<string, string>()
  const presetRules = preset.rules.filter((rule) => rule.meta.id !== `${PRESET_PREFIX}filter-comments`)
  for (const rule of presetRules) kindOf.set(rule.meta.id, PRESET_ALIASES[short(rule.meta.id)] ?? short(rule.meta.id))
  for (const rule of ours) kindOf.set(RULE_PREFIX + rule.name, rule.kind)
  const config: Config = {
    rules: [
      ...presetRules.map((rule) => ({
        id: rule.meta.id,
        rule: guarded(rule as SecretLintRuleCreator, PRESET_NEEDS[short(rule.meta.id)], PRESET_TESTS[short(rule.meta.id)]),
        // an AWS access key id alone is enough (by default the rule wants its secret key too)
        ...(rule.meta.id === `${PRESET_PREFIX}aws` ? { options: { enableIDScanRule: true } } : {})
      })),
      ...ours.map((rule) => {
        const creator = toCreator(rule)
        return { id: creator.meta.id, rule: creator }
      })
    ]
  }
  return { lintSource: core.lintSource, config, kindOf }
}

// loaded on first use: a command that scans nothing does not pay for the rules at start-up
let loaded: Promise<Loaded> | undefined

/** The preset's rules (all but filter-comments), for checks of the kind table. */
export const presetRuleIds = async (): Promise<ReadonlyArray<string>> => [...(await (loaded ??= load())).kindOf.keys()]

const AWS_SECRET =
  /["']?(?:AWS|aws|Aws)?_?(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+=]{40})/dy

const NPMRC_TOKEN = /_authToken=([^$\s"'].*)/dy

const X_OAUTH = /https?:\/\/(.{1,256}?):x-oauth-basic@github\.com\//dy

/** the range of group 1 of a sticky pattern run where the rule's range starts */
const again = (pattern: RegExp) => (text: string, [start]: Range): Range | undefined => {
  pattern.lastIndex = start
  return pattern.exec(text)?.indices?.[1]
}

/** the part of the rule's range `find` answers, in the same text */
const within = (find: (matched: string) => Range | undefined) => (text: string, [start, end]: Range): Range | undefined => {
  const inner = find(text.slice(start, end))
  return inner === undefined ? undefined : [start + inner[0], start + inner[1]]
}

/** a URL's password, when it is a literal (the preset lets `<password>` and the like through) */
const literalPasswordOf = (url: string): Range | undefined => {
  const range = passwordOf(url)
  return range !== undefined && isLiteralPassword(url.slice(range[0], range[1])) ? range : undefined
}

const lastAccountId = (matched: string): Range | undefined => {
  const all = [...matched.matchAll(/[0-9]{4}-?[0-9]{4}-?[0-9]{4}/g)]
  const last = all.at(-1)
  return last === undefined ? undefined : [last.index, last.index + last[0].length]
}

/** by message id: the secret's range in a preset rule's report */
const NARROW: Readonly<Record<string, (text: string, range: Range) => Range | undefined>> = {
  AWSSecretAccessKey: again(AWS_SECRET),
  AWSAccountID: within(lastAccountId),
  Npmrc_authToken: again(NPMRC_TOKEN),
  PackageJSON_xOauthToken: again(X_OAUTH),
  MongoDBConnection: within(literalPasswordOf),
  MySQLConnection: within(literalPasswordOf),
  PostgreSQLConnection: within(literalPasswordOf),
  BasicAuth: within(literalPasswordOf)
}

const tier = (kind: string): number => TIERS[kind] ?? 0

/**
 * Of two overlapping matches, the one to keep: the lower tier (a provider's token in a URL's
 * password is that provider's); of one kind the longer (two rules' views of one secret: all of it
 * goes); of two provider kinds the shorter (the more precise: the key in a service account file
 * rather than the whole file); of two generic ones the longer, else the assignment; else the first.
 */
const better = (a: Match, b: Match): Match => {
  if (tier(a.kind) !== tier(b.kind)) return tier(a.kind) < tier(b.kind) ? a : b
  const longer = a.end - a.start - (b.end - b.start)
  if (longer !== 0) return (longer > 0) === (a.kind === b.kind || tier(a.kind) === 2) ? a : b
  if (a.kind !== b.kind && tier(a.kind) === 2) return a.kind === "secret-assignment" ? a : b
  return a.start <= b.start ? a : b
}

/** matches in text order with no two overlapping */
export const resolveOverlaps = (matches: ReadonlyArray<Match>): Array<Match> => {
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end)
  const kept: Array<Match> = []
  for (const match of sorted) {
    // kept matches are disjoint and sorted: those this one overlaps are the last few
    let first = kept.length
    while (first > 0 && kept[first - 1]!.end > match.start) first--
    const overlapping = kept.slice(first)
    if (overlapping.every((other) => better(other, match) === match)) kept.splice(first, overlapping.length, match)
  }
  return kept
}

const placeholderRanges = (text: string): Array<Range> =>
  text.includes(Placeholder.MARKER)
    ? [...text.matchAll(Placeholder.pattern())].map((match) => [match.index, match.index + match[0].length] as const)
    : []

/**
 * The secrets in `text`, by the whole rule set. `filePath` is what rules that depend on a
 * file's name or type see (a config file's unquoted values are literals; the preset's `gcp`
 * rule reads `.json` service account files, its `npm` rule `.npmrc`/`package.json` lines);
 * for transcripts it is a name of no type.
 */
export const lint = async (text: string, filePath = "transcript"): Promise<Array<Match>> => {
  const { config, kindOf, lintSource } = await (loaded ??= load())
  const result = await lintSource({
    source: { content: text, filePath, contentType: "text" },
    options: { config, noPhysicFilePath: true }
  })
  // secretlint drops a leading byte order mark before it runs the rules
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const placeholders = placeholderRanges(text)
  const matches: Array<Match> = []
  for (const message of result.messages) {
    const kind = kindOf.get(message.ruleId)
    if (kind === undefined) continue
    let range: Range | undefined = [message.range[0] + shift, message.range[1] + shift]
    const narrow = message.ruleId.startsWith(PRESET_PREFIX) ? NARROW[message.messageId] : undefined
    if (narrow !== undefined) range = narrow(text, range)
    if (range === undefined || range[1] <= range[0]) continue
    const [start, end] = range
    if (placeholders.some(([from, to]) => start < to && from < end)) continue
    matches.push({ kind, start, end })
  }
  return resolveOverlaps(matches)
}
