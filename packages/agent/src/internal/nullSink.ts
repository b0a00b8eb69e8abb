/**
 * A package sink that writes nothing, for scans that read what an export would write.
 */
import { FileChunks, type Manifest, PackageError, type PackageWriter } from "@sessionport/package-format"
import { Effect, Stream } from "effect"
import { Buffer } from "node:buffer"

/**
 * A sink that writes nothing: it reads each file on disk (so that a guard's observers see its
 * bytes) and drains each stream. A dry run's scan, and `scan`'s.
 */
export const nullSink = (out: string): PackageWriter.PackageSink => {
  const noFile = (path: string, size: number): Manifest.PackageFile => ({ path, size, sha256: "" })
  const read = async (entry: PackageWriter.FileOnDisk, onBytes: ((bytes: number) => void) | undefined) => {
    let size = 0
    if (entry.size > 0) {
      for (const chunk of FileChunks.open(entry.source, { length: entry.size })) {
        size += chunk.byteLength
        await entry.observe?.(chunk)
        onBytes?.(chunk.byteLength)
      }
    }
    return noFile(entry.path, size)
  }
  const failed = (entry: string) => (error: unknown) =>
    error instanceof PackageError.PackageError ? error : new PackageError.PackageError({
      reason: "io",
      package: out,
      entry,
      detail: error instanceof Error ? error.message : String(error)
    })
  return {
    add: (entry) => Effect.map(Stream.runFold(entry.content, 0, (n, chunk) => n + chunk.byteLength), (size) => noFile(entry.path, size)),
    addBytes: (path, bytes) => Effect.succeed(noFile(path, typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.byteLength)),
    addFile: (entry, onBytes) => Effect.tryPromise({ try: () => read(entry, onBytes), catch: failed(entry.path) }),
    addFiles: (entries, onBytes) =>
      Effect.tryPromise({
        try: async () => {
          const files: Array<Manifest.PackageFile> = []
          for (const entry of entries) files.push(await read(entry, onBytes))
          return files
        },
        catch: (error) => failed("")(error)
      }),
    commit: Effect.void
  }
}
