// Runs `npm run slo:gate` as a release pipeline would: a fresh process, its exit code and output.
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

export function runGate(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register", "tools/slo-gate.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
