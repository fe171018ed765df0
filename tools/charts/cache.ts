// The chart cache (.charts/, git-ignored): each pinned chart as its package, as `helm.v3.Release`
// installs it, and unpacked for the checks that read its values, schema and CRDs.
// A package comes from the cache, else from a local mirror folder (CHART_MIRROR, or
// ../shared/charts/packages beside the project when it exists), else from the chart's repository
// with `helm pull`. What can be found nowhere fails with one message naming every place looked in.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { CHARTS, isOciChart, type ChartPin } from "../../components/charts/pins";
import { helmBinary } from "./helm";

const run = promisify(execFile);

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Where packages are cached; CHART_CACHE_DIR moves it (plan:diff shares one cache between revisions). */
export function cacheDir(): string {
    return path.resolve(process.env.CHART_CACHE_DIR ?? path.join(PROJECT_DIR, ".charts"));
}

/** The mirror the checks here use: the packages folder beside the project, when it exists. */
export const DEFAULT_MIRROR = path.resolve(PROJECT_DIR, "..", "shared", "charts", "packages");

/** CHART_MIRROR when set (it must exist; empty means none), else the default mirror when present. */
export function mirrorDir(): string | undefined {
    const given = process.env.CHART_MIRROR;
    if (given === "") return undefined;
    if (given !== undefined) {
        const dir = path.resolve(given);
        if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
            throw new ChartNotFoundError(`CHART_MIRROR=${given}: no such folder`);
        }
        return dir;
    }
    return fs.existsSync(DEFAULT_MIRROR) ? DEFAULT_MIRROR : undefined;
}

/**
 * Charts whose pinned package could not be obtained where the checks were built. Their releases are
 * planned but not rendered; their values are checked by key path against the reference values file
 * named here (beside the default mirror). Anything else missing is a failure.
 */
export const UNRENDERED_CHARTS: Readonly<Record<string, { version: string; referenceValues: string; why: string }>> = {
    "mimir-distributed": {
        version: CHARTS.mimirDistributed.version,
        referenceValues: path.resolve(DEFAULT_MIRROR, "..", "mimir-distributed", "values.yaml"),
        why: "the 6.2.0 package was not available to the mirror; values are checked by key path against the chart's main-branch values.yaml",
    },
};

export class ChartNotFoundError extends Error {
    override name = "ChartNotFoundError";
}

export const packageFileName = (chart: string, version: string) => `${chart}-${version}.tgz`;
export const packagePath = (chart: string, version: string) => path.join(cacheDir(), "packages", packageFileName(chart, version));
/** The unpacked chart: <cache>/unpacked/<chart>-<version>/<chart>, as `tar -x` of the package gives. */
export const unpackedChartDir = (chart: string, version: string) =>
    path.join(cacheDir(), "unpacked", `${chart}-${version}`, chart);

export function pinFor(chart: string): ChartPin | undefined {
    return Object.values(CHARTS).find((p) => p.chart === chart);
}

/** Whether a pinned chart is known to be missing here and may be skipped (see UNRENDERED_CHARTS). */
export function mayBeMissing(chart: string, version: string): boolean {
    return UNRENDERED_CHARTS[chart]?.version === version;
}

async function pull(pin: ChartPin, destination: string): Promise<void> {
    const args = isOciChart(pin)
        ? ["pull", pin.repo, "--version", pin.version, "--destination", destination]
        : ["pull", pin.chart, "--repo", pin.repo, "--version", pin.version, "--destination", destination];
    await run(helmBinary(), args, { encoding: "utf8", timeout: 120_000 });
}

export type Source = "cache" | "mirror" | "repository";

export interface EnsureOptions {
    /** Try `helm pull` from the chart's repository when neither cache nor mirror has it (default true). */
    pull?: boolean;
}

const inFlight = new Map<string, Promise<Source>>();

/** Makes `chart@version` present in the cache (package and unpacked); says where it came from. */
export function ensureChart(pin: ChartPin, options: EnsureOptions = {}): Promise<Source> {
    // Releases of one chart on several clusters render at once: one fetch and unpack for all.
    const key = `${cacheDir()}\u0000${pin.chart}\u0000${pin.version}\u0000${options.pull !== false}`;
    let pending = inFlight.get(key);
    if (!pending) {
        pending = fetchAndUnpack(pin, options);
        inFlight.set(key, pending);
        pending.catch(() => inFlight.delete(key));
    }
    return pending;
}

