/**
 * Made-up secrets in the formats the credential rules look for, and the skill files of issue 11
 * (twelve credentials among eight innocent files). Secrets are put together at run time, so no
 * secret-shaped literal sits in this source for a repository's secret scanning to flag.
 *
 * @since 0.1.0
 */

const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`

/**
 * A throwaway EC P-256 key (`openssl ecparam -genkey`), SEC1 PEM: a small key, body `MH…`.
 *
 * @since 0.1.0
 * @category samples
 */
export const ecPrivateKey = pem(
  "EC " + "PRIVATE KEY",
  [
    "MHcCAQEEIFO0ELmR3uOiqrxQ5/16rVfHYjlcwDiACohMuyHDh8JioAoGCCqGSM49",
    "AwEHoUQDQgAEe9KBT9qxtcP8ytNYyat2rfYDyT38c3jAZAseIt3yLbohN7Fasars",
    "Mz+MfOSI3RI8mGs+Yjve9OJYWu020/9HMw=="
  ].join("\n")
)

/** The same key as PKCS#8 (`openssl pkey`). @since 0.1.0 @category samples */
export const pkcs8PrivateKey = pem(
  "PRIVATE" + " KEY",
  [
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgU7QQuZHe46KqvFDn",
    "/XqtV8diOVzAOIAKiEy7IcOHwmKhRANCAAR70oFP2rG1w/zK01jJq3at9gPJPfxz",
    "eMBkCx4i3fItuiE3sVqxquwzP4x85IjdEjyYaz5iO9704lha7TbT/0cz"
  ].join("\n")
)

/**
 * A Google Cloud service account key file: JSON whose `private_key` is a PEM key.
 *
 * @since 0.1.0
 * @category samples
 */
export const serviceAccountJson = JSON.stringify(
  {
    type: "service_account",
    project_id: "sample-project",
    private_key_id: "0123456789abcdef0123456789abcdef01234567",
    private_key: pkcs8PrivateKey,
    client_email: "sample@sample-project.iam.gserviceaccount.com",
    client_id: "123456789012345678901"
  },
  null,
  2
) + "\n"

/**
 * A PKCS#12 file (`openssl pkcs12 -export` of the key above and a self-signed certificate,
 * password `x`).
 *
 * @since 0.1.0
 * @category samples
 */
export const pkcs12 = Buffer.from(
  [
    "MIID/AIBAzCCA7IGCSqGSIb3DQEHAaCCA6MEggOfMIIDmzCCAlIGCSqGSIb3DQEHBqCCAkMwggI/AgEAMIICOAYJKoZIhvcNAQcB",
    "MFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhRdowmOW6QRwICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEMYK",
    "ygWDD3h3ZK7KulzL19SAggHQ1/+Sgxe3zu6fFcNE2WC1g5Gv1QVqewZvgaItll9OJ4ea20oTV/NbGkO/OkvP4J11PevCiuE2PN8h",
    "76mUZ7Yd5Bcs/yXfKFVkshFSztLIRJ7yuLm0WaY52DOFonLOSWK504PKPtLh1EIIS2mNK8BaMfvoxxZSoslW3UuVDiL0b9UOYu+L",
    "4FAMN5vTRYoQfqjLQAjnh3hMQGI74MjEHZvubS1uRzDDGBGFqIJRBaofHpUK3Xr6grrspOf2WS0sr9G4Fupha3m5UcGwAjuF5ZMy",
    "NzbDFooSGpiRGfE45Ei0dB3p8Odw+0X5TCMyH87wb+aUnf/xDxzLwPCgfrw7D/5mRZoPJbHgzqK5FYESNvAN4HQXdX7DDQ7KJWVc",
    "EOkKeyVh5HH558VOwe7L6vimNOobngbjtbwmfclzXT1Nc6aP7iE05TO2FsZdRyVlwF9g/RdzY5YFnrDCpPwGFhg8oVmhWA9c1LrO",
    "nH3rp992jRNl495F95S7+AwfVmqNXHHYN//4aIolSMyTxmol8GpJQ2+P1gHqjds8udcn9ZcUKMg+BhQPuBBX2udBBSa/3iGcWCRo",
    "/MjAsyZPGk9IlCLg8rxNjh+sTOD0v07sHxPBxpo59IAwggFBBgkqhkiG9w0BBwGgggEyBIIBLjCCASowggEmBgsqhkiG9w0BDAoB",
    "AqCB7zCB7DBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQIn32xghyhJsICAggAMAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUD",
    "BAEqBBBB7tGQWXbM4HeaC1Nt0PAmBIGQPkfrH0jkQvcFszmpZTigIA+vwnzVbYwgUzdGLicUEg1BeuFOqaHW93ByYpgWirjjaNN5",
    "MVPXB6jumAk0JWDmvmh/ULbPgrgOvcr6ktD1pXOzv7pPG97zVBs1fVpPyHFSFeRRuTT3gBHsdzLTcbth+RSp68q4aGxKYx5U7HRX",
    "UW0++mT0FHIUY9/7ibEJFWkUMSUwIwYJKoZIhvcNAQkVMRYEFLZUlnVfJL4kNxDgULibFOwoB8Y6MEEwMTANBglghkgBZQMEAgEF",
    "AAQgO95UFEkCn2cBXeBEWxqCscZWT4cjZChnceYDUARNuW8ECGevgn0I+KhRAgIIAA=="
  ].join(""),
  "base64"
)

/**
 * An OpenAI project key: `sk-proj-`, 74 characters, `T3BlbkFJ` ("OpenAI" in base64), 74 more.
 *
 * @since 0.1.0
 * @category samples
 */
export const openaiKey = "sk-" + "proj-" + "Ab3_".repeat(18) + "xy" + "T3Blbk" + "FJ" + "Zq9-".repeat(18) + "pq"

/** An Anthropic key: `sk-ant-api03-`, 93 characters, `AA`. @since 0.1.0 @category samples */
export const anthropicKey = "sk-" + "ant-api03-" + "Qx7_Lm2-Vb".repeat(9) + "Rt4" + "AA"

/** A GitHub classic personal access token: `ghp_` and 36 characters. @since 0.1.0 @category samples */
export const githubToken = "gh" + "p_" + "a1B2c3D4e5".repeat(3) + "F6g7H8"

/** A GitHub fine-grained token: `github_pat_` and 82 characters. @since 0.1.0 @category samples */
export const githubPat = "github" + "_pat_" + "11ABCDEFG0".repeat(8) + "xy"

/** An AWS access key id: `AKIA` and 16 capitals or digits. @since 0.1.0 @category samples */
export const awsAccessKeyId = "AK" + "IA" + "QW3RTY7U1OP4SDFG"

/** An npm access token: `npm_` and 36 characters. @since 0.1.0 @category samples */
export const npmToken = "np" + "m_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"

/** A PyPI API token: `pypi-` and a macaroon for pypi.org. @since 0.1.0 @category samples */
export const pypiToken = "py" + "pi-" + "AgEIcHlwaS5vcmc" + "CJDk2ZWU3YjQ1LTk2ZmQtNGE0OS1hM2ZkLTU3NjBkNDA2ZGVmNQ"

/**
 * A skill file of the issue-11 test: where it sits under `skills/`, its content, and the rule
 * that must leave it out (`undefined`: it travels).
 *
 * @since 0.1.0
 * @category models
 */
export interface PlantedFile {
  readonly path: string
  readonly content: string | Buffer
  readonly rule: string | undefined
}

/**
 * The twenty files of issue 11, in two skills: the twelve credentials the old name filter let
 * through, and eight innocent files that name or use secrets without holding one.
 *
 * @since 0.1.0
 * @category samples
 */
export const plantedSkillFiles: ReadonlyArray<PlantedFile> = [
  // credentials
  { path: "deploy/.npmrc", content: `//registry.npmjs.org/:_authToken=${npmToken}\n`, rule: "auth-config-file" },
  { path: "deploy/.pypirc", content: `[pypi]\nusername = __token__\npassword = ${pypiToken}\n`, rule: "auth-config-file" },
  { path: "deploy/.envrc", content: `export GITHUB_TOKEN=${githubToken}\n`, rule: "env-file" },
  { path: "deploy/credentials/prod.json", content: `{"user": "deploy", "key": "${awsAccessKeyId}"}\n`, rule: "credential-folder" },
  { path: "deploy/secrets/prod.yaml", content: `db_password: "hunter2-is-not-enough"\n`, rule: "credential-folder" },
  { path: "deploy/service-account.json", content: serviceAccountJson, rule: "service-account-file" },
  { path: "deploy/cert.p12", content: pkcs12, rule: "key-file" },
  { path: "deploy/openai_key.txt", content: `${openaiKey}\n`, rule: "credential-name" },
  { path: "deploy/mytoken.txt", content: `${githubToken}\n`, rule: "credential-name" },
  { path: "deploy/github_pat.txt", content: `${githubPat}\n`, rule: "credential-name" },
  {
    path: "deploy/config.toml",
    content: `[service]\nendpoint = "https://api.example.com"\napi_key = "c0ffee-5ecret-4a7b9e21"\n`,
    rule: "secret-assignment"
  },
  { path: "deploy/scripts/setup.sh", content: `#!/bin/sh\nexport OPENAI_API_KEY=${openaiKey}\nexec "$@"\n`, rule: "openai" },
  // innocent
  { path: "deploy/SKILL.md", content: "# deploy\n\nShips the service. Needs a token in the environment.\n", rule: undefined },
  {
    path: "deploy/tokenizer.py",
    content: [
      "import os",
      "",
      "pad_token = \"[PAD]\"",
      "eos_token = \"</s>\"",
      "max_tokens = 4096",
      "api_key = os.environ[\"OPENAI_API_KEY\"]",
      "",
      "def count_tokens(text):",
      "    return len(text.split())",
      ""
    ].join("\n"),
    rule: undefined
  },
  {
    path: "deploy/README.md",
    content: "Set your api_key in the environment before running: `export OPENAI_API_KEY=...`.\n" +
      "The password prompt appears once; the token is never written to disk.\n",
    rule: undefined
  },
  {
    path: "notes/config.toml",
    content: "model = \"gpt-5\"\napi_key = \"\"\nenv_key = \"OPENAI_API_KEY\"\nmodel_max_output_tokens = 4096\n",
    rule: undefined
  },
  {
    path: "notes/scripts/run.sh",
    content: "#!/bin/sh\nexport OPENAI_API_KEY=\"${OPENAI_API_KEY:?set it first}\"\n" +
      "curl -s -H \"Authorization: Bearer $OPENAI_API_KEY\" https://api.openai.com/v1/models\n",
    rule: undefined
  },
  { path: "notes/assets/logo.png", content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), rule: undefined },
  {
    path: "notes/templates/workflow.yaml",
    content: "env:\n  token: ${{ secrets.GITHUB_TOKEN }}\n  password: \"\"\n",
    rule: undefined
  },
  { path: "notes/npm-setup.md", content: "Add `//registry.npmjs.org/:_authToken=${NPM_TOKEN}` to .npmrc.\n", rule: undefined }
]
