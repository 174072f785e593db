/** The package version, shown by `--version` and written into outputs' provenance. */
export const VERSION = "0.1.0";
