// Helm's rendered objects of a plan's releases, and their validation: built-in kinds against the
// Kubernetes OpenAPI schema (npm kubernetes-models, Kubernetes 1.35), custom resources against the
// CRDs the charts install.
import { parseAllDocuments } from "yaml";
import type { Plan, PlannedRelease } from "../../tools/offline/plan";
import { renderReleases } from "../../tools/charts/render";
import { runCached } from "../../tools/run-cache";
import { addCrds, crdProblems } from "./crd-schema";
import type { CrdDefinition } from "./charts";

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [key: string]: any;
}

export interface RenderedRelease {
    release: PlannedRelease;
    /** The cluster the release is installed on (the release's resource name is "<cluster>-<release>"). */
    cluster: string;
    objects: K8sObject[];
    /** Set when the chart is known to be unavailable here, with the reason. */
    skipped?: string;
}

export interface RenderedPlan {
    plan: Plan;
    releases: RenderedRelease[];
}

/**
 * The objects of a manifest, parsed once per run: the same release renders the same text for many
 * suites, and YAML parsing is most of what reading it costs (JSON is read far faster).
 */
export async function parsedManifest(text: string): Promise<K8sObject[]> {
    return JSON.parse(await runCached("manifest-objects", text, async () => JSON.stringify(parseManifest(text)))) as K8sObject[];
}

export function parseManifest(text: string): K8sObject[] {
    return parseAllDocuments(text)
        .map((d) => {
            if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0].message}`);
            return d.toJS() as K8sObject | null;
        })
        .filter((o): o is K8sObject => o !== null && typeof o === "object");
}

/** Renders the plan's releases (those `only` keeps, every one by default). */
export async function renderPlan(plan: Plan, only: (release: Plan["releases"][number]) => boolean = () => true): Promise<RenderedPlan> {
    const selected = plan.releases.filter(only);
    const rendered = await renderReleases(selected);
    const clusters = plan.settings.clusters.map((c) => c.name).sort((a, b) => b.length - a.length);
    const releases = await Promise.all(
        rendered.map(async (r, i) => {
            const release = selected[i];
            const cluster = clusters.find((c) => release.resource.startsWith(`${c}-`));
            if (!cluster) throw new Error(`${release.resource} names no cluster of the plan`);
            return { release, cluster, objects: r.manifest === undefined ? [] : await parsedManifest(r.manifest), ...(r.skipped ? { skipped: r.skipped } : {}) };
        }),
    );
    // The CRDs these releases install validate their own and Pulumi's custom resources.
    addCrds(releases.flatMap((r) => r.objects).filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.spec as CrdDefinition));
    return { plan, releases };
}

// kubernetes-models is ESM-only: a real dynamic import, not one TypeScript turns into require().
const importEsm = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<Record<string, any>>;
const modules = new Map<string, Record<string, any> | null>();

/** The kubernetes-models module path of an API version: "v1" -> core, "apps/v1" -> apps/v1. */
const modulePath = (apiVersion: string) => `kubernetes-models/${apiVersion}`;

/** Loads the models of every API version among `objects` (call before builtinProblems). */
export async function loadModels(objects: Iterable<K8sObject>): Promise<void> {
    for (const apiVersion of new Set([...objects].map((o) => o.apiVersion))) {
        if (modules.has(apiVersion)) continue;
        modules.set(apiVersion, await importEsm(modulePath(apiVersion)).catch(() => null));
    }
}

/** Whether the Kubernetes API itself serves this kind (not a CRD). */
export function isBuiltinKind(o: K8sObject): boolean {
    const m = modules.get(o.apiVersion);
    if (m === undefined) throw new Error(`models of ${o.apiVersion} not loaded: call loadModels first`);
    return !!m && typeof m[o.kind] === "function";
}

/** Schema problems of an object; empty when it is valid. */
export function objectProblems(o: K8sObject): string[] {
    if (isBuiltinKind(o)) {
        const Model = modules.get(o.apiVersion)![o.kind];
        try {
            new Model(o).validate();
            return [];
        } catch (err) {
            const errors = (err as { errors?: { instancePath: string; message: string; params?: unknown }[] }).errors;
            if (!errors) throw err;
            return errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params ?? {})}`);
        }
    }
    return crdProblems(o);
}

export const describe = (o: K8sObject) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;
