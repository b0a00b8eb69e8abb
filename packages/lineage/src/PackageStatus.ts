/**
 * A package's session as a person asks about it before installing or syncing: is it `new` here,
 * `already_here` (the same conversation), is this machine `behind` (the package goes further),
 * `ahead` (this machine went further), or have both `diverged`? Read off a sync's dry-run
 * classification, so `list PACKAGE`, the install and sync pickers and `sync` agree.
 *
 * @since 0.3.0
 */
import type * as Syncer from "./Syncer.js"

/** @since 0.3.0 @category models */
export type Status = "new" | "already_here" | "behind" | "ahead" | "diverged"

/** @since 0.3.0 @category classifying */
export const of = (decision: Pick<Syncer.SessionDecision, "class" | "relation">): Status => {
  switch (decision.class) {
    case "new_lineage":
    case "id_collision_unrelated":
      return "new"
    case "fast_forward_import":
      return "behind"
    case "diverged_lineage":
      return "diverged"
    case "unchanged":
      return decision.relation === "local_ahead" ? "ahead" : "already_here"
  }
}

/** How a status reads in a table. @since 0.3.0 @category rendering */
export const label = (status: Status): string => status === "already_here" ? "already here" : status
