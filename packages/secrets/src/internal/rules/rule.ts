/**
 * Our rules as secretlint rules, so that one `lintSource` call runs them with the preset's and
 * every finding has the same shape. A rule is a name, the kind it reports, an optional literal a
 * text must contain for the rule to run at all (most blocks of a transcript have none: the
 * regular expression is then never run), and a function from a text to the ranges of the
 * secrets in it (only the secret: the value, not its name).
 */
import type { SecretLintRuleCreator } from "@secretlint/types"
import { hasAny } from "../literals.js"

/** rule ids of ours: `@sessionport/secretlint-rule-<name>` */
export const RULE_PREFIX = "@sessionport/secretlint-rule-"

export type Range = readonly [start: number, end: number]

export interface Rule {
  /** unique among our rules */
  readonly name: string
  /** what findings are reported as (several rules may share one) */
  readonly kind: string
  /** the rule runs only on texts that contain one of these (case-sensitive), or hold one of these anchors of `literals.ts` */
  readonly needs?: ReadonlyArray<string>
  readonly find: (text: string, filePath: string | undefined) => Iterable<Range>
}

const messages = {
  found: { en: (props?: { kind: string }) => `found ${props?.kind ?? "a secret"}` }
}

export const toCreator = (rule: Rule): SecretLintRuleCreator => ({
  messages,
  meta: {
    id: RULE_PREFIX + rule.name,
    type: "scanner",
    recommended: true,
    supportedContentTypes: ["text"]
  },
  create(context) {
    const t = context.createTranslator(messages)
    return {
      file(source) {
        const text = source.content
        if (rule.needs !== undefined && !hasAny(text, rule.needs)) return
        for (const range of rule.find(text, source.filePath)) context.report({ message: t("found", { kind: rule.kind }), range })
      }
    }
  }
})

/** the ranges of every match of a global pattern (group `group` when given, with the `d` flag) */
export function* matches(pattern: RegExp, text: string, group = 0): Iterable<Range> {
  for (const match of text.matchAll(pattern)) {
    const indices = match.indices?.[group]
    if (indices !== undefined) yield indices
    else if (group === 0) yield [match.index, match.index + match[0].length]
  }
}

/** A rule that reports every match of `pattern` (its group `group` with the `d` flag), unless `reject`s it. */
export const patternRule = (options: {
  readonly name: string
  readonly kind: string
  readonly needs?: ReadonlyArray<string>
  readonly pattern: RegExp
  readonly group?: number
  readonly accept?: (secret: string, text: string, range: Range) => boolean
}): Rule => ({
  name: options.name,
  kind: options.kind,
  ...(options.needs === undefined ? {} : { needs: options.needs }),
  *find(text) {
    for (const range of matches(options.pattern, text, options.group)) {
      if (options.accept === undefined || options.accept(text.slice(range[0], range[1]), text, range)) yield range
    }
  }
})
