// Which object stores and workload identities a stack needs, as plain data. The GCP layer is complete
// for every tier and backend, so the releases that use a bucket only consume what is declared here.
import { createHash } from "node:crypto";
import type { Settings } from "../config/schema";

export type StoreComponent = "mimir" | "thanos" | "loki" | "tempo";

export interface ObjectStoreSpec {
    /** Stable key, also the Pulumi resource name, e.g. "mimir-blocks". */
    readonly key: string;
    readonly component: StoreComponent;
    readonly signal: "metrics" | "logs" | "traces";
    /**
     * `data`: time series, chunks or trace blocks that the component's compactor deletes at the
     * store's retention. `state`: rule groups and Alertmanager state that live until changed; only
     * their superseded versions expire.
     */
    readonly kind: "data" | "state";
    /** Data: the store's retention. State: how long superseded versions are kept. */
    readonly retentionDays: number;
    /**
     * Data: objects older than this are deleted by the bucket itself, as a backstop behind the
     * compactor. An object's age counts from its upload and a compacted block is uploaded after the
     * samples in it were written, so this never removes data the component still keeps.
     */
    readonly deleteAfterDays: number;
}

/** Kubernetes service account a workload runs as, in a namespace of one cluster. */
export interface KubernetesServiceAccountRef {
    readonly cluster: string;
    /** GCP project of that cluster: its Workload Identity pool is `<project>.svc.id.goog`. */
    readonly clusterProject: string;
    readonly namespace: string;
    readonly name: string;
}

export interface WorkloadIdentitySpec {
    readonly component: StoreComponent;
    /** GCP service account id (the part before the @), 6-30 characters. */
    readonly accountId: string;
    /** Keys of the stores this identity may read and write; no other bucket, no project-level role. */
    readonly stores: readonly string[];
    readonly kubernetesServiceAccounts: readonly KubernetesServiceAccountRef[];
}

/** Kubernetes service account names the charts are told to use (created by the platform). */
export const KSA_NAMES = {
    mimir: "mimir",
    thanos: "thanos",
    // The Thanos sidecar runs inside the Prometheus pod, so Prometheus' own account uploads blocks.
    prometheus: "prometheus",
    loki: "loki",
    tempo: "tempo",
} as const;

export function objectStores(settings: Settings): ObjectStoreSpec[] {
    if (settings.tier === "minimal") return []; // Everything on persistent disks.
    const { retention, storage } = settings;
    const data = (key: string, component: StoreComponent, signal: ObjectStoreSpec["signal"], days: number): ObjectStoreSpec => ({
        key,
        component,
        signal,
        kind: "data",
        retentionDays: days,
        deleteAfterDays: days + storage.lifecycleMarginDays,
    });
    const state = (key: string, component: StoreComponent, signal: ObjectStoreSpec["signal"]): ObjectStoreSpec => ({
        key,
        component,
        signal,
        kind: "state",
        retentionDays: storage.stateHistoryDays,
        deleteAfterDays: storage.stateHistoryDays,
    });
    const metrics: ObjectStoreSpec[] =
        settings.metricsBackend === "mimir"
            ? [
                  data("mimir-blocks", "mimir", "metrics", retention.metricsDays),
                  state("mimir-ruler", "mimir", "metrics"),
                  state("mimir-alertmanager", "mimir", "metrics"),
              ]
            : settings.metricsBackend === "thanos"
              ? [data("thanos-blocks", "thanos", "metrics", retention.metricsDays)]
              : [];
    return [
        ...metrics,
        data("loki-chunks", "loki", "logs", retention.logsDays),
        state("loki-ruler", "loki", "logs"),
        data("tempo-traces", "tempo", "traces", retention.tracesDays),
    ];
}

export function workloadIdentities(settings: Settings): WorkloadIdentitySpec[] {
    const stores = objectStores(settings);
    const components = [...new Set(stores.map((s) => s.component))];
    const hub = settings.clusters.find((c) => c.role === "hub");
    if (!hub) throw new Error("settings without a hub cluster"); // Ruled out by validation.
    const ns = settings.namespaces;
    const on = (cluster: Settings["clusters"][number], namespace: string, name: string): KubernetesServiceAccountRef => ({
        cluster: cluster.name,
        clusterProject: cluster.project,
        namespace,
        name,
    });
    return components.map((component) => {
        const accounts: KubernetesServiceAccountRef[] =
            component === "mimir"
                ? [on(hub, ns.monitoring, KSA_NAMES.mimir)]
                : component === "thanos"
                  ? [
                        on(hub, ns.monitoring, KSA_NAMES.thanos),
                        ...settings.clusters.map((c) => on(c, ns.monitoring, KSA_NAMES.prometheus)),
                    ]
                  : component === "loki"
                    ? [on(hub, ns.logging, KSA_NAMES.loki)]
                    : [on(hub, ns.tracing, KSA_NAMES.tempo)];
        return {
            component,
            accountId: boundedName(["obs", component, settings.stack], 30),
            stores: stores.filter((s) => s.component === component).map((s) => s.key),
            kubernetesServiceAccounts: accounts,
        };
    });
}

export function workloadIdentityMember(ref: KubernetesServiceAccountRef): string {
    return `serviceAccount:${ref.clusterProject}.svc.id.goog[${ref.namespace}/${ref.name}]`;
}

/**
 * Joins name parts into a lowercase DNS-style name of at most `max` characters. When the parts are
 * too long, the last one is shortened and a short hash of the full name keeps it unique.
 */
export function boundedName(parts: readonly string[], max: number): string {
    const clean = parts.map((p) => p.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, ""));
    const full = clean.join("-");
    if (full.length <= max) return full;
    const hash = createHash("sha256").update(full).digest("hex").slice(0, 6);
    const head = clean.slice(0, -1).join("-");
    const room = max - head.length - hash.length - 2;
    const last = clean[clean.length - 1].slice(0, Math.max(room, 0)).replace(/-+$/, "");
    return [head, last, hash].filter((p) => p.length > 0).join("-").slice(0, max);
}

/** Bucket name prefix; a random suffix (@pulumi/random) makes the full name globally unique. */
export function bucketNamePrefix(settings: Settings, store: ObjectStoreSpec): string {
    // 63 characters at most, less the "-" and 8 hex characters of the suffix.
    return boundedName(["obs", settings.stack, store.key], 54);
}

export function bucketLabels(settings: Settings, store: ObjectStoreSpec): Record<string, string> {
    const label = (v: string) => v.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").slice(0, 63);
    return {
        stack: label(settings.stack),
        tier: settings.tier,
        component: store.component,
        signal: store.signal,
        "managed-by": "pulumi",
    };
}
