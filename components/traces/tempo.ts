// Helm values of Tempo (grafana-community chart 2.2.4, monolithic) on the hub: OTLP receivers, the
// local backend on a disk in the minimal tier or the foundation's GCS bucket in the long-term tier,
// and the metrics-generator writing span metrics and service graphs (with exemplars) to the metrics store.
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterSettings, Settings } from "../config/schema";
import { tenantOf, type PushTargets } from "../fleet/endpoints";
import { hasBuckets } from "../gcp/stores";
import { containerResources } from "../kubernetes/resources";
import { FULLNAMES, SERVICES, serviceUrl } from "../platform/services";


/** Metrics-generator processors: RED metrics per span and the service graph. */
export const TEMPO_GENERATOR_PROCESSORS = ["service-graphs", "span-metrics"] as const;

export interface TempoRefs {
    storageClassName: string;
    objectStorage?: { tracesBucket: pulumi.Input<string>; serviceAccountName: string };
}

/**
 * Where generated metrics go. On a spoke: its own Prometheus, which ships everything to the hub
 * with the spoke's credentials (one authenticated path per cluster). On the hub: Mimir's push API
 * when it is the metrics store, otherwise the
 * remote-write receiver of every hub Prometheus replica (Thanos uploads their blocks). Writing
 * through the Service would give each HA replica only part of the series, and deduplication would
 * then show gaps; each replica gets all of them instead, like a scrape.
 */
export function metricsWriteUrls(settings: Settings, targets: PushTargets): string[] {
    if (targets.metricsRemoteWrite && !targets.crossCluster) return [targets.metricsRemoteWrite];
    const replicas = settings.prometheus.replicas;
    if (replicas === 1) return [serviceUrl(settings, "prometheus", "web", "/api/v1/write")];
    // Pods of the operator's StatefulSet, addressed through its governing Service.
    const statefulSet = `prometheus-${FULLNAMES.kubePrometheusStack}-prometheus`;
    return Array.from(
        { length: replicas },
        (_, i) => `http://${statefulSet}-${i}.prometheus-operated.${settings.namespaces.monitoring}.svc:9090/api/v1/write`,
    );
}

/** Remote-write headers: Mimir is multi-tenant, Prometheus needs none. */
export function metricsWriteHeaders(settings: Settings, targets: PushTargets): Record<string, string> {
    return targets.metricsRemoteWrite && !targets.crossCluster ? { "X-Scope-OrgID": tenantOf(settings) } : {};
}

export function tempoValues(settings: Settings, cluster: ClusterSettings, targets: PushTargets, refs: TempoRefs) {
    const gcs = refs.objectStorage;
    if (hasBuckets(settings, "tempo") && !gcs) throw new Error("Tempo needs the bucket the stack declares for it");
    const headers = metricsWriteHeaders(settings, targets);
    return {
        fullnameOverride: FULLNAMES.tempo,
        // Monolithic Tempo is one process: its WAL and (minimal tier) blocks are on one disk.
        replicas: 1,
        tempo: {
            resources: containerResources(settings.resources.tempo),
            // Every request names the stack's tenant, as with Loki and Mimir.
            multitenancyEnabled: true,
            reportingEnabled: false,
            // Grafana's Tempo datasource streams search and TraceQL-metrics results over HTTP.
            streamOverHttpEnabled: true,
            retention: `${settings.retention.tracesDays * 24}h`,
            storage: {
                trace: gcs
                    ? { backend: "gcs", gcs: { bucket_name: gcs.tracesBucket }, wal: { path: "/var/tempo/wal" } }
                    : { backend: "local", local: { path: "/var/tempo/traces" }, wal: { path: "/var/tempo/wal" } },
            },
            // Spans arrive over OTLP. The chart's Jaeger receivers stay: chart 2.2.4's Service
            // template reads their endpoints without a guard, so removing them (`jaeger: null`)
            // fails the render; nothing in the platform sends Jaeger.
            receivers: {
                otlp: {
                    protocols: {
                        grpc: { endpoint: `0.0.0.0:${SERVICES.tempo.ports.otlpGrpc}` },
                        http: { endpoint: `0.0.0.0:${SERVICES.tempo.ports.otlpHttp}` },
                    },
                },
            },
            metricsGenerator: {
                enabled: true,
                remoteWriteUrl: metricsWriteUrls(settings, targets)[0],
                registry: { external_labels: { cluster: cluster.name, source: "tempo" } },
                // `cluster` comes from the registry's external label; a dimension of the same name
                // would collide with it.
                processor: {
                    service_graphs: { dimensions: ["k8s.namespace.name"] },
                    span_metrics: { dimensions: ["k8s.namespace.name"] },
                },
                storage: {
                    path: "/var/tempo/generator/wal",
                    // Exemplars carry the trace id from a metric point to its trace.
                    remote_write: metricsWriteUrls(settings, targets).map((url) => ({
                        url,
                        send_exemplars: true,
                        ...(Object.keys(headers).length > 0 ? { headers } : {}),
                    })),
                },
            },
            overrides: {
                defaults: { metrics_generator: { processors: [...TEMPO_GENERATOR_PROCESSORS] } },
            },
        },
        persistence: {
            enabled: true,
            storageClassName: refs.storageClassName,
            accessModes: ["ReadWriteOnce"],
            size: `${settings.tempo.storageGi}Gi`,
        },
        serviceAccount: gcs ? { create: false, name: gcs.serviceAccountName } : { create: true },
        serviceMonitor: { enabled: true },
    };
}
