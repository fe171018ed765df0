// The offline plan: the program's resources, Helm values and settings for one stack, as files.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { loadSettings } from "../../components/config/settings";
import type { Settings } from "../../components/config/schema";
import { sreFiles } from "../../components/sre/plan-files";
import { footprint, formatCpu, formatMemory, releasesByCluster } from "./footprint";
import { GRAFANA_DASHBOARD_LABEL } from "../../components/metrics/kube-prometheus-stack";
import { runProgram, type FakeCluster, type RecordedResource } from "./runtime";
import { readStackConfig } from "./stack-config";

export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

export interface PlannedResource {
    type: string;
    name: string;
    /** Name of the parent resource (the stack for top-level resources). */
    parent: string | null;
    /** Name of the explicit provider, or null for the default provider of the resource's package. */
    provider: string | null;
    /** Present (true) only for resources that `pulumi destroy` and replacements must stop at. */
    protect?: true;
    /** Present (true) only for resources that deleting them from the stack leaves in place. */
    retainOnDelete?: true;
    /** Names of the resources this one is created after, when there are any. */
    dependsOn?: string[];
    inputs: Record<string, unknown>;
}

export interface PlannedRelease {
    /** Pulumi resource name: "<cluster>-<release>", unique across the fleet. */
    resource: string;
    releaseName: string;
    namespace: string;
    chart: string;
    version: string;
    repo: string;
    values: Record<string, unknown>;
    /** Names of the resources the release is created after. */
    dependsOn: string[];
}

export interface Plan {
    stack: string;
    settings: Settings;
    resources: PlannedResource[];
    releases: PlannedRelease[];
    outputs: Record<string, unknown>;
}

export interface PlanOptions {
    projectDir?: string;
    /** Replaces the stack file's config entirely (tests, generated fleets). */
    config?: Record<string, string>;
    secretKeys?: string[];
    clusters?: Readonly<Record<string, FakeCluster>>;
    /** Reads the config from this file instead of Pulumi.<stack>.yaml. */
    stackFile?: string;
    onRegistered?: (resource: RecordedResource) => void;
    /** The outputs of the plan this one follows (its outputs.json), as the stack's last deployment. */
    previousOutputs?: Readonly<Record<string, unknown>>;
}

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

function sortKeysDeep(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeysDeep);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, sortKeysDeep((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

export async function planStack(stack: string, options: PlanOptions = {}): Promise<Plan> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const stackConfig = readStackConfig(projectDir, stack, options.stackFile);
    const run = await runProgram({
        project: stackConfig.project,
        stack,
        config: options.config ?? stackConfig.config,
        secretKeys: options.secretKeys ?? stackConfig.secretKeys,
        program: path.join(projectDir, "index.ts"),
        clusters: options.clusters,
        onRegistered: options.onRegistered,
        previousOutputs: options.previousOutputs,
    });
    const byUrn = new Map<string, RecordedResource>(run.resources.map((r) => [r.urn, r]));
    const nameOf = (urn?: string) => (urn ? (byUrn.get(urn)?.name ?? urn) : null);
    const resources: PlannedResource[] = run.resources
        .map((r) => ({
            type: r.type,
            name: r.name,
            parent: nameOf(r.parentUrn),
            provider: nameOf(r.providerUrn),
            ...(r.protect ? { protect: true as const } : {}),
            ...(r.retainOnDelete ? { retainOnDelete: true as const } : {}),
            ...(r.dependencyUrns.length > 0
                ? { dependsOn: [...new Set(r.dependencyUrns.map((u) => nameOf(u) ?? u))].sort() }
                : {}),
            inputs: sortKeysDeep(r.inputs) as Record<string, unknown>,
        }))
        .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type.localeCompare(b.type)));
    // The program has just resolved these from the same config; reading them again is cheap.
    const settings = loadSettings();
    return { stack, settings, resources, releases: releasesOf(resources), outputs: sortKeysDeep(run.outputs) as Record<string, unknown> };
}

/** The Helm releases among planned resources (also of a plan read back from its resources.json). */
export function releasesOf(resources: readonly PlannedResource[]): PlannedRelease[] {
    return resources
        .filter((r) => r.type === HELM_RELEASE_TYPE)
        .map((r) => {
            const i = r.inputs as Record<string, any>;
            // An OCI chart is installed by its full reference: report its name and that reference.
            const oci = typeof i.chart === "string" && i.chart.startsWith("oci://");
            return {
                resource: r.name,
                releaseName: i.name,
                namespace: i.namespace,
                chart: oci ? i.chart.slice(i.chart.lastIndexOf("/") + 1) : i.chart,
                version: i.version,
                repo: oci ? i.chart : (i.repositoryOpts?.repo ?? ""),
                values: (i.values ?? {}) as Record<string, unknown>,
                dependsOn: r.dependsOn ?? [],
            };
        });
}

/** The file that marks a folder as an offline plan's, which the next plan may replace. */
export const PLAN_MARKER = ".offline-plan";

export class PlanDirError extends Error {
    override name = "PlanDirError";
}

/**
 * Empties `dir` for a new plan, or creates it. A folder that holds anything but an earlier plan (no
 * marker) is refused: `--out .` must not wipe a checkout.
 */
