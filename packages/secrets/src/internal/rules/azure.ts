/**
 * Azure: a storage account key or a Service Bus / Event Hubs shared access key in a connection
 * string (the key only), the signature of a SAS URL or token (`sig=`, only next to the
 * `sv=`/`se=` fields of a SAS, so that other `sig=` parameters pass), and an Entra ID (Azure
 * AD) client secret (`xxx8Q~…`, 40 characters).
 */
import { matches, type Range, type Rule } from "./rule.js"

const ACCOUNT_KEY = /(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{86}==|[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])/dg

const SAS_SIGNATURE = /[?&;]sig=([A-Za-z0-9%+/]{40,}(?:%3D|%3d|=){0,2})(?![A-Za-z0-9%+/=])/dg

// the fields every SAS has besides its signature: signed version, expiry, permissions
const SAS_FIELDS = /[?&;](?:sv|se|sp|spr|srt|ss|sr)=/

const CLIENT_SECRET = /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g

/** the query a SAS signature stands in: from the last space or quote before it to the next */
const sasQuery = (text: string, [start, end]: Range): string => {
  const from = Math.max(0, start - 600)
  const before = text.slice(from, start)
  const opening = Math.max(before.lastIndexOf(" "), before.lastIndexOf("\n"), before.lastIndexOf("\""), before.lastIndexOf("'"))
  return before.slice(opening + 1) + text.slice(end, end + 600).split(/[\s"']/, 1)[0]
}

export const azure: Rule = {
  name: "azure",
  kind: "azure",
  needs: ["AccountKey=", "SharedAccessKey=", "sig=", "Q~"],
  *find(text) {
    if (text.includes("AccountKey=") || text.includes("SharedAccessKey=")) yield* matches(ACCOUNT_KEY, text, 1)
    if (text.includes("sig=")) {
      for (const range of matches(SAS_SIGNATURE, text, 1)) if (SAS_FIELDS.test(sasQuery(text, range))) yield range
    }
    if (text.includes("Q~")) yield* matches(CLIENT_SECRET, text)
  }
}
