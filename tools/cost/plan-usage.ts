// The disks a plan will claim, read generically from its Helm values and resources: every persistent
// volume claim (volumeClaimTemplate(s), persistence and persistentVolume blocks with a size or a list
// of sized claims, PersistentVolumeClaim resources), times the replicas of the workload it belongs
// to. Generic on purpose: a release added on another branch is counted as soon as it is in the plan. Requests are
// read by tools/offline/footprint.ts, the plan summary's reader.
import type { Plan } from "../offline/plan";
import { exact, mul, type Exact } from "./money";

export interface DiskClaim {
    cluster: string;
    /** Helm release resource or PersistentVolumeClaim resource name. */
    source: string;
    /** Where in the values the claim is declared ("singleBinary.persistence"). */
    path: string;
    sizeGib: Exact;
    replicas: number;
    storageClassName?: string;
}

const BINARY: Record<string, bigint> = { Ki: 2n ** 10n, Mi: 2n ** 20n, Gi: 2n ** 30n, Ti: 2n ** 40n, Pi: 2n ** 50n };
const DECIMAL: Record<string, bigint> = { k: 10n ** 3n, M: 10n ** 6n, G: 10n ** 9n, T: 10n ** 12n, P: 10n ** 15n };

/** A Kubernetes byte quantity ("100Gi", "500M", "1073741824") in GiB, exactly. */
export function quantityGib(q: unknown): Exact {
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(String(q).trim());
    if (!m) throw new Error(`not a Kubernetes storage or memory quantity: ${JSON.stringify(q)}`);
    const unit = m[2] ? (BINARY[m[2]] ?? DECIMAL[m[2]]) : 1n;
    return mul(exact(m[1]), { num: unit, den: 2n ** 30n });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Pods of the workload that owns `holder`: the nearest `replicas` (times `shards`) or `replicaCount` up the values tree. */
function replicasOf(chain: readonly Obj[]): number {
    for (let i = chain.length - 1; i >= 0; i--) {
        const o = chain[i];
        if (typeof o.replicas === "number") return o.replicas * (typeof o.shards === "number" ? o.shards : 1);
        // Bitnami charts (thanos) name it replicaCount.
        if (typeof o.replicaCount === "number") return o.replicaCount;
    }
    return 1;
}

const claimStorage = (template: unknown): unknown => {
    if (!isObj(template)) return undefined;
    const spec = isObj(template.spec) ? template.spec : template;
    const resources = isObj(spec.resources) ? spec.resources : {};
    return isObj(resources.requests) ? resources.requests.storage : undefined;
};
const claimClass = (template: unknown): string | undefined => {
    if (!isObj(template)) return undefined;
    const spec = isObj(template.spec) ? template.spec : template;
    return typeof spec.storageClassName === "string" ? spec.storageClassName : undefined;
};

interface Found {
    claims: Omit<DiskClaim, "cluster" | "source">[];
}

export function scanValues(values: unknown): Found {
    const found: Found = { claims: [] };
    const walk = (node: unknown, chain: Obj[], at: string[]) => {
        if (Array.isArray(node)) {
            node.forEach((x, i) => walk(x, chain, [...at.slice(0, -1), `${at[at.length - 1] ?? ""}[${i}]`]));
            return;
        }
        if (!isObj(node)) return;
        const here = [...chain, node];
        const where = (key: string) => [...at, key].join(".");
        for (const [key, value] of Object.entries(node)) {
            if (key === "volumeClaimTemplate" && claimStorage(value) !== undefined) {
                found.claims.push({ path: where(key), sizeGib: quantityGib(claimStorage(value)), replicas: replicasOf(here), storageClassName: claimClass(value) });
            } else if (key === "volumeClaimTemplates" && Array.isArray(value)) {
                value.forEach((t, i) => {
                    if (claimStorage(t) === undefined) return;
                    found.claims.push({ path: `${where(key)}[${i}]`, sizeGib: quantityGib(claimStorage(t)), replicas: replicasOf(here), storageClassName: claimClass(t) });
                });
            } else if ((key === "persistence" || key === "persistentVolume") && isObj(value) && value.enabled !== false) {
                // One claim sized by the block, or (Loki's chart) a list of named claims each with its size.
                const blocks: [string, Obj][] =
                    typeof value.size === "string"
                        ? [[where(key), value]]
                        : Array.isArray(value.claims)
                          ? value.claims.flatMap((c, i): [string, Obj][] => (isObj(c) && typeof c.size === "string" ? [[`${where(key)}.claims[${i}]`, c]] : []))
                          : [];
                for (const [path, block] of blocks) {
                    const cls = block.storageClassName ?? block.storageClass;
                    found.claims.push({ path, sizeGib: quantityGib(block.size), replicas: replicasOf(here), storageClassName: typeof cls === "string" ? cls : undefined });
                }
            }
            walk(value, here, [...at, key]);
        }
    };
    walk(values, [], []);
    return found;
}

const CLUSTER_COMPONENT = "observability:cluster:ClusterPlatform";
const PVC_TYPE = "kubernetes:core/v1:PersistentVolumeClaim";

/** Cluster of a resource: the ClusterPlatform component it sits under. */
function clusterResolver(plan: Plan): (name: string) => string {
    const byName = new Map(plan.resources.map((r) => [r.name, r]));
    return (name) => {
        let cur = byName.get(name);
        for (let hops = 0; cur && hops < 50; hops++) {
            if (cur.type === CLUSTER_COMPONENT) return cur.name;
            cur = cur.parent ? byName.get(cur.parent) : undefined;
        }
        throw new Error(`resource ${name} is not under any cluster of the plan`);
    };
}

export function planUsage(plan: Plan): { claims: DiskClaim[] } {
    const clusterOf = clusterResolver(plan);
    const claims: DiskClaim[] = [];
    for (const release of plan.releases) {
        const cluster = clusterOf(release.resource);
        const found = scanValues(release.values);
        claims.push(...found.claims.map((c) => ({ ...c, cluster, source: release.resource })));
    }
    for (const pvc of plan.resources.filter((r) => r.type === PVC_TYPE)) {
        const storage = claimStorage(pvc.inputs);
        if (storage === undefined) continue;
        claims.push({ cluster: clusterOf(pvc.name), source: pvc.name, path: "spec", sizeGib: quantityGib(storage), replicas: 1, storageClassName: claimClass(pvc.inputs) });
    }
    return { claims };
}
