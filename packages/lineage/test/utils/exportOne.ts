/**
 * One session of the current `Agents` exported in process into `out` (a `.tgz`), with export's
 * defaults: what the sync tests feed their machines.
 */
import { Agents, PackageExport } from "@sessionport/agent"
import { Effect } from "effect"

export const exportOne = (out: string, id: string) =>
  Effect.gen(function*() {
    const { stores } = yield* Agents.Agents
    yield* PackageExport.fromStores(stores, {
      out,
      ids: [id],
      cwds: [],
      since: undefined,
      all: false,
      includeArchived: true,
      includeSkills: false,
      dryRun: false,
      skipUnreadable: false,
      allowFiles: [],
      includeFileHistory: false
    })
    return out
  })
