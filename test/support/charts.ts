// Reads the pinned chart packages in the chart cache (npm run charts): metadata, default values
// (with the vendored subcharts' values) and the CRDs they install; and checks value key paths.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { CHARTS, type ChartPin } from "../../components/charts/pins";
import { TARGET_KUBERNETES_VERSION } from "../../components/kubernetes/target";
import { deepMerge } from "../../components/config/settings";
import { ChartNotFoundError, chartDir, hasChart, packagePath, pinFor, UNRENDERED_CHARTS } from "../../tools/charts/cache";
import { helmBinary } from "../../tools/charts/helm";

export { chartDir, hasChart };

interface ChartMeta {
    name: string;
    version: string;
    appVersion?: string;
    dependencies?: { name: string; version?: string; alias?: string }[];
}

const readYaml = (file: string) => parse(fs.readFileSync(file, "utf8"));

export function chartYaml(chart: string): ChartMeta {
    return readYaml(path.join(chartDir(chart), "Chart.yaml"));
}

/** A chart's values.yaml with each vendored subchart's defaults under its key, as Helm merges them. */
function packagedValues(dir: string): Record<string, unknown> {
    const own = (readYaml(path.join(dir, "values.yaml")) ?? {}) as Record<string, unknown>;
    const meta = readYaml(path.join(dir, "Chart.yaml")) as ChartMeta;
    for (const dep of meta.dependencies ?? []) {
        const sub = path.join(dir, "charts", dep.name);
        if (!fs.existsSync(path.join(sub, "values.yaml"))) continue;
        const key = dep.alias ?? dep.name;
        // The parent's section overrides the subchart's defaults.
        own[key] = deepMerge(packagedValues(sub), (own[key] ?? {}) as Record<string, unknown>);
    }
    return own;
}

/**
 * The chart's default values. A chart known to be unavailable here (UNRENDERED_CHARTS: Mimir) falls
 * back to its reference values file when its package is not in the cache.
 */
export function chartValues(chart: string): Record<string, unknown> {
    if (!hasChart(chart) && UNRENDERED_CHARTS[chart]) {
        const reference = UNRENDERED_CHARTS[chart].referenceValues;
        if (!fs.existsSync(reference)) {
            throw new ChartNotFoundError(`chart ${chart} is neither in the chart cache nor is its reference values file ${reference} there`);
        }
        return readYaml(reference) ?? {};
    }
    return packagedValues(chartDir(chart));
}

export interface CrdDefinition {
    group: string;
    versions: { name: string; schema?: { openAPIV3Schema?: Record<string, unknown> } }[];
    names: { kind: string };
}

let crdCache: CrdDefinition[] | undefined;

/**
 * Every CRD the pinned charts install, as Helm renders them with the charts' defaults and
 * --include-crds (charts ship some as plain files in crds/, others as templates).
 */
export function pinnedChartCrds(): CrdDefinition[] {
    if (crdCache) return crdCache;
    const out: CrdDefinition[] = [];
    for (const pin of Object.values(CHARTS) as ChartPin[]) {
        if (pin.crdApiVersions.length === 0) continue;
        out.push(...crdsRenderedBy(pin.chart));
    }
    crdCache = out;
    return out;
}

const renderedCrds = new Map<string, CrdDefinition[]>();

/** The CRDs a pinned chart renders with its defaults. */
export function crdsRenderedBy(chart: string): CrdDefinition[] {
    const cached = renderedCrds.get(chart);
    if (cached) return cached;
    const pin = pinFor(chart)!;
    chartDir(chart); // A clear error when the cache lacks it.
    const text = execFileSync(
        helmBinary(),
        ["template", "crds", packagePath(pin.chart, pin.version), "--include-crds", "--kube-version", TARGET_KUBERNETES_VERSION],
        { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    const crds = parseAllDocuments(text)
        .map((d) => d.toJS() as { kind?: string; spec?: CrdDefinition } | null)
        .filter((d) => d?.kind === "CustomResourceDefinition")
        .map((d) => d!.spec!);
    renderedCrds.set(chart, crds);
    return crds;
}

/**
 * Key paths (dot-joined) that the chart declares nowhere. `accepted` lists patterns of keys taken
 * as they are, with everything below them: "/" separates keys, "*" matches one key, "**" any number.
 */
export function undeclaredValuePaths(
    values: unknown,
    defaults: unknown,
    accepted: readonly string[],
    prefix: string[] = [],
): string[] {
    if (typeof values !== "object" || values === null || Array.isArray(values)) return [];
    const declared = typeof defaults === "object" && defaults !== null && !Array.isArray(defaults) ? defaults : {};
    const out: string[] = [];
    for (const [key, value] of Object.entries(values)) {
        const here = [...prefix, key];
        if (accepted.some((pattern) => matches(pattern.split("/"), here))) continue;
        if (!(key in declared)) out.push(here.join("."));
        else out.push(...undeclaredValuePaths(value, (declared as Record<string, unknown>)[key], accepted, here));
    }
    return out;
}

function matches(pattern: readonly string[], pathParts: readonly string[]): boolean {
    if (pattern.length === 0) return pathParts.length === 0;
    const [head, ...rest] = pattern;
    if (head === "**") {
        for (let i = 0; i <= pathParts.length; i++) if (matches(rest, pathParts.slice(i))) return true;
        return false;
    }
    if (pathParts.length === 0) return false;
    return (head === "*" || head === pathParts[0]) && matches(rest, pathParts.slice(1));
}
