/**
 * npm registry credentials as `.npmrc` holds them: `_authToken=…`, `_auth=…` (base64 of
 * user:password), `_password=…`, at the start of a line or after a registry
 * (`//registry.npmjs.org/:_authToken=…`), with a value that is not an `${ENV}` reference. The
 * range is the value.
 */
import { isPlaceholder } from "../text.js"
import { patternRule } from "./rule.js"

export const npmrcAuth = patternRule({
  name: "npmrc-auth",
  kind: "npmrc-auth",
  needs: ["_auth", "_password"],
  // at the start of a line or after a registry's `:` (not `const _password = …` in code)
  pattern: /(?:^[ \t]*|:)_(?:authToken|auth|password)[ \t]*=[ \t]*["']?((?![$"'\s])[^\s"'()]+)/dgm,
  group: 1,
  accept: (value) => value.length >= 6 && !isPlaceholder(value)
})
