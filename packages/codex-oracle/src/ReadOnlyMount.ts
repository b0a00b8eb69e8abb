/**
 * A folder seen read-only, for tests of a read-only Codex home: a bind mount of it, remounted
 * read-only. Permission bits would not do: tests run as root, whom they do not stop. Mounting
 * needs root (CAP_SYS_ADMIN); where it is not permitted, {@link readOnlyView} answers `undefined`
 * and the test skips.
 *
 * @since 0.1.0
 */
import { execFileSync } from "node:child_process"
import { tempDir } from "./Fixtures.js"

const mounted: Array<string> = []

/** `dir`, mounted read-only at a new temp folder; `undefined` where mounting is not permitted. */
export const readOnlyView = (dir: string): string | undefined => {
  const view = tempDir("read-only")
  try {
    execFileSync("mount", ["--bind", dir, view], { stdio: "ignore" })
  } catch {
    return undefined
  }
  mounted.push(view)
  try {
    execFileSync("mount", ["-o", "remount,bind,ro", view], { stdio: "ignore" })
  } catch {
    return undefined
  }
  return view
}

/** Unmounts every view; call it before the temp folders are removed. */
export const unmountAll = (): void => {
  for (const view of mounted.splice(0).reverse()) execFileSync("umount", [view])
}
