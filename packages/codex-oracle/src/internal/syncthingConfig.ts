/**
 * The offline edits to a freshly generated Syncthing `config.xml` (1.19): GUI/REST API and sync
 * listener on loopback ports, our API key, and everything that would reach the network
 * (announce, relays, NAT/STUN, usage and crash reports, upgrades) off. Written before the first
 * start, so the instance never touches anything but 127.0.0.1.
 */

/** @internal */
export interface Loopback {
  readonly guiPort: number
  readonly syncPort: number
  readonly apiKey: string
}

const option = (name: string, value: string) => ({
  pattern: new RegExp(`<${name}>[^<]*</${name}>`, "g"),
  replacement: `<${name}>${value}</${name}>`
})

/**
 * `xml` with the edits applied, or the first edit that did not land (a regular expression that
 * matches nothing is silent, and an instance started with the defaults would go online).
 *
 * @internal
 */
export const configure = (xml: string, loopback: Loopback): { readonly xml: string } | { readonly missing: string } => {
  // `<address>` also appears in the device and defaults sections: only the one inside <gui>.
  let out = xml.replace(
    /(<gui\b[^>]*>(?:(?!<\/gui>)[\s\S])*?)<address>[^<]*<\/address>/,
    `$1<address>127.0.0.1:${loopback.guiPort}</address>`
  )
  const edits = [
    option("apikey", loopback.apiKey),
    option("listenAddress", `tcp://127.0.0.1:${loopback.syncPort}`),
    option("globalAnnounceEnabled", "false"),
    option("localAnnounceEnabled", "false"),
    option("relaysEnabled", "false"),
    // also turns STUN off
    option("natEnabled", "false"),
    option("startBrowser", "false"),
    option("urAccepted", "-1"),
    option("autoUpgradeIntervalH", "0"),
    option("crashReportingEnabled", "false")
  ]
  for (const edit of edits) out = out.replace(edit.pattern, edit.replacement)
  const wanted = [`<address>127.0.0.1:${loopback.guiPort}</address>`, ...edits.map((edit) => edit.replacement)]
  const missing = wanted.find((text) => !out.includes(text))
  return missing === undefined ? { xml: out } : { missing }
}
