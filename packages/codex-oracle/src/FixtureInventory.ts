/**
 * The `fixtures.json` of an agent's committed fixtures (`fixtures/<agent>/`): whether it was
 * generated, read once, and a session by its role.
 *
 * @since 0.2.0
 */
import * as fs from "node:fs"
import * as path from "node:path"

/** @since 0.2.0 @category models */
export interface Inventory<F extends { readonly sessions: Readonly<Record<string, S>> }, S> {
  /** whether the fixtures were generated */
  readonly available: boolean
  /** fixtures.json, read once */
  readonly load: () => F
  /** a session by its role; throws for an unknown role */
  readonly byRole: (role: string) => S
}

/** @since 0.2.0 @category constructors */
export const make = <F extends { readonly sessions: Readonly<Record<string, S>> }, S>(dir: string): Inventory<F, S> => {
  const file = path.join(dir, "fixtures.json")
  let cached: F | undefined
  const load = (): F => (cached ??= JSON.parse(fs.readFileSync(file, "utf8")) as F)
  return {
    available: fs.existsSync(file),
    load,
    byRole: (role) => {
      const session = load().sessions[role]
      if (session === undefined) throw new Error(`no fixture session ${role}`)
      return session
    }
  }
}
