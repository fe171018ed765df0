// Runs `npm run slo:gate` as a release pipeline would: its exit code and output. `runGateProcess`
// starts a fresh process, as the pipeline does (one case does); `runGate` runs the same command in
// the test's process (test/support/command.ts).
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { sloGateCommand } from "../../tools/slo-gate";
import { runCommand, type CommandRun } from "./command";

const ROOT = path.resolve(__dirname, "..", "..");

export function runGateProcess(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register", "tools/slo-gate.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const runGate = (args: string[]): Promise<CommandRun> => runCommand(sloGateCommand, args);
