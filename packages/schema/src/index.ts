/**
 * @sessionport/schema: typed, lossless Effect schemas of every Codex rollout format, and of
 * Claude Code transcript lines.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Actions from "./Actions.js"
/** @since 0.2.0 */
export * as ClaudeAttachment from "./ClaudeAttachment.js"
/** @since 0.2.0 */
export * as ClaudeFileHistory from "./ClaudeFileHistory.js"
/** @since 0.2.0 */
export * as ClaudeLine from "./ClaudeLine.js"
/** @since 0.2.0 */
export * as ClaudeMessage from "./ClaudeMessage.js"
/** @since 0.2.0 */
export * as ClaudeMetadata from "./ClaudeMetadata.js"
/** @since 0.2.0 */
export * as ClaudeProjectFolder from "./ClaudeProjectFolder.js"
/** @since 0.2.0 */
export * as ClaudeReader from "./ClaudeReader.js"
/** @since 0.2.0 */
export * as ClaudeRecord from "./ClaudeRecord.js"
/** @since 0.1.0 */
export * as ContentItem from "./ContentItem.js"
/** @since 0.1.0 */
export * as EventMsg from "./EventMsg.js"
/** @since 0.1.0 */
export * as History from "./History.js"
/** @since 0.1.0 */
export * as JsonSchema from "./JsonSchema.js"
/** @since 0.1.0 */
export * as Legacy from "./Legacy.js"
/** @since 0.1.0 */
export * as LineCheck from "./LineCheck.js"
/** @since 0.1.0 */
export * as LineDecoder from "./LineDecoder.js"
/** @since 0.1.0 */
export * as LineLimit from "./LineLimit.js"
/** @since 0.2.0 */
export * as OpencodeId from "./OpencodeId.js"
/** @since 0.2.0 */
export * as OpencodeLine from "./OpencodeLine.js"
/** @since 0.2.0 */
export * as OpencodeMessage from "./OpencodeMessage.js"
/** @since 0.2.0 */
export * as OpencodePart from "./OpencodePart.js"
/** @since 0.2.0 */
export * as OpencodeRow from "./OpencodeRow.js"
/** @since 0.1.0 */
export * as ResponseItem from "./ResponseItem.js"
/** @since 0.1.0 */
export * as RolloutLine from "./RolloutLine.js"
/** @since 0.1.0 */
export * as RolloutReader from "./RolloutReader.js"
/** @since 0.1.0 */
export * as RolloutRecord from "./RolloutRecord.js"
/** @since 0.1.0 */
export * as RolloutSummary from "./RolloutSummary.js"
/** @since 0.1.0 */
export * as SessionIndex from "./SessionIndex.js"
/** @since 0.1.0 */
export * as SessionMeta from "./SessionMeta.js"
/** @since 0.1.0 */
export * as SessionStats from "./SessionStats.js"
/** @since 0.1.0 */
export * as StateRow from "./StateRow.js"
/** @since 0.1.0 */
export * as TurnContext from "./TurnContext.js"
/** @since 0.1.0 */
export * as UserPrompt from "./UserPrompt.js"
