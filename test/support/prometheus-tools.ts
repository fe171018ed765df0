// The real Prometheus tools (Debian packages prometheus and prometheus-alertmanager, installed by
// tools/install-prometheus-tools.sh from `npm test`): promtool, amtool and alertmanager.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";

function which(...names: string[]): string {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        for (const name of names) {
            const candidate = path.join(dir, name);
            if (fs.existsSync(candidate)) return candidate;
        }
    }
    throw new Error(`none of ${names.join(", ")} is installed: run tools/install-prometheus-tools.sh`);
}

export const promtoolPath = () => which("promtool");
/** Debian names the binary prometheus-blackbox-exporter. */
export const blackboxExporterPath = () => which("blackbox_exporter", "prometheus-blackbox-exporter");
export const amtoolPath = () => which("amtool");
/** Debian names the binary prometheus-alertmanager. */
export const alertmanagerPath = () => which("alertmanager", "prometheus-alertmanager");

export interface ToolRun {
    status: number | null;
    output: string;
}

export function runTool(binary: string, args: string[], cwd?: string): ToolRun {
    const r = spawnSync(binary, args, { cwd, encoding: "utf8", timeout: 60_000 });
    return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/**
 * `promtool test rules` on rule groups and unit-test cases, in a folder of its own that is removed
 * afterwards. The rules' annotations are dropped: they hold templates the cases do not check.
 */
export function promtoolTestRules(groups: readonly { rules: readonly object[] }[], tests: unknown[], evaluationInterval = "1m"): ToolRun {
    const dir = promtoolTestFolder(groups, tests, evaluationInterval);
    try {
        return runTool(promtoolPath(), ["test", "rules", "test.yaml"], dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function promtoolTestFolder(groups: readonly { rules: readonly object[] }[], tests: unknown[], evaluationInterval: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-test-"));
    const plain = groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, annotations: undefined })) }));
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify(JSON.parse(JSON.stringify({ groups: plain }))));
    fs.writeFileSync(path.join(dir, "test.yaml"), stringify({ rule_files: ["rules.yaml"], evaluation_interval: evaluationInterval, tests }));
    return dir;
}

/** promtoolTestRules without blocking: for several rule files' runs at once (promtool uses one core). */
export function promtoolTestRulesAsync(groups: readonly { rules: readonly object[] }[], tests: unknown[], evaluationInterval = "1m"): Promise<ToolRun> {
    const dir = promtoolTestFolder(groups, tests, evaluationInterval);
    return new Promise((resolve) => {
        let output = "";
        const child = spawn(promtoolPath(), ["test", "rules", "test.yaml"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
        const done = (status: number | null, error?: unknown) => {
            clearTimeout(timer);
            fs.rmSync(dir, { recursive: true, force: true });
            resolve({ status, output: `${output}${error ? String(error) : ""}` });
        };
        child.once("error", (err) => done(null, err));
        child.once("close", (code) => done(code));
    });
}
