// How every command-line tool ends: with the exit code its main returns, or, when an error escapes
// it, a message on stderr and the tool's failure code. A stack config error is the user's and reads
// as itself; any other names the tool, with the stack trace where the tool asks for it (an
// unexpected error in the plan is a bug to report). A command is also a value its tests run in their
// own process (exitCode), with the arguments a shell would pass.
import { ConfigError } from "../components/config/errors";

export interface CliOptions {
    /** Exit code of an escaped error (default 1). */
    readonly failure?: number;
    /** Print the stack trace of an escaped error that is not a config error. */
    readonly stack?: boolean;
}

export interface Command {
    readonly tool: string;
    /** Takes the command line's arguments (after the script), returns the exit code. */
    readonly main: (args: string[]) => Promise<number>;
    readonly options: CliOptions;
}

export const command = (tool: string, main: Command["main"], options: CliOptions = {}): Command => ({ tool, main, options });

/** The command's exit code for `args`; an escaped error is reported on stderr as the tool's failure. */
export async function exitCode(cmd: Command, args: string[]): Promise<number> {
    try {
        return await cmd.main(args);
    } catch (err) {
        // A misspelt or missing option is the user's: its message, never a stack trace.
        const usage = err instanceof Error && String((err as NodeJS.ErrnoException).code ?? "").startsWith("ERR_PARSE_ARGS_");
        const detail = err instanceof Error ? ((cmd.options.stack && !usage ? err.stack : undefined) ?? err.message) : String(err);
        console.error(err instanceof ConfigError ? err.message : `${cmd.tool}: ${detail}`);
        return cmd.options.failure ?? 1;
    }
}

/** Runs the command on the process's arguments and exits with its code. */
export function runCli(cmd: Command): void {
    exitCode(cmd, process.argv.slice(2)).then((code) => process.exit(code));
}
