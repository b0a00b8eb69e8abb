#!/usr/bin/env node
// Makes sure `age` (and `age-keygen`) are on PATH for the tests that check encrypted packages
// against the reference implementation (issue 18); see internal/debianPackage.mjs.
import { ensureDebianPackage } from "./internal/debianPackage.mjs"

ensureDebianPackage({
  script: "ensure-age",
  command: "age",
  pkg: "age",
  howTo: "install it with: sudo apt-get install -y age (or see https://age-encryption.org)"
})
