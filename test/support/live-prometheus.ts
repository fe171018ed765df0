// A real Prometheus (Debian's prometheus 2.42, beside promtool) on 127.0.0.1 for tests: a free port,
// a temporary TSDB optionally backfilled from OpenMetrics text with `promtool tsdb
// create-blocks-from openmetrics`, rule files, bounded waits, and everything removed by stop().
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { promtoolPath, runTool } from "./prometheus-tools";

export const prometheusPath = (): string => {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(dir, "prometheus");
        if (fs.existsSync(candidate)) return candidate;
    }
    throw new Error("prometheus is not installed: run tools/install-prometheus-tools.sh");
};

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

export interface LivePrometheus {
    url: string;
    /** Stops the process and deletes its data; safe to call twice. */
    stop(): Promise<void>;
}

export interface PrometheusOptions {
    /** OpenMetrics text (ending in "# EOF") backfilled into the TSDB before start. */
    openMetrics?: string;
    /** A TSDB folder (blocks) copied in as the server's data before start. */
    blocks?: string;
    /** The global rule evaluation interval; 1m when absent. */
    evaluationInterval?: string;
    /** Rule files (contents) the server loads. */
    ruleFiles?: string[];
    /** --storage.tsdb.retention.time; Prometheus' default when absent. */
    retention?: string;
    /** scrape_configs of the server; none when absent. */
    scrapeConfigs?: object[];
    /** --enable-feature values. */
    features?: string[];
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${log()}`);
        try {
            const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
            if (r.ok) return;
        } catch {
            // Not listening yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`prometheus was not ready within ${timeoutMs} ms:\n${log()}`);
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<LivePrometheus> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "live-prometheus-"));
    const tsdb = path.join(dir, "data");
    if (options.blocks !== undefined) fs.cpSync(options.blocks, tsdb, { recursive: true });
    else fs.mkdirSync(tsdb);
    if (options.openMetrics !== undefined) {
        const file = path.join(dir, "backfill.om");
        fs.writeFileSync(file, options.openMetrics);
        const r = runTool(promtoolPath(), ["tsdb", "create-blocks-from", "openmetrics", file, tsdb]);
        if (r.status !== 0) {
            fs.rmSync(dir, { recursive: true, force: true });
            throw new Error(`promtool could not backfill:\n${r.output}`);
        }
    }
    const rules = (options.ruleFiles ?? []).map((text, i) => {
        const file = path.join(dir, `rules-${i}.yaml`);
        fs.writeFileSync(file, text);
        return file;
    });
    const config = path.join(dir, "prometheus.yml");
    fs.writeFileSync(config, stringify({ global: { evaluation_interval: options.evaluationInterval ?? "1m" }, rule_files: rules, ...(options.scrapeConfigs ? { scrape_configs: options.scrapeConfigs } : {}) }));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let output = "";
    const child = spawn(
        prometheusPath(),
        [
            `--config.file=${config}`,
            `--storage.tsdb.path=${tsdb}`,
            `--web.listen-address=127.0.0.1:${port}`,
            ...(options.retention ? [`--storage.tsdb.retention.time=${options.retention}`] : []),
            ...(options.features ?? []).map((f) => `--enable-feature=${f}`),
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    let stopped = false;
    const stop = async () => {
        if (stopped) return;
        stopped = true;
        if (child.exitCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(timer);
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        await waitReady(url, child, () => output, 20_000);
    } catch (err) {
        await stop();
        throw err;
    }
    return { url, stop };
}

/** OpenMetrics text of gauge samples: one line per (labels, seconds, value), then "# EOF". */
export function openMetrics(samples: readonly { metric: string; labels: Record<string, string>; at: number; value: number }[]): string {
    const lines = samples.map((s) => {
        const labels = Object.entries(s.labels)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(",");
        return `${s.metric}{${labels}} ${s.value} ${s.at}`;
    });
    return `${lines.join("\n")}\n# EOF\n`;
}
