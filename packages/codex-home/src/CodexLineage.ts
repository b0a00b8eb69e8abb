/**
 * How lineage fingerprints Codex rollouts: the Codex neutralizer (every rewrite-surface value a
 * constant), and a user prompt is an `event_msg` user_message or an `item_completed`
 * UserMessage. Every line is a record.
 *
 * @since 0.2.0
 */
import type { AgentStore } from "@sessionport/agent"
import { Neutralizer } from "@sessionport/localize"
import { UserPrompt } from "@sessionport/schema"

/** @since 0.2.0 @category constants */
export const dialect: AgentStore.LineageDialect = {
  neutralizer: Neutralizer.codex,
  promptNeedles: UserPrompt.promptNeedles,
  isPrompt: UserPrompt.isPromptLine,
  ignoredLinePrefixes: []
}
