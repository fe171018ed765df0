// Thanos on the hub (Bitnami chart 17.6.0): query, query-frontend, store gateway and compactor over
// the stack's GCS bucket. Prometheus' Thanos sidecars (kube-prometheus-stack) upload the blocks.
import type { Settings } from "../config/schema";
import { KSA_NAMES } from "../gcp/stores";
import { containerResources } from "../kubernetes/resources";
import { FULLNAMES, serviceAddress } from "../platform/services";


/**
 * Bitnami's own images moved out of the public docker.io/bitnami repository, so every Thanos
 * component (and the sidecar) runs the upstream image at the chart's appVersion, 0.39.2.
 */
export const THANOS_IMAGE = { registry: "quay.io", repository: "thanos/thanos", tag: "v0.39.2" } as const;
export const THANOS_IMAGE_REF = `${THANOS_IMAGE.registry}/${THANOS_IMAGE.repository}:${THANOS_IMAGE.tag}`;

/** The Secret (in the monitoring namespace of every cluster that talks to the bucket) holding objstore.yml. */
export const THANOS_OBJSTORE_SECRET = { name: "thanos-objstore", key: "objstore.yml" } as const;

/**
 * Thanos' bucket configuration. GCS without a service_account entry uses the pod's Workload
 * Identity, so the file holds no credential; it is still only ever written to a Secret.
 */
export function thanosObjstoreConfig(bucket: string): string {
    return `type: GCS\nconfig:\n  bucket: ${JSON.stringify(bucket)}\n`;
}

/** Label prometheus-operator gives each replica of an HA Prometheus pair; Thanos Query dedups on it. */
export const PROMETHEUS_REPLICA_LABEL = "prometheus_replica";

/** External label prometheus-operator gives each Thanos Ruler replica (thanos-ruler.ts); Query dedups on it too. */
export const THANOS_RULER_REPLICA_LABEL = "thanos_ruler_replica";

/** The governing Service prometheus-operator creates for the Thanos Ruler's pods (gRPC Store API 10901, web 10902). */
export const THANOS_RULER_OPERATED = { name: "thanos-ruler-operated", grpcPort: 10901 } as const;

/** Thanos Query's HTTP service (Bitnami chart: `<fullname>-query`, port 9090). */
export const thanosQueryAddress = (settings: Settings) => serviceAddress(settings, "thanosQuery", "http");

/** `ruler`: whether the hub's Thanos Ruler has rules (the model's), whose Store API Query then reads. */
export function thanosValues(settings: Settings, refs: { storageClassName: string; ruler: boolean }) {
    const t = settings.thanos;
    const r = settings.resources;
    // Each component that touches the bucket runs as its role's Workload Identity account (gcp/stores):
    // the store gateway only reads, the compactor alone deletes.
    const runAs = (name: string) => ({ serviceAccount: { create: false, name } });
    const volume = (sizeGi: number) => ({ enabled: true, storageClass: refs.storageClassName, size: `${sizeGi}Gi` });
    return {
        fullnameOverride: FULLNAMES.thanos,
        image: { ...THANOS_IMAGE },
        // Bitnami charts refuse to render with an image other than their own ("Original containers
        // have been substituted for unrecognized ones") unless this is set: the substitution is the point.
        global: { security: { allowInsecureImages: true } },
        existingObjstoreSecret: THANOS_OBJSTORE_SECRET.name,
        query: {
            replicaCount: t.queryReplicas,
            // HA Prometheus pairs and Thanos Ruler replicas (the ruler queries with deduplication).
            replicaLabel: [PROMETHEUS_REPLICA_LABEL, THANOS_RULER_REPLICA_LABEL],
            // The store gateway (history) and the hub Prometheus' sidecar (the last ~2h) via DNS.
            dnsDiscovery: {
                enabled: true,
                sidecarsService: `${FULLNAMES.kubePrometheusStack}-thanos-discovery`,
                sidecarsNamespace: settings.namespaces.monitoring,
            },
            // The Thanos Ruler's Store API: its recorded SLO series before they reach the bucket.
            ...(refs.ruler
                ? { stores: [`dnssrv+_grpc._tcp.${THANOS_RULER_OPERATED.name}.${settings.namespaces.monitoring}.svc.cluster.local`] }
                : {}),
            resources: containerResources(r.thanosQuery),
        },
        queryFrontend: { replicaCount: t.queryFrontendReplicas, resources: containerResources(r.thanosQueryFrontend) },
        storegateway: {
            enabled: true,
            replicaCount: t.storeGatewayReplicas,
            // Replicas hold the same blocks: query them as one group so one answer suffices.
            useEndpointGroup: t.storeGatewayReplicas > 1,
            persistence: volume(t.storeGatewayStorageGi),
            resources: containerResources(r.thanosStoreGateway),
            ...runAs(KSA_NAMES.thanosStoreGateway),
        },
        compactor: {
            enabled: true,
            // Raw and 5m data expire first; 1h data lives for the stack's metrics retention, which the
            // bucket's lifecycle rule also follows.
            retentionResolutionRaw: `${t.rawRetentionDays}d`,
            retentionResolution5m: `${t.fiveMinuteRetentionDays}d`,
            retentionResolution1h: `${settings.retention.metricsDays}d`,
            persistence: volume(t.compactorStorageGi),
            resources: containerResources(r.thanosCompactor),
            ...runAs(KSA_NAMES.thanosCompactor),
        },
        ruler: { enabled: false },
        receive: { enabled: false },
        bucketweb: { enabled: false },
        minio: { enabled: false },
        metrics: { enabled: true, serviceMonitor: { enabled: true } },
    };
}
