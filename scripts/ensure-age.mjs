#!/usr/bin/env node
// Makes sure `age` (and `age-keygen`) are on PATH for the tests that check encrypted packages
// against the reference implementation (issue 18): installs Debian's package when missing. Quiet
// when it is already there. When it cannot install (not root, no apt, apt failed) it prints one
// line saying how, and still exits 0: the tests that need age then skip with that reason.
import { execFileSync, spawnSync } from "node:child_process"

const onPath = () => spawnSync("age", ["--version"], { stdio: "ignore" }).status === 0

const howTo = "install it with: sudo apt-get install -y age (or see https://age-encryption.org)"

const install = () => {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "not root"
  if (spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0) return "no apt-get"
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  try {
    // `update` may complain about unsigned side repositories; the main one is enough
    spawnSync("apt-get", ["update"], { stdio: "ignore", env, timeout: 300_000 })
    execFileSync("apt-get", ["install", "-y", "age"], { stdio: "ignore", env, timeout: 600_000 })
  } catch (error) {
    return `apt-get install failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`
  }
  return onPath() ? undefined : "installed, but still not on PATH"
}

if (!onPath()) {
  process.stderr.write("ensure-age: age is missing; installing Debian's package…\n")
  const failure = install()
  if (failure === undefined) {
    const version = spawnSync("age", ["--version"], { encoding: "utf8" }).stdout.trim()
    process.stderr.write(`ensure-age: installed age ${version}\n`)
  } else {
    process.stderr.write(`ensure-age: age not installed (${failure}); ${howTo}\n`)
  }
}
