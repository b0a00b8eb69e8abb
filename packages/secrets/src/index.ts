/**
 * @since 0.1.0
 */
export * as Placeholder from "./Placeholder.js"
