// What a change between two plans would delete of stored data, in words a reviewer cannot miss:
// buckets deleted or replaced, namespaces and StorageClasses deleted or replaced, releases that own
// disks uninstalled or replaced, and retentions shortened (history past the new window is deleted).

/** A resource as the plan's resources.json lists it (the fields read here). */
interface PlanResourceRecord {
    type: string;
    name: string;
    protect?: unknown;
    retainOnDelete?: unknown;
    inputs?: Record<string, unknown>;
}

const T = {
    bucket: "gcp:storage/bucket:Bucket",
    namespace: "kubernetes:core/v1:Namespace",
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
    release: "kubernetes:helm.sh/v3:Release",
} as const;

/** Charts whose releases hold data on persistent disks (their PVCs and claim templates). */
const CHARTS_WITH_DISKS = new Set(["kube-prometheus-stack", "loki", "tempo", "thanos", "mimir-distributed"]);

/** A release's chart name: an OCI chart is installed by its full reference, which ends in the name. */
const chartName = (r: PlanResourceRecord): string => String((r.inputs as any)?.chart ?? "").split("/").pop() ?? "";

/** Inputs whose change makes Pulumi replace the resource (delete, then create anew). */
const REPLACING_INPUTS: Readonly<Record<string, readonly string[]>> = {
    [T.bucket]: ["name", "project", "location"],
    [T.namespace]: ["metadata.name"],
    [T.storageClass]: ["metadata.name", "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"],
    [T.release]: ["name", "namespace", "chart"],
};

/** Retentions in settings.json, with what their history is. */
const RETENTIONS: readonly { path: string[]; what: string }[] = [
    { path: ["retention", "metricsDays"], what: "metrics in the long-term store" },
    { path: ["retention", "logsDays"], what: "logs" },
    { path: ["retention", "tracesDays"], what: "traces" },
    { path: ["prometheus", "retentionDays"], what: "metrics on Prometheus' disks" },
    { path: ["thanos", "rawRetentionDays"], what: "raw-resolution metrics in Thanos" },
    { path: ["thanos", "fiveMinuteRetentionDays"], what: "5-minute metrics in Thanos" },
];

const get = (value: unknown, path: readonly string[]): unknown =>
    path.reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined), value);

function describe(r: PlanResourceRecord): string {
    const i = (r.inputs ?? {}) as Record<string, any>;
    switch (r.type) {
        case T.bucket:
            return `bucket ${i.name ?? r.name} (${[i.labels?.component, i.labels?.signal].filter(Boolean).join(" ") || r.name})`;
        case T.namespace:
            return `namespace ${i.metadata?.name ?? r.name} and everything in it, PVCs included`;
        case T.storageClass:
            return `StorageClass ${i.metadata?.name ?? r.name}, which the platform's disks are provisioned from`;
        default:
            return `release ${i.name ?? r.name} (${chartName(r)}) with the PersistentVolumeClaims it owns`;
    }
}

// A namespace retained on delete stays in the cluster when Pulumi deletes it; its releases are judged on their own.
const atStake = (r: PlanResourceRecord): boolean =>
    r.type === T.bucket || (r.type === T.namespace && r.retainOnDelete !== true) || r.type === T.storageClass || (r.type === T.release && CHARTS_WITH_DISKS.has(chartName(r)));

const protectedNote = (r: PlanResourceRecord) => (r.protect === true ? " (protected: pulumi up stops at it until protection is lifted)" : "");

/** One line per loss; empty when the change deletes no stored data. */
export function dataLoss(
    before: readonly PlanResourceRecord[],
    after: readonly PlanResourceRecord[],
    settings: { before?: unknown; after?: unknown } = {},
): string[] {
    const out: string[] = [];
    const key = (r: PlanResourceRecord) => `${r.type}\u0000${r.name}`;
    const afterByKey = new Map(after.map((r) => [key(r), r]));
    for (const old of before.filter(atStake)) {
        const now = afterByKey.get(key(old));
        if (!now) {
            out.push(`deletes ${describe(old)}${protectedNote(old)}`);
            continue;
        }
        const changed = (REPLACING_INPUTS[old.type] ?? []).filter(
            (p) => JSON.stringify(get(old.inputs, p.split("."))) !== JSON.stringify(get(now.inputs, p.split("."))),
        );
        if (changed.length > 0) out.push(`replaces ${describe(old)} (${changed.join(", ")} changed): the old one is deleted${protectedNote(old)}`);
    }
    for (const { path, what } of RETENTIONS) {
        const a = get(settings.before, path);
        const b = get(settings.after, path);
        if (typeof a === "number" && typeof b === "number" && b < a) {
            out.push(`shortens the retention of ${what} (${path.join(".")}) from ${a} to ${b} days: ${a - b} days of stored history are deleted`);
        }
    }
    for (const old of before.filter((r) => r.type === T.bucket)) {
        const now = afterByKey.get(key(old));
        const age = (r: PlanResourceRecord | undefined) => (r?.inputs as any)?.lifecycleRules?.find((l: any) => l?.action?.type === "Delete")?.condition?.age;
        const a = age(old);
        const b = age(now);
        if (typeof a === "number" && typeof b === "number" && b < a) {
            out.push(`shortens the lifecycle of ${describe(old)} from ${a} to ${b} days: objects older than ${b} days are deleted`);
        }
    }
    return out;
}
