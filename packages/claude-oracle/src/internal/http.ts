import type * as Http from "node:http"
import * as Zlib from "node:zlib"

/** The body as text after content decoding; "" when it cannot be decoded. */
export const decodeBody = (raw: Buffer, encoding: string | undefined): string => {
  try {
    switch (encoding) {
      case "gzip":
        return Zlib.gunzipSync(raw).toString("utf8")
      case "deflate":
        return Zlib.inflateSync(raw).toString("utf8")
      case "br":
        return Zlib.brotliDecompressSync(raw).toString("utf8")
      default:
        return raw.toString("utf8")
    }
  } catch {
    return ""
  }
}

export const parseJson = (text: string): unknown => {
  if (text.length === 0) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export const flatHeaders = (headers: Http.IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([k, v]) => v === undefined ? [] : [[k, Array.isArray(v) ? v.join(", ") : v]])
  )

export const sendJson = (res: Http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}
