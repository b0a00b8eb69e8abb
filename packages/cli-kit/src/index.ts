/**
 * @sessionport/cli-kit: what `session-transfer` and `session-sync` share, so they behave alike:
 * one-line failures and exit codes, common options, output, progress bars, the journal commands
 * and the composition root of a bin.
 *
 * @since 0.1.0
 */

/** @since 0.2.0 */
export * as AgentHomes from "./AgentHomes.js"
/** @since 0.3.0 */
export * as CommandTree from "./CommandTree.js"
/** @since 0.3.0 */
export * as Completions from "./Completions.js"
/** @since 0.1.0 */
export * as Confirm from "./Confirm.js"
/** @since 0.3.0 */
export * as Dates from "./Dates.js"
/** @since 0.3.0 */
export * as Examples from "./Examples.js"
/** @since 0.1.0 */
export * as Failure from "./Failure.js"
/** @since 0.3.0 */
export * as HelpText from "./HelpText.js"
/** @since 0.1.0 */
export * as JournalCommands from "./JournalCommands.js"
/** @since 0.6.0 */
export * as Keys from "./Keys.js"
/** @since 0.1.0 */
export * as Main from "./Main.js"
/** @since 0.1.0 */
export * as Options from "./Options.js"
/** @since 0.1.0 */
export * as Output from "./Output.js"
/** @since 0.3.0 */
export * as PackageChoice from "./PackageChoice.js"
/** @since 0.3.0 */
export * as PackagePath from "./PackagePath.js"
/** @since 0.5.0 */
export * as PackageSource from "./PackageSource.js"
/** @since 0.3.0 */
export * as Picker from "./Picker.js"
/** @since 0.1.0 */
export * as PlainConsole from "./PlainConsole.js"
/** @since 0.3.0 */
export * as PlainLogger from "./PlainLogger.js"
/** @since 0.1.0 */
export * as Recovery from "./Recovery.js"
/** @since 0.6.0 */
export * as SecretsReport from "./SecretsReport.js"
/** @since 0.1.0 */
export * as TerminalProgress from "./TerminalProgress.js"
/** @since 0.3.0 */
export * as UsageCheck from "./UsageCheck.js"
