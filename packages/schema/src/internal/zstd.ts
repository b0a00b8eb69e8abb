import { Chunk, Effect, Stream } from "effect"
import { Decompress } from "fzstd"

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const

/** @internal true when bytes start with the zstd frame magic number. */
export const isZstd = (head: Uint8Array): boolean => MAGIC.every((byte, i) => head[i] === byte)

/**
 * @internal
 * Passes plain bytes through and decompresses zstd ones, chosen by the first chunk's magic
 * number. Decompression runs chunk by chunk: memory stays at one zstd window.
 */
export const maybeDecompress = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  onCorrupt: (reason: string) => E
): Stream.Stream<Uint8Array, E, R> =>
  Stream.suspend(() => {
    let decided = false
    let decoder: Decompress | undefined
    let out: Array<Uint8Array> = []
    const push = (chunk: Uint8Array, final: boolean): Effect.Effect<Chunk.Chunk<Uint8Array>, E> =>
      Effect.try({
        try: () => {
          decoder!.push(chunk, final)
          const ready = out
          out = []
          return Chunk.unsafeFromArray(ready)
        },
        catch: (cause) => onCorrupt(`zstd: ${cause instanceof Error ? cause.message : String(cause)}`)
      })
    const body = bytes.pipe(
      Stream.mapChunksEffect((chunks): Effect.Effect<Chunk.Chunk<Uint8Array>, E> => {
        if (!decided && Chunk.isNonEmpty(chunks)) {
          decided = true
          if (isZstd(Chunk.headNonEmpty(chunks))) {
            decoder = new Decompress((data) => {
              out.push(data)
            })
          }
        }
        if (decoder === undefined) return Effect.succeed(chunks)
        return Effect.forEach(chunks, (chunk) => push(chunk, false)).pipe(
          Effect.map((parts) => Chunk.flatten(Chunk.unsafeFromArray(parts)))
        )
      })
    )
    const flush = Stream.suspend(() =>
      decoder === undefined ? Stream.empty : Stream.flattenChunks(Stream.fromEffect(push(new Uint8Array(0), true)))
    )
    return Stream.concat(body, flush)
  })
