// Helm values of mimir-distributed 6.2.0 on the hub: Mimir in its classic architecture (distributors
// push to ingesters over gRPC, no Kafka) with blocks, rules and Alertmanager state in the stack's GCS
// buckets, reached through Workload Identity as the platform's `mimir` Kubernetes service account.
//
// Value keys were checked against ../shared/charts/mimir-distributed/values.yaml, which is the chart's
// main branch (6.2.0-weekly.402 and later), not the 6.2.0 release. Differences that matter here:
// - `kafka.enabled` and `mimir.config`'s `ingest_storage.enabled` default to true in both: the ingest
//   storage (Kafka) architecture is the chart's default since 6.0, so both are set false explicitly,
//   and the ingesters' gRPC push API (disabled by that default config) is switched back on.
// - `minio.image` (pgsty/silo) and memberlist `rejoin_interval` are main-branch changes after 6.2.0;
//   MinIO is disabled here and memberlist is left at the chart's defaults, so neither matters.
// - `ingester.zoneAwareReplication.readOnlyDownscaleDelay` is main-branch only; not set here.
// The 6.2.0 release's own values.yaml was not available offline, so the keys below are checked
// against main only (test/charts.test.ts); confirm them with
// `helm show values grafana/mimir-distributed --version 6.2.0` before the first `pulumi up`.
import type * as pulumi from "@pulumi/pulumi";
import { MIMIR_REPLICATION_FACTOR } from "../config/long-term-rules";
import type { Settings } from "../config/schema";
import { MIMIR_LABEL_LIMITS } from "../config/limits";
import { KSA_NAMES } from "../gcp/stores";
import { containerResources } from "../kubernetes/resources";
import { FULLNAMES } from "../platform/services";
import { MIMIR_QUERY_SCHEDULER_REPLICAS } from "../platform/workloads";



export interface MimirRefs {
    storageClassName: string;
    /** Bucket names from the GCP layer (plain strings in tests, outputs in the program). */
    buckets: { blocks: pulumi.Input<string>; ruler: pulumi.Input<string>; alertmanager: pulumi.Input<string> };
}

const gcs = (bucket: pulumi.Input<string>) => ({
    backend: "gcs",
    // No credentials: the GCS client uses the pod's Workload Identity (application default credentials).
    gcs: { bucket_name: bucket },
});

export function mimirValues(settings: Settings, refs: MimirRefs) {
    const m = settings.mimir;
    const r = settings.resources;
    const volume = (sizeGi: number) => ({ enabled: true, size: `${sizeGi}Gi`, storageClass: refs.storageClassName });
    // A regional hub spreads pods by host; zone-aware replication would need a StatefulSet per zone
    // with node selectors and the rollout operator, which ~300k series do not justify.
    const noZones = { zoneAwareReplication: { enabled: false } };
    return {
        fullnameOverride: FULLNAMES.mimir,
        // The platform creates this account with its Workload Identity annotation (gcp/stores). Every
        // component runs as it: the chart gives only the ruler and Alertmanager their own accounts, and
        // only ones it creates, so the ingesters share the compactor's objectAdmin.
        serviceAccount: { create: false, name: KSA_NAMES.mimir },
        // Classic architecture, chosen deliberately: the chart defaults to ingest storage on a bundled
        // single-broker Kafka, one more stateful system to run for no gain at this size.
        kafka: { enabled: false },
        minio: { enabled: false },
        // Only needed for zone-aware rollouts.
        rollout_operator: { enabled: false },
        mimir: {
            structuredConfig: {
                ingest_storage: { enabled: false },
                ingester: { push_grpc_method_enabled: true, ring: { replication_factor: MIMIR_REPLICATION_FACTOR } },
                blocks_storage: gcs(refs.buckets.blocks),
                ruler_storage: gcs(refs.buckets.ruler),
                // The ruler evaluates the SLO rules (sre/evaluation.ts) over the whole store, at the
                // interval the clusters' Prometheus used, and notifies the hub's Alertmanager: every
                // replica, through the operator's headless Service (alerts are not gossiped), rather
                // than the chart's default of Mimir's own Alertmanager, which routes nothing.
                ruler: {
                    alertmanager_url: `dnssrvnoa+http://_http-web._tcp.alertmanager-operated.${settings.namespaces.monitoring}.svc.cluster.local`,
                    evaluation_interval: settings.prometheus.scrapeInterval,
                },
                alertmanager_storage: gcs(refs.buckets.alertmanager),
                limits: {
                    // The compactor deletes blocks past the stack's metrics retention; the bucket's
                    // lifecycle rule (retention + margin) is only the backstop.
                    compactor_blocks_retention_period: `${settings.retention.metricsDays * 24}h`,
                    max_global_series_per_user: m.maxGlobalSeriesPerTenant,
                    max_global_series_per_metric: m.maxGlobalSeriesPerMetric,
                    // Mimir's defaults, written out: Prometheus' enforced label limits are derived from
                    // them (config/limits.ts), so a sample Prometheus accepts is not refused here.
                    max_label_names_per_series: MIMIR_LABEL_LIMITS.maxLabelNamesPerSeries,
                    max_label_name_length: MIMIR_LABEL_LIMITS.maxLabelNameLength,
                    max_label_value_length: MIMIR_LABEL_LIMITS.maxLabelValueLength,
                    ingestion_rate: m.ingestionRateSamplesPerSecond,
                    // Allows a Prometheus catching up after an outage to send a few queues' worth at once.
                    ingestion_burst_size: m.ingestionRateSamplesPerSecond * 10,
                    // Tempo's span metrics and the services' histograms carry trace ids as exemplars.
                    max_global_exemplars_per_user: m.maxGlobalExemplarsPerTenant,
                },
                usage_stats: { enabled: false },
            },
        },
        distributor: { replicas: m.distributorReplicas, resources: containerResources(r.mimirDistributor) },
        ingester: {
            replicas: m.ingesterReplicas,
            ...noZones,
            persistentVolume: volume(m.ingesterStorageGi),
            resources: containerResources(r.mimirIngester),
        },
        querier: { replicas: m.querierReplicas, resources: containerResources(r.mimirQuerier) },
        query_frontend: { replicas: m.queryFrontendReplicas, resources: containerResources(r.mimirQueryFrontend) },
        query_scheduler: { replicas: MIMIR_QUERY_SCHEDULER_REPLICAS, resources: containerResources(r.mimirQueryScheduler) },
        store_gateway: {
            replicas: m.storeGatewayReplicas,
            ...noZones,
            persistentVolume: volume(m.storeGatewayStorageGi),
            resources: containerResources(r.mimirStoreGateway),
        },
        compactor: { replicas: 1, persistentVolume: volume(m.compactorStorageGi), resources: containerResources(r.mimirCompactor) },
        ruler: { replicas: 1, resources: containerResources(r.mimirRuler) },
        alertmanager: {
            replicas: 1,
            ...noZones,
            persistentVolume: volume(m.alertmanagerStorageGi),
            resources: containerResources(r.mimirAlertmanager),
        },
        // Exports per-tenant limits as metrics; the stack has one tenant whose limits are in settings.
        overrides_exporter: { enabled: false },
        // The in-cluster entry point for writes (/api/v1/push) and queries (/prometheus); ClusterIP only.
        gateway: { replicas: m.gatewayReplicas, resources: containerResources(r.mimirGateway), service: { type: "ClusterIP" } },
        metaMonitoring: { serviceMonitor: { enabled: true } },
    };
}
