/**
 * Google: API keys (`AIza…`, 39 characters; the preset's `gcp` rule covers service account
 * files only) and OAuth client secrets (`GOCSPX-…`) and access tokens (`ya29.…`).
 */
import { patternRule } from "./rule.js"

export const gcpApiKey = patternRule({
  name: "gcp-api-key",
  kind: "gcp",
  needs: ["AIza"],
  pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g
})

export const googleOauth = patternRule({
  name: "google-oauth",
  kind: "google-oauth",
  needs: ["GOCSPX-", "ya29."],
  pattern: /(?<![A-Za-z0-9_-])(?:GOCSPX-[0-9A-Za-z_-]{28}|ya29\.[0-9A-Za-z_-]{30,})(?![A-Za-z0-9_-])/g
})
