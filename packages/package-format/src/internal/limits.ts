/**
 * The size limits every reader of an archive applies, and what a `.tgz` may decompress to.
 * Shared so that every loop over a package's entries refuses the same bombs the same way.
 */
import { ENTRY_OVERHEAD } from "./source.js"

export interface Limits {
  /** bytes of one file */
  readonly maxEntrySize: number
  /** bytes of all files together (also caps what a `.tgz` may decompress to) */
  readonly maxTotalSize: number
  /** files and folders */
  readonly maxEntries: number
  /** bytes of one metadata file (these are kept in memory) */
  readonly maxMetadataSize: number
  /**
   * a `.tgz` may decompress to at most this many times its own size (tar headers included):
   * checked against the sizes its tar headers declare, so a gzip bomb is refused at its header
   */
  readonly maxExpansionRatio: number
  /** bytes any `.tgz` may decompress to, however small it is (the ratio would cramp tiny ones) */
  readonly expansionFloor: number
}

/**
 * 4 GiB per file, 64 GiB in all, 200,000 entries, 64 MiB per metadata file; a `.tgz` expands at
 * most 200 times (at least to 1 MiB). Session JSONL compresses 4 to 20 times with gzip, and the
 * tar headers of a package of many empty files some 50 times; gzip itself cannot go past about
 * 1,030 times, which a run of one byte (a bomb) reaches.
 */
export const defaultLimits: Limits = {
  maxEntrySize: 4 * 1024 ** 3,
  maxTotalSize: 64 * 1024 ** 3,
  maxEntries: 200_000,
  maxMetadataSize: 64 * 1024 ** 2,
  maxExpansionRatio: 200,
  expansionFloor: 1024 ** 2
}

/**
 * What a `.tgz` of `archiveBytes` may decompress to: `maxExpansionRatio` times its size (at
 * least `expansionFloor`), and never more than `maxTotalSize` plus tar overhead. `declared`: the
 * refusal once the sizes its tar headers declare already add up to more (before the bytes).
 */
export const expansionLimits = (archiveBytes: number, limits: Limits) => {
  const byRatio = Math.max(limits.expansionFloor, limits.maxExpansionRatio * archiveBytes)
  const byTotal = limits.maxTotalSize + (limits.maxEntries + 2) * ENTRY_OVERHEAD
  const gzipBomb = (what: string) =>
    `${what}, more than a ${archiveBytes}-byte archive may expand to (${limits.maxExpansionRatio} times its size, ` +
    `at least ${limits.expansionFloor} bytes): refused as a gzip bomb`
  return {
    inflate: byRatio < byTotal
      ? { bytes: byRatio, detail: gzipBomb(`decompresses to over ${byRatio} bytes`) }
      : { bytes: byTotal, detail: `decompresses to more than ${byTotal} bytes (limit: maxTotalSize plus tar overhead)` },
    declared: (total: number) => total > byRatio ? gzipBomb(`its files declare ${total} bytes`) : undefined
  }
}
