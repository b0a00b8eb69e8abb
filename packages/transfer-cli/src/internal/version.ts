/** @internal the package version, for `--version` and the manifest's producer */
export const version = "0.1.0"
