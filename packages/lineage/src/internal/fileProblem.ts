/**
 * Why a listed package file cannot be taken now, in the words pull notes and status show.
 *
 * @internal
 */
import type { Outbox } from "@sessionport/package-format"

/** @internal */
export interface FileProblem {
  /** `arriving`: look again later; `damaged`: never right under this name */
  readonly kind: "arriving" | "damaged"
  readonly why: string
}

// bytes as people read them; a small package in KB, so "of" never reads 0.0 of 0.0
const amount = (bytes: number): string =>
  bytes < 1024 ? `${bytes} B` : bytes < 1_048_576 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1_048_576).toFixed(1)} MB`

/** @internal `check` of a file listed with `listedSize` bytes; undefined when it is complete */
export const fileProblem = (check: Outbox.FileCheck, listedSize: number): FileProblem | undefined => {
  switch (check._tag) {
    case "complete":
      return undefined
    case "arriving":
      return {
        kind: "arriving",
        why: check.missing ? "not there (still arriving, or removed by its machine)" : `still arriving (${amount(check.size)} of ${amount(listedSize)})`
      }
    case "damaged":
      return { kind: "damaged", why: `incomplete or damaged (${check.why})` }
  }
}
