// What a stack keeps of stored data, as plain data derived from its Settings: the buckets, and on each
// cluster the namespaces, the StorageClass and the releases with volumes the platform owns, and every
// retention window (how many days of which data, where). The program exports it as a stack output so
// that the next deployment can tell what a config change would delete (compare.ts).
import { z } from "zod";
import type { ClusterSettings, Settings } from "../config/schema";
import { bucketConfiguration } from "../gcp/object-storage";
import { bucketNamePrefix, hasBuckets, objectStores, type ObjectStoreSpec } from "../gcp/stores";
import { localRetentionDays } from "../sre/evaluation";
import { helmReleaseNameOf } from "../config/adoption";
import { backendProfile } from "../platform/backends";
import type { ClusterModel, PlatformModel } from "../platform/model";

/** Bumped when the shape changes; an inventory of another format is not compared (guard.ts). */
export const INVENTORY_FORMAT = 1;

export interface BucketRecord {
    /** Store key, also the Pulumi resource name ("loki-chunks"). */
    key: string;
    /** The bucket name without its random suffix. */
    namePrefix: string;
    /** A change of project or location replaces the bucket. */
    project: string;
    location: string;
    /** Whether the bucket was created with Pulumi's `protect` (storage.protectBuckets). */
    protected: boolean;
    /** A state bucket's live objects ("Mimir's rule groups"); its retention is of their old versions. */
    state?: string;
}

export interface VolumeRecord {
    /** The component whose data is on the volume ("prometheus", "ingester"). */
    name: string;
    /** Size of one replica's volume. */
    sizeGi: number;
}

export interface ReleaseRecord {
    /** Helm release name ("loki"), an adopted release's own (config/adoption.ts). */
    name: string;
    namespace: string;
    chart: string;
    volumes: VolumeRecord[];
}

export interface ClusterRecord {
    name: string;
    namespaces: string[];
    storageClass: string;
    /** The releases that own PersistentVolumeClaims. */
    releases: ReleaseRecord[];
}

/** Days of one kind of data kept in one place: shortening it deletes the oldest days. */
export interface RetentionRecord {
    /** Stable identity of the window, e.g. "bucket:loki-chunks:logs". */
    id: string;
    /** What is kept, in words ("logs", "raw-resolution metrics"). */
    what: string;
    /** Where, in words with its preposition ("in bucket loki-chunks", "on Loki's disk on dev-gke"). */
    where: string;
    days: number;
    /** The stack config key that sets it. */
    key: string;
    /** The bucket, or the cluster and release, that holds the data. */
    in: { bucket: string } | { cluster: string; release: string };
}

export interface DataInventory {
    format: typeof INVENTORY_FORMAT;
    stack: string;
    tier: string;
    metricsBackend: string;
    buckets: BucketRecord[];
    clusters: ClusterRecord[];
    retentions: RetentionRecord[];
}

const COMPONENT_NAMES = { mimir: "Mimir", thanos: "Thanos", loki: "Loki", tempo: "Tempo" } as const;

/** What a state bucket holds, from its key ("mimir-ruler" -> "Mimir's rule groups"). */
function stateContent(store: ObjectStoreSpec): string {
    const owner = COMPONENT_NAMES[store.component];
    return store.key.endsWith("-alertmanager") ? `${owner}'s Alertmanager state` : `${owner}'s rule groups`;
}

function bucketRetentions(settings: Settings, store: ObjectStoreSpec): RetentionRecord[] {
    const where = `in bucket ${store.key}`;
    const window = (suffix: string, what: string, days: number, key: string): RetentionRecord => ({
        id: `bucket:${store.key}:${suffix}`,
        what,
        where,
        days,
        key,
        in: { bucket: store.key },
    });
    if (store.kind === "state") {
        return [window("versions", `superseded versions of ${stateContent(store)}`, store.retentionDays, "storage.stateHistoryDays")];
    }
    if (store.component === "thanos") {
        // The compactor keeps each resolution for its own window (thanos.ts); 1h for the stack's retention.
        return [
            window("raw", "raw-resolution metrics", settings.thanos.rawRetentionDays, "thanos.rawRetentionDays"),
            window("5m", "5-minute metrics", settings.thanos.fiveMinuteRetentionDays, "thanos.fiveMinuteRetentionDays"),
            window("1h", "1-hour metrics", settings.retention.metricsDays, "retention.metricsDays"),
        ];
    }
    const key = { metrics: "retention.metricsDays", logs: "retention.logsDays", traces: "retention.tracesDays" }[store.signal];
    return [window(store.signal, store.signal, store.retentionDays, key)];
}

