// Helm values of Loki (grafana-community chart 18.11.0) on the hub: schema v13 on TSDB, retention
// enforced by the compactor, filesystem on a disk in the minimal tier and the foundation's GCS
// buckets through Workload Identity in the long-term tier.
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterSettings, ResourceSpec, Settings } from "../config/schema";
import { tenantOf } from "../fleet/endpoints";
import { hasBuckets } from "../gcp/stores";
import { containerResources } from "../kubernetes/resources";
import { FULLNAMES, serviceUrl } from "../platform/services";
import { LOKI_DISTRIBUTED_REPLICAS } from "../platform/workloads";


/** The first day of the v13/TSDB schema period: earlier than any data this platform writes. */
export const LOKI_SCHEMA_FROM = "2024-04-01";

/** Resource attributes of OTLP logs that become the index labels the rest of the platform uses. */
export const LOKI_OTLP_INDEX_LABELS = ["cluster", "k8s.namespace.name", "k8s.pod.name", "k8s.container.name", "service.name"];

/**
 * How log alert rules reach the ruler: ConfigMaps in Loki's namespace carrying this label, which
 * the chart's rules sidecar (kiwigrid/k8s-sidecar) copies into the tenant's folder of the ruler's
 * local rule store, `<LOKI_RULES_DIR>/<tenant>/*.yaml`. Declared by Pulumi, so a rule's history is
 * the program's; the ruler bucket of the long-term tier stays provisioned but holds no rules.
 */
export const LOKI_RULE_LABEL = { key: "loki_rule", value: "true" } as const;
export const LOKI_RULES_DIR = "/rules";
/** The sidecar's folder: the local store reads one directory per tenant. */
export const lokiRulesFolder = (settings: Settings): string => `${LOKI_RULES_DIR}/${tenantOf(settings)}`;

export interface LokiRefs {
    storageClassName: string;
    /** When the stack declares Loki's buckets (gcp/stores.ts): those and the annotated Kubernetes service account. */
    objectStorage?: {
        chunksBucket: pulumi.Input<string>;
        rulerBucket: pulumi.Input<string>;
        serviceAccountName: string;
    };
}

/** Memcached keeps ~80% of its memory request as cache; the rest covers connections and slabs. */
export function memcachedAllocatedMi(spec: ResourceSpec): number {
    const match = /^([0-9]+)(Mi|Gi)$/.exec(spec.requests.memory);
    if (!match) throw new Error(`memcached memory request ${spec.requests.memory} is not in Mi or Gi`);
    const mi = Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
    return Math.floor(mi * 0.8);
}

/** Replication factor: every stream on three replicas when there are at least three. */
export function lokiReplicationFactor(settings: Settings): number {
    return settings.loki.deploymentMode === "Distributed" || settings.loki.replicas >= 3 ? 3 : 1;
}

const ZEROED_COMPONENTS = [
    "backend",
    "read",
    "write",
    "ingester",
    "distributor",
    "querier",
    "queryFrontend",
    "queryScheduler",
    "indexGateway",
    "compactor",
    "ruler",
    "bloomGateway",
    "bloomPlanner",
    "bloomBuilder",
    "patternIngester",
] as const;

