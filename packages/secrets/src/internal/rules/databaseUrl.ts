/**
 * Connection URLs of databases and message brokers with a password in them
 * (`postgres://user:password@host/db`, `mongodb+srv://…`, `redis://:password@…`, `amqp://…`,
 * JDBC URLs…). The range is the password only, so the URL stays readable once redacted. The
 * preset's `database-connection-string` reports the same URLs for three schemes; its ranges are
 * narrowed to the password the same way (see `preset.ts`).
 */
import { isPlaceholder } from "../text.js"
import type { Range, Rule } from "./rule.js"

const SCHEMES = [
  "postgres(?:ql)?",
  "mysqlx?",
  "mariadb",
  "mongodb(?:\\+srv)?",
  "rediss?",
  "valkey",
  "amqps?",
  "mssql",
  "sqlserver",
  "cockroachdb",
  "clickhouse",
  "couchdb",
  "couchbases?",
  "neo4j(?:\\+s|\\+ssc)?",
  "bolt",
  "cassandra",
  "memcached",
  "nats",
  "kafka",
  "oracle",
  "db2",
  "snowflake",
  "influxdb"
].join("|")

// the scheme ending where `://` starts (optionally `jdbc:` before, a driver suffix `+asyncpg` after)
const SCHEME = new RegExp(String.raw`(?<![A-Za-z0-9+.-])(?:jdbc:)?(?:${SCHEMES})(?:\+[a-z0-9]+)?$`, "i")

// from `://`: user (may be empty), password, `@`, a host
const CREDENTIALS = /:\/\/[^:@\/\s'"`<>]{0,128}:([^@\/\s'"`<>]{1,256})@[^\s@\/'"`<>]*[A-Za-z0-9]/dy

// words people put where a password goes in examples, and well-known defaults (RabbitMQ's guest)
const EXAMPLE_PASSWORD =
  /^(?:pass(?:word)?|secret|pwd|passwd|changeme|example|test|mypassword|yourpassword|root|admin|user|guest|postgres|\*+|x+|\.+)$/i

/** Whether a URL's password is a literal (not a stand-in, a template, a placeholder). */
export const isLiteralPassword = (password: string): boolean =>
  password.length >= 4 && !EXAMPLE_PASSWORD.test(password) && !isPlaceholder(password) && !/^\{.*\}$|^<.*>$/.test(password) &&
  !/^(.)\1+$/.test(password)

/** the password in a URL's `user:password@` (the first one), as offsets in `url` */
export const passwordOf = (url: string): Range | undefined => {
  const match = /:\/\/[^:@\/\s]*:([^@\/\s]+)@/d.exec(url)
  return match?.indices?.[1]
}

export const databaseUrl: Rule = {
  name: "database-url",
  kind: "database-url",
  needs: ["://"],
  *find(text) {
    // from each `://` (found fast), back to a scheme, on to the password
    for (let at = text.indexOf("://"); at !== -1; at = text.indexOf("://", at + 3)) {
      if (!SCHEME.test(text.slice(Math.max(0, at - 40), at))) continue
      CREDENTIALS.lastIndex = at
      const range = CREDENTIALS.exec(text)?.indices?.[1]
      if (range !== undefined && isLiteralPassword(text.slice(range[0], range[1]))) yield range
    }
  }
}