async function fetchAndUnpack(pin: ChartPin, options: EnsureOptions): Promise<Source> {
    const file = packagePath(pin.chart, pin.version);
    let source: Source = "cache";
    if (!fs.existsSync(file)) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const mirror = mirrorDir();
        const fromMirror = mirror ? path.join(mirror, packageFileName(pin.chart, pin.version)) : undefined;
        const looked: string[] = [];
        if (fromMirror && fs.existsSync(fromMirror)) {
            fs.copyFileSync(fromMirror, `${file}.part`);
            fs.renameSync(`${file}.part`, file);
            source = "mirror";
        } else {
            looked.push(mirror ? `mirror ${mirror}: no ${packageFileName(pin.chart, pin.version)}` : "no mirror folder (CHART_MIRROR empty or unset, no ../shared/charts/packages)");
            if (options.pull === false) {
                looked.push(`repository ${pin.repo}: not tried (pulling is off)`);
            } else {
                const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "chart-pull-"));
                try {
                    await pull(pin, tmp);
                    fs.renameSync(path.join(tmp, packageFileName(pin.chart, pin.version)), file);
                    source = "repository";
                } catch (err) {
                    const e = err as { stderr?: string; message: string };
                    looked.push(`repository ${pin.repo}: ${(e.stderr || e.message).trim().split("\n").pop()}`);
                } finally {
                    fs.rmSync(tmp, { recursive: true, force: true });
                }
            }
        }
        if (source === "cache") {
            throw new ChartNotFoundError(`chart ${pin.chart} ${pin.version} not found: ${looked.join("; ")}`);
        }
    }
    await unpack(pin, file);
    return source;
}

async function unpack(pin: ChartPin, file: string): Promise<void> {
    const dir = unpackedChartDir(pin.chart, pin.version);
    const chartYaml = path.join(dir, "Chart.yaml");
    // A pinned package never changes, so an unpacked copy is kept. It is unpacked beside its place and
    // renamed into it, so processes rendering at the same time never see a half-unpacked chart (nor one
    // another process is deleting).
    if (!fs.existsSync(chartYaml)) {
        const parent = path.dirname(dir);
        fs.mkdirSync(path.dirname(parent), { recursive: true });
        const staging = fs.mkdtempSync(`${parent}.unpacking-`);
        try {
            await run("tar", ["-xzf", file, "-C", staging]);
            try {
                fs.renameSync(staging, parent);
            } catch {
                // Another process put the same package in place first; or a copy left half-unpacked by
                // an interrupted run is in the way.
                if (!fs.existsSync(chartYaml)) {
                    fs.rmSync(parent, { recursive: true, force: true });
                    fs.renameSync(staging, parent);
                }
            }
        } finally {
            fs.rmSync(staging, { recursive: true, force: true });
        }
    }
    const meta = parse(fs.readFileSync(chartYaml, "utf8")) as { name?: string; version?: string };
    if (meta.name !== pin.chart || meta.version !== pin.version) {
        throw new ChartNotFoundError(
            `${file} holds chart ${meta.name} ${meta.version}, not the pinned ${pin.chart} ${pin.version}: delete it and run npm run charts`,
        );
    }
}

export interface CacheReport {
    chart: string;
    version: string;
    source?: Source;
    /** Set for a chart known to be unavailable (UNRENDERED_CHARTS) that was not found. */
    unrendered?: string;
}

/** Ensures every pinned chart; throws one ChartNotFoundError listing every chart that is missing. */
export async function ensureAllCharts(options: EnsureOptions = {}): Promise<CacheReport[]> {
    const pins = Object.values(CHARTS) as ChartPin[];
    const results = await Promise.allSettled(pins.map((pin) => ensureChart(pin, options)));
    const reports: CacheReport[] = [];
    const failures: string[] = [];
    results.forEach((result, i) => {
        const pin = pins[i];
        if (result.status === "fulfilled") reports.push({ chart: pin.chart, version: pin.version, source: result.value });
        else if (mayBeMissing(pin.chart, pin.version) && result.reason instanceof ChartNotFoundError) {
            reports.push({ chart: pin.chart, version: pin.version, unrendered: UNRENDERED_CHARTS[pin.chart].why });
        } else failures.push(result.reason instanceof Error ? result.reason.message : String(result.reason));
    });
    if (failures.length > 0) throw new ChartNotFoundError(failures.join("\n"));
    return reports;
}

/** The unpacked chart directory of a pinned chart; a clear error when the cache lacks it. */
export function chartDir(chart: string): string {
    const pin = pinFor(chart);
    if (!pin) throw new Error(`no pinned chart named ${chart}`);
    const dir = unpackedChartDir(pin.chart, pin.version);
    if (!fs.existsSync(path.join(dir, "Chart.yaml"))) {
        throw new ChartNotFoundError(`chart ${pin.chart} ${pin.version} is not in the chart cache ${cacheDir()}: run npm run charts`);
    }
    return dir;
}

export function hasChart(chart: string): boolean {
    const pin = pinFor(chart);
    return !!pin && fs.existsSync(path.join(unpackedChartDir(pin.chart, pin.version), "Chart.yaml"));
}
