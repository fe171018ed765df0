// How every command-line tool ends: with the exit code its main returns, or, when an error escapes
// it, a message on stderr and the tool's failure code. A stack config error is the user's and reads
// as itself; any other names the tool, with the stack trace where the tool asks for it (an
// unexpected error in the plan is a bug to report).
import { ConfigError } from "../components/config/errors";

export interface CliOptions {
    /** Exit code of an escaped error (default 1). */
    readonly failure?: number;
    /** Print the stack trace of an escaped error that is not a config error. */
    readonly stack?: boolean;
}

export function runCli(tool: string, main: () => Promise<number>, options: CliOptions = {}): void {
    main().then(
        (code) => process.exit(code),
        (err: unknown) => {
            const detail = err instanceof Error ? ((options.stack ? err.stack : undefined) ?? err.message) : String(err);
            console.error(err instanceof ConfigError ? err.message : `${tool}: ${detail}`);
            process.exit(options.failure ?? 1);
        },
    );
}
