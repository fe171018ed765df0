// Where each cluster sends its signals. On the hub, collectors talk to the stores' in-cluster
// services; a spoke sends to the hub's endpoints from settings, over TLS with credentials.
// The logs/traces and fleet work both read this module: keep the signatures stable.
import type { ClusterSettings, Settings } from "../config/schema";

/** Tenant of every signal in the multi-tenant stores (Mimir, Loki, Tempo): one per stack. */
export function tenantOf(settings: Settings): string {
    return settings.stack;
}

/** In-cluster service names of the stores on the hub; each pillar's release must match them. */
export const HUB_SERVICES = {
    // Mimir: the gateway (nginx) in front of distributor and query-frontend.
    mimirGateway: { name: "mimir-gateway", port: 80 },
    thanosQueryFrontend: { name: "thanos-query-frontend", port: 9090 },
    // Loki in monolithic mode behind its gateway.
    lokiGateway: { name: "loki-gateway", port: 80 },
    // Tempo monolithic: OTLP gRPC 4317, OTLP HTTP 4318, query 3200.
    tempo: { name: "tempo", otlpGrpcPort: 4317, otlpHttpPort: 4318, queryPort: 3200 },
    // The OpenTelemetry gateway collector every cluster runs.
    otelGateway: { name: "otel-gateway", otlpGrpcPort: 4317, otlpHttpPort: 4318 },
} as const;

export interface PushTargets {
    /** Whether the targets are on another cluster (then TLS and authentication are required). */
    readonly crossCluster: boolean;
    readonly tenant: string;
    /** Prometheus remote_write URL, or null when metrics stay in the cluster's own Prometheus. */
    readonly metricsRemoteWrite: string | null;
    /** Loki push API URL (…/loki/api/v1/push). */
    readonly logsPush: string;
    /** OTLP/gRPC endpoint (host:port) that accepts traces for Tempo. */
    readonly tracesOtlpGrpc: string;
}

const svc = (name: string, namespace: string) => `${name}.${namespace}.svc`;

export function pushTargets(settings: Settings, cluster: ClusterSettings): PushTargets {
    const ns = settings.namespaces;
    const tenant = tenantOf(settings);
    if (cluster.role === "hub") {
        return {
            crossCluster: false,
            tenant,
            metricsRemoteWrite:
                settings.metricsBackend === "mimir"
                    ? `http://${svc(HUB_SERVICES.mimirGateway.name, ns.monitoring)}/api/v1/push`
                    : null,
            logsPush: `http://${svc(HUB_SERVICES.lokiGateway.name, ns.logging)}/loki/api/v1/push`,
            tracesOtlpGrpc: `${svc(HUB_SERVICES.tempo.name, ns.tracing)}:${HUB_SERVICES.tempo.otlpGrpcPort}`,
        };
    }
    // Spokes: wired by the fleet work (hub endpoints, TLS and credentials from settings).
    throw new Error(`cluster ${cluster.name} is a spoke: cross-cluster endpoints are not configured yet`);
}
