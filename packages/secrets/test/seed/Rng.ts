/**
 * A seeded byte stream (SHA-256 of seed and counter): the corpus is the same on every machine
 * and every run for one seed, so the truth list of a failing run can be made again.
 */
import { createHash } from "node:crypto"

export const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
export const ALNUM_LOWER = "0123456789abcdefghijklmnopqrstuvwxyz"
export const HEX = "0123456789abcdef"
export const DIGITS = "0123456789"
export const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
export const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
export const BASE64URL = BASE62 + "-_"

export interface Rng {
  readonly bytes: (n: number) => Buffer
  /** an integer in [0, n) */
  readonly int: (n: number) => number
  /** an integer in [min, max] */
  readonly between: (min: number, max: number) => number
  readonly pick: <A>(items: ReadonlyArray<A>) => A
  readonly chars: (alphabet: string, n: number) => string
  /** a new stream for a named part (adding a kind does not move the others) */
  readonly fork: (label: string) => Rng
}

export const make = (seed: string): Rng => {
  let counter = 0
  let pool = Buffer.alloc(0)
  const bytes = (n: number): Buffer => {
    while (pool.length < n) {
      pool = Buffer.concat([pool, createHash("sha256").update(`${seed}\0${counter++}`).digest()])
    }
    const out = pool.subarray(0, n)
    pool = pool.subarray(n)
    return Buffer.from(out)
  }
  const int = (n: number): number => {
    if (n <= 1) return 0
    // rejection sampling on 32 bits: uniform for any n
    const limit = Math.floor(0x1_0000_0000 / n) * n
    for (;;) {
      const x = bytes(4).readUInt32BE(0)
      if (x < limit) return x % n
    }
  }
  const rng: Rng = {
    bytes,
    int,
    between: (min, max) => min + int(max - min + 1),
    pick: (items) => items[int(items.length)]!,
    chars: (alphabet, n) => {
      let s = ""
      for (let i = 0; i < n; i++) s += alphabet[int(alphabet.length)]
      return s
    },
    fork: (label) => make(`${seed}/${label}`)
  }
  return rng
}
