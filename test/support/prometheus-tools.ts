// The real Prometheus tools (Debian packages prometheus and prometheus-alertmanager, installed by
// tools/install-prometheus-tools.sh from `npm test`): promtool, amtool and alertmanager.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

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
