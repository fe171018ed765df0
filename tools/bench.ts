// npm run bench: wall time of the offline plan per stack (median of 5 runs, each a fresh process as
// a user runs it), next to the time node needs merely to load the four Pulumi packages; the same
// plans with --render (Helm 3 renders every release from the chart cache) and the time that adds;
// then the plan of generated fleets of 1, 10 and 50 clusters (prod settings, one hub and the rest
// spokes); last, once each, what the render checks add to npm test.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";

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
    const plain = new Map<string, number>();
    for (const stack of ["dev", "prod"]) {
        const seconds = measure(["-r", "ts-node/register", "tools/plan.ts", "--stack", stack, "--out", path.join(out, stack)]);
        plain.set(stack, seconds);
        console.log(`plan ${stack.padEnd(4)}: ${seconds.toFixed(2)} s median of ${RUNS} = ${(seconds / floor).toFixed(2)}x the load floor`);
    }
    benchRender(out, plain);
    benchFleets(out);
    benchRenderTests();
} finally {
    fs.rmSync(out, { recursive: true, force: true });
}

/** The plans with --render, against the same plans without (charts from the cache: run npm run charts first). */
function benchRender(out: string, plain: ReadonlyMap<string, number>): void {
    const added = new Map<string, number>();
    for (const stack of ["dev", "prod"]) {
        const planDir = path.join(out, `${stack}-rendered`);
        const seconds = measure(["-r", "ts-node/register", "tools/plan.ts", "--stack", stack, "--out", planDir, "--render"]);
        const manifests = fs.readdirSync(path.join(planDir, "manifests")).length;
        added.set(stack, seconds - plain.get(stack)!);
        console.log(
            `plan ${stack.padEnd(4)} --render: ${seconds.toFixed(2)} s median of ${RUNS}, ${manifests} release manifests; ` +
                `--render adds ${added.get(stack)!.toFixed(2)} s to the plan's ${plain.get(stack)!.toFixed(2)} s`,
        );
    }
    const prod = added.get("prod")!;
    console.log(`render target: --render of prod adds at most 3 s: ${prod <= 3 ? "met" : "MISSED"} (adds ${prod.toFixed(2)} s)`);
}

/**
 * What the render checks add to npm test: filling the chart cache when it is warm, and the suites
 * that render (test/rendered.test.ts: five stacks rendered and validated), run once each.
 */
function benchRenderTests(): void {
    const charts = timeProcess(["-r", "ts-node/register", "tools/fetch-charts.ts"]);
    const mocha = require.resolve("mocha/bin/mocha.js");
    const rendered = timeProcess([mocha, "--no-config", "-r", "ts-node/register", "--extension", "ts", "--timeout", "180000", "test/rendered.test.ts"]);
    console.log(
        `npm test's render checks: chart cache (warm) ${charts.toFixed(2)} s, test/rendered.test.ts ${rendered.toFixed(2)} s ` +
            `(5 stacks rendered and validated, one run each)`,
    );
}

/** A prod stack file with `size` clusters: the hub and size-1 spokes spread over a few regions. */
function fleetStackFile(dir: string, size: number): string {
    const regions = ["asia-northeast3", "us-central1", "europe-west1", "us-east1", "asia-southeast1"];
    const clusters = Array.from({ length: size }, (_, i) => ({
        name: i === 0 ? "hub-gke" : `spoke-${String(i).padStart(3, "0")}`,
        location: regions[i % regions.length],
        role: i === 0 ? "hub" : "spoke",
    }));
    const file = path.join(dir, `Pulumi.fleet-${size}.yaml`);
    fs.writeFileSync(
        file,
        stringify({
            config: {
                "gcp:project": "acme-observability-prod",
                "gcp:region": "asia-northeast3",
                "observability-platform:tier": "long-term",
                "observability-platform:metricsBackend": "mimir",
                "observability-platform:clusters": clusters,
                "observability-platform:fleet": { hub: { host: "fleet.prod.acme-corp.example" } },
            },
        }),
    );
    return file;
}

function benchFleets(out: string): void {
    const rows: { size: number; seconds: number; resources: number }[] = [];
    for (const size of [1, 10, 50]) {
        const stackFile = fleetStackFile(out, size);
        const planDir = path.join(out, `fleet-${size}`);
        const args = ["-r", "ts-node/register", "tools/plan.ts", "--stack", `fleet-${size}`, "--stack-file", stackFile, "--out", planDir];
        const seconds = measure(args);
        const resources = (JSON.parse(fs.readFileSync(path.join(planDir, "resources.json"), "utf8")) as unknown[]).length;
        rows.push({ size, seconds, resources });
        console.log(
            `plan fleet of ${String(size).padStart(2)} cluster(s): ${seconds.toFixed(2)} s median of ${RUNS}, ` +
                `${resources} resources, ${((seconds * 1000) / size).toFixed(0)} ms per cluster`,
        );
    }
    const ten = rows.find((r) => r.size === 10)!;
    const fifty = rows.find((r) => r.size === 50)!;
    // Targets: 50 clusters within 10 s, and per-cluster time roughly constant (50 <= 1.5 x 5 x 10).
    console.log(
        `fleet targets: 50 clusters ${fifty.seconds.toFixed(2)} s (target <= 10 s: ${fifty.seconds <= 10 ? "met" : "MISSED"}); ` +
            `50/10 ratio ${(fifty.seconds / ten.seconds).toFixed(2)} (target <= 7.5: ${fifty.seconds <= 7.5 * ten.seconds ? "met" : "MISSED"})`,
    );
}
