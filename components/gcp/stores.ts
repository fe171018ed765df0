// Which object stores and workload identities a stack needs, as plain data. The GCP layer is complete
// for every tier and backend, so the releases that use a bucket only consume what is declared here.
import { createHash } from "node:crypto";
import type { Settings } from "../config/schema";
import { backendProfile } from "../platform/backends";

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

/**
 * What an identity may do with the objects of one bucket, as GCS predefined roles on that bucket.
 * `upload` is create, get and list without delete; GCS also needs storage.objects.delete to replace an
 * existing object, so an uploader can neither delete nor overwrite what is there.
 */
export type ObjectAccess = "read" | "upload" | "admin";

export const ACCESS_ROLES: Readonly<Record<ObjectAccess, readonly string[]>> = {
    read: ["roles/storage.objectViewer"],
    upload: ["roles/storage.objectCreator", "roles/storage.objectViewer"],
    admin: ["roles/storage.objectAdmin"],
};

export interface BucketGrant {
    readonly store: string;
    readonly access: ObjectAccess;
}

/** One GCP service account per role: the workloads that need the same access to the same buckets. */
export interface WorkloadIdentitySpec {
    /**
     * Stable key, also the prefix of its Pulumi resource names. The role that keeps a component's
     * former single account (and its objectAdmin grant) is keyed by the component itself.
     */
    readonly key: string;
    readonly component: StoreComponent;
    /** Who runs as it, for the account's description. */
    readonly role: string;
    /** GCP service account id (the part before the @), 6-30 characters. */
    readonly accountId: string;
    /** Its only storage access: these buckets, nothing at project level. */
    readonly grants: readonly BucketGrant[];
    readonly kubernetesServiceAccounts: readonly KubernetesServiceAccountRef[];
}

/** Kubernetes service account names the charts are told to use (created by the platform). */
export const KSA_NAMES = {
    mimir: "mimir",
    // The compactor keeps the name of the former single Thanos account: its GCP account, grant and
    // Workload Identity binding stay the same resources.
    thanosCompactor: "thanos",
    thanosStoreGateway: "thanos-storegateway",
    thanosRuler: "thanos-ruler",
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
    // The metrics store's buckets, as its profile lists them; none when Prometheus is the store.
    const store = backendProfile(settings).store;
    const metrics: ObjectStoreSpec[] = store
        ? store.buckets.map((b) => (b.kind === "data" ? data(b.key, store.component, "metrics", retention.metricsDays) : state(b.key, store.component, "metrics")))
        : [];
    return [
        ...metrics,
        data("loki-chunks", "loki", "logs", retention.logsDays),
        state("loki-ruler", "loki", "logs"),
        data("tempo-traces", "tempo", "traces", retention.tracesDays),
    ];
}

/** Whether the stack keeps `component`'s data in buckets; without, it stays on persistent disks. */
export function hasBuckets(settings: Settings, component: StoreComponent): boolean {
    return objectStores(settings).some((s) => s.component === component);
}

export function workloadIdentities(settings: Settings): WorkloadIdentitySpec[] {
    const stores = objectStores(settings);
    const has = (component: StoreComponent) => stores.some((s) => s.component === component);
    const hub = settings.clusters.find((c) => c.role === "hub");
    if (!hub) throw new Error("settings without a hub cluster"); // Ruled out by validation.
    const ns = settings.namespaces;
    const on = (cluster: Settings["clusters"][number], namespace: string, name: string): KubernetesServiceAccountRef => ({
        cluster: cluster.name,
        clusterProject: cluster.project,
        namespace,
        name,
    });
    const own = (component: StoreComponent, access: ObjectAccess): BucketGrant[] =>
        stores.filter((s) => s.component === component).map((s) => ({ store: s.key, access }));
    const identity = (key: string, component: StoreComponent, role: string, grants: BucketGrant[], accounts: KubernetesServiceAccountRef[]): WorkloadIdentitySpec => ({
        key,
        component,
        role,
        accountId: boundedName(["obs", key, settings.stack], 30),
        grants,
        kubernetesServiceAccounts: accounts,
    });

    const identities: WorkloadIdentitySpec[] = [];
    if (has("mimir")) {
        // mimir-distributed runs ingesters, store gateways, queriers and the compactor as one service
        // account (only its ruler and Alertmanager can have their own, and only chart-created), so the
        // uploaders share the compactor's delete. Mimir runs on the hub only: no spoke holds it.
        identities.push(identity("mimir", "mimir", "Mimir (every component)", own("mimir", "admin"), [on(hub, ns.monitoring, KSA_NAMES.mimir)]));
    }
    if (has("thanos")) {
        identities.push(
            // Only the compactor deletes: compacted-away and expired blocks, and partial uploads.
            identity("thanos", "thanos", "Thanos compactor", own("thanos", "admin"), [on(hub, ns.monitoring, KSA_NAMES.thanosCompactor)]),
            // Blocks are immutable, named by ULID and uploaded once, meta.json last; a retry after a
            // failed upload waits for the compactor to remove the partial block (README, Identities).
            // The ruler's account exists whether or not it has rules, so SLOs never change identities.
            identity("thanos-uploader", "thanos", "Thanos sidecars of every cluster and the Thanos Ruler", own("thanos", "upload"), [
                ...settings.clusters.map((c) => on(c, ns.monitoring, KSA_NAMES.prometheus)),
                on(hub, ns.monitoring, KSA_NAMES.thanosRuler),
            ]),
            identity("thanos-reader", "thanos", "Thanos store gateway", own("thanos", "read"), [on(hub, ns.monitoring, KSA_NAMES.thanosStoreGateway)]),
        );
    }
    // Monolithic Loki and Tempo write, compact and delete in one process. Distributed Loki's ingesters
    // may flush a chunk their replicas already wrote under the same name, which GCS treats as a delete.
    if (has("loki")) identities.push(identity("loki", "loki", "Loki", own("loki", "admin"), [on(hub, ns.logging, KSA_NAMES.loki)]));
    if (has("tempo")) identities.push(identity("tempo", "tempo", "Tempo", own("tempo", "admin"), [on(hub, ns.tracing, KSA_NAMES.tempo)]));
    return identities;
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
