// Runs a command-line tool in the test's own process: its main with the arguments a shell would pass,
// its exit code (an escaped error reported as the tool reports it), and what it wrote to stdout and
// stderr. A fresh process per case costs seconds of start-up (TypeScript, the Pulumi SDK) on the
// 2-core machines the suite runs on; each tool's entry point is still run once as a real process
// (plan.test.ts, cost.test.ts, slo-gate.test.ts, policy.test.ts, plan-diff.test.ts).
import { exitCode, type Command } from "../../tools/cli";

export interface CommandRun {
    status: number;
    stdout: string;
    stderr: string;
}

/** `cmd` with `args`. Tests of a file run one at a time, so nothing else writes while the output is taken. */
export async function runCommand(cmd: Command, args: string[]): Promise<CommandRun> {
    const out = { stdout: "", stderr: "" };
    const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
    for (const name of ["stdout", "stderr"] as const) {
        process[name].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
            out[name] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
            const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
            done?.();
            return true;
        }) as typeof process.stdout.write;
    }
    try {
        const status = await exitCode(cmd, args);
        return { status, ...out };
    } finally {
        process.stdout.write = writes.stdout;
        process.stderr.write = writes.stderr;
    }
}
