/**
 * Times as a person reads them in a table: how long ago (`3h ago`), and when, in local time
 * (`2026-12-07 13:40`).
 *
 * @since 0.3.0
 */

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["y", 365 * 86_400_000],
  ["mo", 30 * 86_400_000],
  ["w", 7 * 86_400_000],
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000]
]

/** `5m ago`, `3h ago`, `2d ago`, `just now`, `in 2h` (a clock ahead of this one). @since 0.3.0 @category rendering */
export const ago = (date: Date, now: Date = new Date()): string => {
  const ms = now.getTime() - date.getTime()
  const abs = Math.abs(ms)
  for (const [unit, size] of UNITS) {
    if (abs >= size) {
      const n = Math.floor(abs / size)
      return ms >= 0 ? `${n}${unit} ago` : `in ${n}${unit}`
    }
  }
  return "just now"
}

const pad = (n: number) => String(n).padStart(2, "0")

/** `2026-12-07 13:40`, local time. @since 0.3.0 @category rendering */
export const local = (date: Date): string =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`

/** `3h ago (2026-12-07 10:40)`. @since 0.3.0 @category rendering */
export const both = (date: Date, now: Date = new Date()): string => `${ago(date, now)} (${local(date)})`
