/**
 * Why an exchange command (`push`, `pull`, `status`, `compact`) cannot go on. One tagged error
 * with a reason, printed as one line.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * - `no_folder`: no exchange folder was given and none is remembered (a usage error);
 * - `folder_missing`: the folder given or remembered does not exist, or is not a folder (never
 *   created: a typo must not become an unsynced folder);
 * - `copied_config`: the machine config was copied to another machine: it was made on another
 *   host, or this machine's outbox was written by another config with the same machine id;
 * - `locked`: another exchange command of this machine is running;
 * - `unreadable_index`: this machine's own `outbox.json` cannot be read;
 * - `bad_config`: the machine config (`exchange.json`) is there but not usable.
 *
 * @since 0.1.0
 * @category models
 */
export const ExchangeErrorReason = Schema.Literal(
  "no_folder",
  "folder_missing",
  "copied_config",
  "locked",
  "unreadable_index",
  "bad_config"
)

/** @since 0.1.0 @category models */
export type ExchangeErrorReason = typeof ExchangeErrorReason.Type

/** The folders to suggest when none is set: the usual places of the engines, never guessed. @since 0.1.0 @category constants */
export const FOLDER_SUGGESTION = "~/OneDrive/sessionport, ~/Dropbox/sessionport or a Syncthing folder"

/** @since 0.1.0 @category errors */
export class ExchangeError extends Schema.TaggedError<ExchangeError>("@sessionport/lineage/ExchangeError")("ExchangeError", {
  reason: ExchangeErrorReason,
  /** the file or folder concerned ("" for `no_folder`) */
  path: Schema.String,
  detail: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    switch (this.reason) {
      case "no_folder":
        return `no exchange folder is set: name one with --to, --from or --folder (a folder your sync engine syncs, ` +
          `for example ${FOLDER_SUGGESTION}); it is remembered`
      case "folder_missing":
        return `exchange folder ${this.path} ${this.detail}: create it (or the sync engine's folder) first, or check for a typo`
      case "copied_config":
        return `${this.path}: ${this.detail}; the sessionport config was copied from another machine, and two ` +
          `machines must not share an id: run push --new-machine-id`
      case "locked":
        return `another exchange command is running (${this.detail}; lock ${this.path})`
      case "unreadable_index":
        return `cannot read ${this.path}: ${this.detail}`
      case "bad_config":
        return `${this.path} is not a usable sessionport machine config (${this.detail}); fix it, or move it away to ` +
          `start as a new machine`
    }
  }
}