export function preparePlanDir(dir: string): void {
    const stat = fs.statSync(dir, { throwIfNoEntry: false });
    if (!stat) {
        fs.mkdirSync(dir, { recursive: true });
        return;
    }
    if (!stat.isDirectory()) throw new PlanDirError(`refusing to write the plan to ${dir}: it is a file, not a folder`);
    const entries = fs.readdirSync(dir);
    if (entries.length > 0 && !entries.includes(PLAN_MARKER)) {
        throw new PlanDirError(
            `refusing to write the plan to ${dir}: the folder holds files of something other than an earlier plan (no ${PLAN_MARKER}); give a new or empty folder`,
        );
    }
    for (const entry of entries) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
}

/**
 * The outputs of the earlier plan in `dir` (a folder with the plan marker), which the next plan into
 * it follows as `pulumi up` follows the last deployment; undefined when there is none.
 */
export function previousPlanOutputs(dir: string): Record<string, unknown> | undefined {
    const file = path.join(dir, "outputs.json");
    if (!fs.existsSync(path.join(dir, PLAN_MARKER)) || !fs.existsSync(file)) return undefined;
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** Writes the plan under `dir`, replacing what an earlier plan left there (see preparePlanDir). */
export function writePlan(plan: Plan, dir: string): string[] {
    preparePlanDir(dir);
    fs.writeFileSync(path.join(dir, PLAN_MARKER), "Written by npm run plan: the next plan into this folder replaces everything in it.\n");
    const written: string[] = [];
    const write = (relative: string, text: string) => {
        const file = path.join(dir, relative);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        written.push(relative);
    };
    write("resources.json", `${JSON.stringify(plan.resources, null, 2)}\n`);
    write("outputs.json", `${JSON.stringify(plan.outputs, null, 2)}\n`);
    write("settings.json", `${JSON.stringify(sortKeysDeep(plan.settings), null, 2)}\n`);
    for (const release of plan.releases) {
        write(`values/${release.resource}.yaml`, stringify(release.values, { sortMapEntries: true, lineWidth: 0 }));
    }
    // SRE layer: rules/<PrometheusRule>.yaml and alertmanager.yaml (placeholder secrets).
    for (const file of sreFiles(plan.settings, plan.resources)) write(file.path, file.text);
    write("datasources.yaml", stringify(grafanaProvisioning(plan), { lineWidth: 0 }));
    for (const [file, json] of dashboardFiles(plan)) write(`dashboards/${file}`, json);
    return written;
}

/** Dashboard JSON files ("<uid>.json") carried by the Grafana sidecar's ConfigMaps in the plan. */
export function dashboardFiles(plan: Plan): Map<string, string> {
    const files = new Map<string, string>();
    for (const r of plan.resources.filter((x) => x.type === "kubernetes:core/v1:ConfigMap")) {
        const i = r.inputs as { metadata?: { labels?: Record<string, string> }; data?: Record<string, string> };
        if (i.metadata?.labels?.[GRAFANA_DASHBOARD_LABEL] !== "1") continue;
        for (const [file, json] of Object.entries(i.data ?? {})) {
            if (files.has(file)) throw new Error(`two dashboard ConfigMaps carry ${file}`);
            files.set(file, json);
        }
    }
    return files;
}

/** Nodes assumed per cluster when DaemonSets are counted in the printed requests. */
export const DEFAULT_NODES_PER_CLUSTER = 3;

/** The hub Grafana's datasource provisioning file, as its kube-prometheus-stack release sets it. */
export function grafanaProvisioning(plan: Plan): { apiVersion: 1; datasources: unknown[] } {
    const hub = plan.settings.clusters.find((c) => c.role === "hub");
    const release = plan.releases.find((r) => r.resource === `${hub?.name}-kube-prometheus-stack`);
    const grafana = (release?.values as Record<string, any> | undefined)?.grafana;
    return { apiVersion: 1, datasources: grafana?.additionalDataSources ?? [] };
}

export function summarize(plan: Plan, nodes = DEFAULT_NODES_PER_CLUSTER): string {
    const counts = new Map<string, number>();
    for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const width = Math.max(...[...counts.keys()].map((t) => t.length));
    const lines = [
        `Stack ${plan.stack}: tier ${plan.settings.tier}, metrics backend ${plan.settings.metricsBackend}, ` +
            `${plan.settings.clusters.length} cluster(s), ${plan.resources.length} resources`,
        "Resources by type:",
        ...[...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `  ${t.padEnd(width)}  ${n}`),
        "Helm releases:",
        ...plan.releases.map((r) => `  ${r.resource} (${r.namespace}): ${r.chart}@${r.version}`),
        `Requests per cluster (${nodes} nodes each, DaemonSets counted per node):`,
        ...[...releasesByCluster(plan.settings.clusters.map((c) => c.name), plan.releases)].map(([cluster, releases]) => {
            const f = footprint(releases, nodes);
            const estimated = f.estimatedCharts.length > 0 ? ` (estimated for ${f.estimatedCharts.join(", ")})` : "";
            return `  ${cluster}: ${formatCpu(f.cpuMilli)}, ${formatMemory(f.memoryMi)}${estimated}`;
        }),
    ];
    return lines.join("\n");
}