export function lokiValues(settings: Settings, _cluster: ClusterSettings, refs: LokiRefs) {
    const r = settings.resources;
    const gcs = refs.objectStorage;
    if (hasBuckets(settings, "loki") && !gcs) throw new Error("Loki needs the buckets the stack declares for it");
    const store = gcs ? "gcs" : "filesystem";
    const distributed = settings.loki.deploymentMode === "Distributed";
    const retentionHours = settings.retention.logsDays * 24;

    const components: Record<string, unknown> = {};
    for (const name of ZEROED_COMPONENTS) components[name] = { replicas: 0 };
    if (distributed) {
        for (const [name, replicas] of Object.entries(LOKI_DISTRIBUTED_REPLICAS)) {
            components[name] = {
                replicas,
                resources: containerResources(r.loki),
                // The ruler loads the rule ConfigMaps through the sidecar.
                ...(name === "ruler" ? { sidecar: true } : {}),
                ...(name === "ingester"
                    ? {
                          zoneAwareReplication: { enabled: false },
                          // The WAL survives a restart on the platform StorageClass, not in an emptyDir.
                          persistence: {
                              enabled: true,
                              claims: [
                                  {
                                      name: "data",
                                      accessModes: ["ReadWriteOnce"],
                                      size: `${settings.loki.storageGi}Gi`,
                                      storageClass: refs.storageClassName,
                                  },
                              ],
                          },
                      }
                    : {}),
            };
        }
    }

    return {
        fullnameOverride: FULLNAMES.loki,
        deploymentMode: distributed ? "Distributed" : "Monolithic",
        loki: {
            // Multi-tenant: every push and query names the stack's tenant (X-Scope-OrgID).
            auth_enabled: true,
            commonConfig: { replication_factor: lokiReplicationFactor(settings) },
            schemaConfig: {
                configs: [
                    {
                        from: LOKI_SCHEMA_FROM,
                        store: "tsdb",
                        object_store: store,
                        schema: "v13",
                        index: { prefix: "loki_index_", period: "24h" },
                    },
                ],
            },
            storage: gcs
                ? { type: "gcs", bucketNames: { chunks: gcs.chunksBucket, ruler: gcs.rulerBucket } }
                : { type: "filesystem" },
            limits_config: {
                retention_period: `${retentionHours}h`,
                ...lokiIngestionLimits(settings),
                // trace_id travels as structured metadata, never as a label.
                allow_structured_metadata: true,
                otlp_config: {
                    resource_attributes: {
                        attributes_config: [{ action: "index_label", attributes: LOKI_OTLP_INDEX_LABELS }],
                    },
                },
            },
            compactor: {
                retention_enabled: true,
                // Deletion requests (and retention marks) live in the same store as the chunks.
                delete_request_store: store,
                compaction_interval: "10m",
                retention_delete_delay: "2h",
            },
            analytics: { reporting_enabled: false },
            // Log alerts: rules from the sidecar's folder, alerts to the hub's Alertmanager, routed
            // like the Prometheus alerts (the Service balances over its replicas, which gossip).
            rulerConfig: {
                wal: { dir: "/var/loki/ruler-wal" },
                storage: { type: "local", local: { directory: LOKI_RULES_DIR } },
                alertmanager_url: serviceUrl(settings, "alertmanager", "web"),
                enable_api: true,
                // Each rule group on one ruler of the ring (memberlist, as the other rings): three
                // Monolithic replicas would otherwise each run every query and send every alert.
                enable_sharding: true,
                evaluation_interval: "1m",
                poll_interval: "1m",
            },
        },
        // Least privilege: the sidecar reads ConfigMaps in Loki's namespace only (a Role, not the
        // chart's ClusterRole over every namespace's ConfigMaps and Secrets).
        rbac: { namespaced: true },
        sidecar: {
            resources: containerResources(r.lokiRulesSidecar),
            rules: {
                enabled: true,
                label: LOKI_RULE_LABEL.key,
                labelValue: LOKI_RULE_LABEL.value,
                folder: lokiRulesFolder(settings),
                resource: "configmap",
            },
        },
        singleBinary: distributed
            ? { replicas: 0 }
            : {
                  replicas: settings.loki.replicas,
                  resources: containerResources(r.loki),
                  // The single binary runs the ruler: the sidecar loads the rule ConfigMaps.
                  sidecar: true,
                  persistence: {
                      enabled: true,
                      storageClass: refs.storageClassName,
                      // The volume holds the WAL and, in the minimal tier, every chunk and index.
                      size: `${settings.loki.storageGi}Gi`,
                  },
              },
        ...components,
        gateway: {
            enabled: true,
            replicas: settings.loki.gatewayReplicas,
            resources: containerResources(r.lokiGateway),
        },
        chunksCache: settings.loki.caches
            ? {
                  enabled: true,
                  allocatedMemory: memcachedAllocatedMi(r.lokiChunksCache),
                  resources: containerResources(r.lokiChunksCache),
              }
            : { enabled: false },
        resultsCache: settings.loki.caches
            ? {
                  enabled: true,
                  allocatedMemory: memcachedAllocatedMi(r.lokiResultsCache),
                  resources: containerResources(r.lokiResultsCache),
              }
            : { enabled: false },
        serviceAccount: gcs ? { create: false, name: gcs.serviceAccountName } : { create: true },
        // The canary DaemonSet and Helm test would double the footprint of a small cluster.
        lokiCanary: { enabled: false },
        test: { enabled: false },
        minio: { enabled: false },
        monitoring: {
            serviceMonitor: { enabled: true },
        },
    };
}

/**
 * The stack's tenant's ingestion limits (limits.logs). Loki answers a push over them with 429, which
 * Alloy and the collector retry, then drop: the limit alerts (sre/limits-alerts.ts) warn before.
 * With Loki's default "global" strategy the tenant's rate is shared out among the distributors, so
 * these are the whole fleet's numbers whatever the replica count.
 */
export function lokiIngestionLimits(settings: Settings) {
    const l = settings.limits.logs;
    return {
        ingestion_rate_strategy: "global",
        ingestion_rate_mb: l.ingestionRateMb,
        ingestion_burst_size_mb: l.ingestionBurstSizeMb,
        // Loki reads these two as byte sizes ("3MB"), not as numbers of MB.
        per_stream_rate_limit: `${l.perStreamRateMb}MB`,
        per_stream_rate_limit_burst: `${l.perStreamBurstMb}MB`,
        // Each ingester enforces its share (this x replication factor / ingesters).
        max_global_streams_per_user: l.maxGlobalStreamsPerTenant,
    };
}
