// The offline plan: the program's resources, Helm values and settings for one stack, as files.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { loadSettings } from "../../components/config/settings";
import type { Settings } from "../../components/config/schema";
import { sreFiles } from "./sre-files";
import { GRAFANA_DASHBOARD_LABEL } from "../../components/metrics/kube-prometheus-stack";
import { modelDocument, resolvePlatform, type PlatformModel } from "../../components/platform/model";
import { runProgram, type FakeCluster, type RecordedAlias, type RecordedResource } from "./runtime";
import { readStackConfig } from "./stack-config";

export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

export interface PlannedResource {
    type: string;
    name: string;
    /** The URN the engine gives the resource: its parents' type chain, its type and name. */
    urn: string;
    /** Old URNs the resource answers to (its `aliases`): a move under them is no replacement. */
    aliases?: string[];
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
    /** Where everything runs, resolved once from the settings, as the program resolves it. */
    model: PlatformModel;
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
    const urnOf = engineUrns(stackConfig.project, stack, byUrn);
    const resources: PlannedResource[] = run.resources
        .map((r) => ({
            type: r.type,
            name: r.name,
            urn: urnOf.resource(r),
            ...(r.aliases.length > 0 ? { aliases: r.aliases.map((a) => urnOf.alias(r, a)).sort() } : {}),
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
    return {
        stack,
        settings,
        model: resolvePlatform(settings),
        resources,
        releases: releasesOf(resources),
        outputs: sortKeysDeep(run.outputs) as Record<string, unknown>,
    };
}

const STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * URNs as the engine builds them: "urn:pulumi:<stack>::<project>::<type chain>::<name>", the chain
 * being the types of the resource's parents below the stack, then its own. (Pulumi's mocks shorten
 * the chain to the nearest parent, so the recorded URNs are only keys.)
 */
export function engineUrns(project: string, stack: string, byMockUrn: ReadonlyMap<string, RecordedResource>) {
    const qualifiedType = (type: string, parentMockUrn: string | undefined): string => {
        const parent = parentMockUrn ? byMockUrn.get(parentMockUrn) : undefined;
        if (!parent || parent.type === STACK_TYPE) return type;
        return `${qualifiedType(parent.type, parent.parentUrn)}$${type}`;
    };
    const urn = (s: string, p: string, qualified: string, name: string) => `urn:pulumi:${s}::${p}::${qualified}::${name}`;
    const resource = (r: RecordedResource): string => urn(stack, project, qualifiedType(r.type, r.parentUrn), r.name);
    // A parent named by URN that is not registered in this run is an old URN written out: taken as it is.
    const parentChain = (parentUrn: string): string | undefined => {
        const parent = byMockUrn.get(parentUrn);
        if (parent) return parent.type === STACK_TYPE ? undefined : qualifiedType(parent.type, parent.parentUrn);
        return parentUrn.split("::")[2];
    };
    const alias = (r: RecordedResource, a: RecordedAlias): string => {
        if ("urn" in a) return a.urn;
        const type = a.type ?? r.type;
        const chain = a.noParent ? undefined : a.parentUrn !== undefined ? parentChain(a.parentUrn) : parentChain(r.parentUrn ?? "");
        return urn(a.stack ?? stack, a.project ?? project, chain ? `${chain}$${type}` : type, a.name ?? r.name);
    };
    return { resource, alias };
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
 * Refuses a `dir` a plan may not be written to: a file, or a folder that holds anything but an earlier
 * plan (no marker), since `--out .` must not wipe a checkout. Its entries otherwise (none if missing).
 */
export function checkPlanDir(dir: string): string[] {
    const stat = fs.statSync(dir, { throwIfNoEntry: false });
    if (!stat) return [];
    if (!stat.isDirectory()) throw new PlanDirError(`refusing to write the plan to ${dir}: it is a file, not a folder`);
    const entries = fs.readdirSync(dir);
    if (entries.length > 0 && !entries.includes(PLAN_MARKER)) {
        throw new PlanDirError(
            `refusing to write the plan to ${dir}: the folder holds files of something other than an earlier plan (no ${PLAN_MARKER}); give a new or empty folder`,
        );
    }
    return entries;
}

/** Empties `dir` for a new plan, or creates it; refuses what checkPlanDir refuses. */
export function preparePlanDir(dir: string): void {
    const entries = checkPlanDir(dir);
    fs.mkdirSync(dir, { recursive: true });
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
    // Where everything runs and how it connects, as the program resolved it (components/platform/model.ts).
    write("model.json", `${JSON.stringify(modelDocument(plan.model), null, 2)}\n`);
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

/** The hub Grafana's datasource provisioning file, as its kube-prometheus-stack release sets it. */
export function grafanaProvisioning(plan: Plan): { apiVersion: 1; datasources: unknown[] } {
    const hub = plan.settings.clusters.find((c) => c.role === "hub");
    const release = plan.releases.find((r) => r.resource === `${hub?.name}-kube-prometheus-stack`);
    const grafana = (release?.values as Record<string, any> | undefined)?.grafana;
    return { apiVersion: 1, datasources: grafana?.additionalDataSources ?? [] };
}
