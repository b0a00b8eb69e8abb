#!/usr/bin/env node
// Makes sure `syncthing` is on PATH for the tests that run two real instances (issue 16);
// see internal/debianPackage.mjs.
import { ensureDebianPackage } from "./internal/debianPackage.mjs"

ensureDebianPackage({
  script: "ensure-syncthing",
  command: "syncthing",
  pkg: "syncthing",
  howTo: "install it with: sudo apt-get install -y syncthing (or see https://syncthing.net/downloads/)"
})
