/**
 * JSON Web Tokens: three base64url parts, the first two JSON objects (`eyJ` is `{"`), and a
 * signature. A candidate is reported only when its header decodes to JSON with an `alg`, which
 * keeps random `eyJ…` look-alikes out. Unsigned tokens (no signature) are not reported, nor is
 * jwt.io's example.
 */
import { patternRule } from "./rule.js"

// jwt.io's example token (signed with `your-256-bit-secret`), in docs and tests everywhere
const EXAMPLE_SIGNATURES = new Set(["SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"])

const header = (token: string): unknown => {
  try {
    return JSON.parse(Buffer.from(token.slice(0, token.indexOf(".")), "base64url").toString("utf8"))
  } catch {
    return undefined
  }
}

export const jwt = patternRule({
  name: "jwt",
  kind: "jwt",
  needs: ["eyJ"],
  pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_.-])/g,
  accept: (token) => {
    if (EXAMPLE_SIGNATURES.has(token.slice(token.lastIndexOf(".") + 1))) return false
    const value = header(token)
    return typeof value === "object" && value !== null && typeof (value as { alg?: unknown }).alg === "string"
  }
})
