/**
 * @since 0.1.0
 */
export * as Equivalence from "./Equivalence.js"

/**
 * @since 0.1.0
 */
export * as Finding from "./Finding.js"

/**
 * @since 0.1.0
 */
export * as Placeholder from "./Placeholder.js"

/**
 * @since 0.1.0
 */
export * as Redactor from "./Redactor.js"

/**
 * @since 0.1.0
 */
export * as RuleSet from "./RuleSet.js"

/**
 * @since 0.1.0
 */
export * as Scanner from "./Scanner.js"

/**
 * @since 0.1.0
 */
export * from "./SecretsError.js"
