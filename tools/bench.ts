// npm run bench: wall time of the offline plan per stack (median of 5 runs, each a fresh process as
// a user runs it), next to the time node needs merely to load the four Pulumi packages.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = 5;

function timeProcess(args: string[]): number {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stderr}`);
    return seconds;
}

function median(samples: number[]): number {
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function measure(args: string[]): number {
    return median(Array.from({ length: RUNS }, () => timeProcess(args)));
}

const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
try {
    const floor = measure([
        "-e",
        "for (const p of ['@pulumi/pulumi', '@pulumi/kubernetes', '@pulumi/gcp', '@pulumi/random']) require(p);",
    ]);
    console.log(`load floor (node requiring @pulumi/pulumi, kubernetes, gcp, random): ${floor.toFixed(2)} s`);
    for (const stack of ["dev", "prod"]) {
        const seconds = measure(["-r", "ts-node/register", "tools/plan.ts", "--stack", stack, "--out", path.join(out, stack)]);
        console.log(`plan ${stack.padEnd(4)}: ${seconds.toFixed(2)} s median of ${RUNS} = ${(seconds / floor).toFixed(2)}x the load floor`);
    }
} finally {
    fs.rmSync(out, { recursive: true, force: true });
}
