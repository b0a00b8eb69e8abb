/**
 * Hard negatives: what transcripts hold that looks random but is no secret (git SHAs, SHA-256
 * digests, UUIDs, lockfile integrity hashes, go.sum hashes, minified JS, public keys, `.env`
 * lines without a secret). Planted like secrets, into copies of the fixtures, to count the false
 * findings where entropy rules misfire.
 */
import { createPublicKey } from "node:crypto"
import type { Kind, Secret } from "./Kinds.js"
import * as Keys from "./Keys.js"
import { ALNUM_LOWER, BASE62, HEX, type Rng } from "./Rng.js"

const negative = (kind: string, make: (rng: Rng) => { readonly output: string; readonly command: string }): Kind => ({
  kind,
  family: /$^/,
  make: (rng) => {
    const { command, output } = make(rng)
    const s: Secret = { kind, family: /$^/, value: output, parts: [], shape: "block", envName: "", command, output }
    return s
  }
})

const uuid = (rng: Rng): string => {
  const h = rng.bytes(16).toString("hex")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const lines = (n: number, line: (i: number) => string): string => Array.from({ length: n }, (_, i) => line(i)).join("\n") + "\n"

const SUBJECTS = ["Fix flaky test", "Bump deps", "Add retry to uploader", "Refactor config loader", "Docs: install steps", "Merge branch 'main'"]
const AUTHORS = ["Ana Lima", "Sam Park", "Kim Ito", "dependabot[bot]"]
const PACKAGES = ["react", "lodash", "zod", "effect", "esbuild", "undici", "semver", "picomatch"]

const publicKeyPem = (rng: Rng): string => createPublicKey(Keys.ecP256(rng)).export({ format: "pem", type: "spki" }).toString()

export const NEGATIVES: ReadonlyArray<Kind> = [
  negative("git-log", (r) => ({
    command: "git log -n 6 --format='%H %an %s'",
    output: lines(6, () => `${r.bytes(20).toString("hex")} ${r.pick(AUTHORS)} ${r.pick(SUBJECTS)}`)
  })),
  negative("git-oneline", (r) => ({
    command: "git log --oneline -n 8 && git rev-parse HEAD",
    output: lines(8, () => `${r.bytes(4).toString("hex").slice(0, 7)} ${r.pick(SUBJECTS)}`) + `${r.bytes(20).toString("hex")}\n`
  })),
  negative("sha256sum", (r) => ({
    command: "sha256sum dist/*",
    output: lines(4, (i) => `${r.bytes(32).toString("hex")}  dist/app-1.${i}.${r.int(9)}-linux-x64.tar.gz`)
  })),
  negative("uuids", (r) => ({
    command: "kubectl get pods -o custom-columns=NAME:.metadata.name,UID:.metadata.uid",
    output: "NAME                          UID\n" + lines(5, () => `api-${r.chars(ALNUM_LOWER, 10)}-${r.chars(ALNUM_LOWER, 5)}   ${uuid(r)}`)
  })),
  negative("docker-digests", (r) => ({
    command: "docker images --digests",
    output: "REPOSITORY        TAG       DIGEST                                                                    IMAGE ID       SIZE\n" +
      lines(4, () => `acme/api          ${r.pick(["latest", "1.4.2", "main"])}    sha256:${r.bytes(32).toString("hex")}   ${r.bytes(6).toString("hex")}   ${r.between(80, 900)}MB`)
  })),
  negative("package-lock", (r) => ({
    command: "sed -n 1,40p package-lock.json",
    output: JSON.stringify(
      {
        packages: Object.fromEntries(r.pick([PACKAGES.slice(0, 3), PACKAGES.slice(3, 6), PACKAGES.slice(5)]).map((p) => {
          const v = `${r.between(1, 9)}.${r.between(0, 20)}.${r.between(0, 9)}`
          return [`node_modules/${p}`, { version: v, resolved: `https://registry.npmjs.org/${p}/-/${p}-${v}.tgz`, integrity: `sha512-${r.bytes(64).toString("base64")}`, license: "MIT" }]
        }))
      },
      null,
      2
    ) + "\n"
  })),
  negative("go-sum", (r) => ({
    command: "cat go.sum",
    output: lines(6, (i) => {
      const mod = r.pick(["github.com/spf13/cobra", "golang.org/x/sys", "github.com/stretchr/testify", "google.golang.org/grpc"])
      return `${mod} v1.${r.between(0, 60)}.${r.between(0, 9)}${i % 2 ? "/go.mod" : ""} h1:${r.bytes(32).toString("base64")}`
    })
  })),
  negative("pip-hashes", (r) => ({
    command: "cat requirements.lock",
    output: lines(3, () => `${r.pick(["requests", "urllib3", "certifi", "idna"])}==2.${r.between(0, 32)}.${r.between(0, 9)} \\\n    --hash=sha256:${r.bytes(32).toString("hex")}`)
  })),
  negative("minified-js", (r) => {
    const id = () => r.chars("abcdefghijklmnopqrstuvwxyz", 1) + r.chars(BASE62, r.between(0, 2))
    const chunks = Object.fromEntries(Array.from({ length: 6 }, () => [r.between(100, 999), r.bytes(4).toString("hex")]))
    return {
      command: "head -c 600 dist/assets/index.js",
      output: `!function(){"use strict";var ${id()}={},${id()}=function(${id()},${id()}){return ${id()}.call(this,${id()})||this};` +
        `__webpack_require__.u=function(e){return"static/js/"+e+"."+${JSON.stringify(chunks)}[e]+".chunk.js"};` +
        `var ${id()}="${r.bytes(24).toString("base64")}",${id()}=new Uint8Array([${Array.from(r.bytes(12)).join(",")}]);` +
        `function ${id()}(t,n){for(var o=0;o<n.length;o++){var i=n[o];i.enumerable=i.enumerable||!1}}` +
        `}();\n//# sourceMappingURL=index.${r.bytes(4).toString("hex")}.js.map\n`
    }
  }),
  negative("env-plain", (r) => ({
    command: "cat .env.example && printenv | grep -E 'CI|GIT'",
    output: [
      "NODE_ENV=development",
      `PORT=${r.pick(["3000", "8080", "5173"])}`,
      `DATABASE_URL=postgres://localhost:5432/app_dev`,
      `REDIS_URL=redis://127.0.0.1:6379/0`,
      `API_BASE_URL=https://api.${r.pick(["acme-corp.io", "example.com"])}/v1`,
      "OPENAI_API_KEY=",
      "STRIPE_SECRET_KEY=sk_test_your_key_here",
      "AWS_REGION=eu-west-1",
      `GIT_COMMIT=${r.bytes(20).toString("hex")}`,
      `CI_PIPELINE_ID=${r.between(100000000, 999999999)}`,
      `BUILD_ID=${uuid(r)}`,
      `CONTENT_HASH=${r.bytes(32).toString("hex")}`,
      `IMAGE_DIGEST=sha256:${r.bytes(32).toString("hex")}`
    ].join("\n") + "\n"
  })),
  negative("public-keys", (r) => ({
    command: "cat ~/.ssh/id_ed25519.pub certs/signing.pub",
    output: `${Keys.openSshEd25519Public(r, `${r.pick(["dev", "ci"])}@${r.pick(["laptop", "build-01"])}`)}\n${publicKeyPem(r)}`
  })),
  negative("base64-image", (r) => ({
    command: "base64 -w0 docs/logo.png | head -c 300",
    output: `iVBORw0KGgoAAAANSUhEUgAAA${r.bytes(200).toString("base64")}\n`
  })),
  negative("hex-ids", (r) => ({
    command: "aws ec2 describe-instances --query 'Reservations[].Instances[].InstanceId' && ls ~/.cache/sccache",
    output: lines(4, () => `i-${r.chars(HEX, 17)}`) + lines(3, () => r.bytes(16).toString("hex"))
  }))
]
