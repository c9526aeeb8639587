/**
 * A failure the CLI reports as its own lines and exit code, without a stack trace. Apart from context.ts so
 * that `--help` and an unknown command load no config schema or store.
 */
export class CliError extends Error {
  constructor(
    readonly lines: string[],
    readonly exitCode: number,
  ) {
    super(lines.join('\n'));
  }
}
