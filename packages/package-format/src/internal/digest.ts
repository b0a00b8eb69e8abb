/**
 * The SHA-256 of a file's bytes, read in chunks through one reused buffer: what the exchange's
 * file checks and a peer archive's identity both need.
 *
 * @internal
 */
import { createHash } from "node:crypto"
import * as FileChunks from "../FileChunks.js"

/** reused by every digest: FileChunks hands out views of it, each consumed before the next read */
const digestBuffer = Buffer.allocUnsafe(FileChunks.CHUNK_SIZE)

/** @internal 64 hex; throws what reading throws. `noFollow`: a symlink at `path` is refused, not followed */
export const sha256OfFile = (path: string, options: { readonly noFollow: boolean }): string => {
  const hash = createHash("sha256")
  for (const chunk of FileChunks.read(path, { noFollow: options.noFollow, buffer: digestBuffer })) hash.update(chunk)
  return hash.digest("hex")
}
