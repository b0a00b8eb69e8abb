/**
 * Stripe secret and restricted keys (`sk_live_…`, `rk_test_…`) and webhook signing secrets
 * (`whsec_…`). Publishable keys (`pk_…`) are public by design and not reported.
 */
import { patternRule } from "./rule.js"

export const stripe = patternRule({
  name: "stripe",
  kind: "stripe",
  needs: ["k_live_", "k_test_", "whsec_"],
  pattern: /(?<![A-Za-z0-9_])(?:(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{20,247}|whsec_[0-9A-Za-z+/=]{32,})(?![0-9A-Za-z])/g
})