/** A cluster's namespaces, StorageClass and the releases of its model that claim volumes. */
function clusterRecord(settings: Settings, cluster: ClusterSettings, model: ClusterModel): ClusterRecord {
    return {
        name: cluster.name,
        namespaces: [...new Set(Object.values(settings.namespaces))].sort(),
        storageClass: model.storageClass,
        releases: model.releases
            .filter((r) => r.volumes.length > 0)
            // Under the Helm name it has on the cluster: another name is another release to Helm.
            .map((r) => ({ name: helmReleaseNameOf(cluster, r.release), namespace: r.namespace, chart: r.chart.chart, volumes: r.volumes.map((v) => ({ name: v.name, sizeGi: v.sizeGi })) })),
    };
}

function diskRetentions(settings: Settings, cluster: ClusterSettings): RetentionRecord[] {
    const out: RetentionRecord[] = [];
    const on = (id: string, what: string, where: string, days: number, key: string, release: string): RetentionRecord => ({
        id: `disk:${cluster.name}:${id}`,
        what,
        where: `on ${where} on ${cluster.name}`,
        days,
        key,
        in: { cluster: cluster.name, release: helmReleaseNameOf(cluster, release) },
    });
    // Only the hub's Prometheus of a prometheus-backend stack holds the sole copy of its history: every
    // other Prometheus's window is also in the long-term store or, for a spoke, in the hub's Prometheus.
    if (backendProfile(settings).store === null && cluster.role === "hub") {
        out.push(on("prometheus:metrics", "metrics", "Prometheus' disks", localRetentionDays(settings, cluster), "prometheus.retentionDays", "kube-prometheus-stack"));
    }
    // Without their buckets, Loki and Tempo keep everything on the hub's disks.
    if (cluster.role === "hub" && !hasBuckets(settings, "loki")) {
        out.push(on("loki:logs", "logs", "Loki's disk", settings.retention.logsDays, "retention.logsDays", "loki"));
    }
    if (cluster.role === "hub" && !hasBuckets(settings, "tempo")) {
        out.push(on("tempo:traces", "traces", "Tempo's disk", settings.retention.tracesDays, "retention.tracesDays", "tempo"));
    }
    return out;
}

export function dataInventory(settings: Settings, model: PlatformModel): DataInventory {
    const stores = objectStores(settings);
    return {
        format: INVENTORY_FORMAT,
        stack: settings.stack,
        tier: settings.tier,
        metricsBackend: settings.metricsBackend,
        buckets: stores.map((store) => {
            const { project, location } = bucketConfiguration(settings, store);
            return {
                key: store.key,
                namePrefix: bucketNamePrefix(settings, store),
                project,
                location,
                protected: settings.storage.protectBuckets,
                ...(store.kind === "state" ? { state: stateContent(store) } : {}),
            };
        }),
        clusters: model.clusters.map((c, i) => clusterRecord(settings, settings.clusters[i], c)),
        retentions: [...stores.flatMap((s) => bucketRetentions(settings, s)), ...settings.clusters.flatMap((c) => diskRetentions(settings, c))],
    };
}

const volumeShape = z.object({ name: z.string(), sizeGi: z.number() });
const inventoryShape = z.object({
    format: z.literal(INVENTORY_FORMAT),
    stack: z.string(),
    tier: z.string(),
    metricsBackend: z.string(),
    buckets: z.array(z.object({ key: z.string(), namePrefix: z.string(), project: z.string(), location: z.string(), protected: z.boolean(), state: z.string().optional() })),
    clusters: z.array(
        z.object({
            name: z.string(),
            namespaces: z.array(z.string()),
            storageClass: z.string(),
            releases: z.array(z.object({ name: z.string(), namespace: z.string(), chart: z.string(), volumes: z.array(volumeShape) })),
        }),
    ),
    retentions: z.array(
        z.object({
            id: z.string(),
            what: z.string(),
            where: z.string(),
            days: z.number(),
            key: z.string(),
            in: z.union([z.object({ bucket: z.string() }), z.object({ cluster: z.string(), release: z.string() })]),
        }),
    ),
});

/**
 * An inventory read back from a stack output: undefined when there is none (a first deployment, or a
 * stack last deployed before the inventory existed), a reason when it is not one this program reads.
 */
export function readInventory(value: unknown): DataInventory | undefined | { unreadable: string } {
    if (value === undefined || value === null) return undefined;
    const parsed = inventoryShape.safeParse(value);
    if (parsed.success) return parsed.data as DataInventory;
    const format = typeof value === "object" && value !== null ? (value as { format?: unknown }).format : undefined;
    return {
        unreadable:
            format !== INVENTORY_FORMAT ? `its format is ${JSON.stringify(format)}, this program reads format ${INVENTORY_FORMAT}` : "it does not have the shape of an inventory",
    };
}
