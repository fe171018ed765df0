// Where each cluster sends its signals. On the hub, collectors talk to the stores' in-cluster
// services; a spoke sends to the hub's endpoints from settings, over TLS with credentials.
// The logs/traces and fleet work both read this module: keep the signatures stable.
import type { ClusterSettings, Settings } from "../config/schema";
import { backendProfile, remoteWrites } from "../platform/backends";
import { SERVICES, serviceAddress, serviceUrl } from "../platform/services";

/** Tenant of every signal in the multi-tenant stores (Mimir, Loki, Tempo): `tenant`, by default the stack's name. */
export function tenantOf(settings: Settings): string {
    return settings.tenant;
}

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
    /** OTLP/HTTP base URL that accepts logs for Loki (the exporter appends /v1/logs). */
    readonly logsOtlpHttp: string;
    /**
     * How a spoke's collectors authenticate to the hub: basic auth as `username` with the password,
     * and TLS verified against the fleet CA, both read from the SPOKE_CREDENTIALS Secret mounted at
     * SPOKE_CREDENTIALS.mountPath. Null inside the hub.
     */
    readonly credentials: { readonly username: string } | null;
}

export function pushTargets(settings: Settings, cluster: ClusterSettings): PushTargets {
    const tenant = tenantOf(settings);
    const profile = backendProfile(settings);
    const writes = remoteWrites(profile, cluster.role);
    const receiver = profile.receiver;
    if (cluster.role === "hub") {
        return {
            crossCluster: false,
            tenant,
            // Without a port: the receiver serves http's own (the Mimir gateway's 80).
            metricsRemoteWrite: writes ? serviceUrl(settings, receiver.service, undefined, receiver.path) : null,
            logsPush: serviceUrl(settings, "lokiGateway", undefined, "/loki/api/v1/push"),
            tracesOtlpGrpc: serviceAddress(settings, "tempo", "otlpGrpc"),
            logsOtlpHttp: serviceUrl(settings, "lokiGateway", undefined, "/otlp"),
            credentials: null,
        };
    }
    // A spoke sends everything through the hub's fleet gateway: TLS with the fleet CA and basic auth
    // with the spoke's own generated credentials (SPOKE_CREDENTIALS). The gateway sets the tenant.
    const host = settings.fleet.hub.host;
    if (host === undefined) {
        // Ruled out by validation: a stack with spokes must name the hub's endpoint.
        throw new Error(`cluster ${cluster.name} is a spoke but fleet.hub.host is not set`);
    }
    const base = `https://${host}`;
    return {
        crossCluster: true,
        tenant,
        // The gateway forwards the receiver's path (fleet/gateway.ts); with Thanos the spoke's sidecar
        // uploads blocks to the shared bucket instead.
        metricsRemoteWrite: writes ? `${base}${receiver.path}` : null,
        logsPush: `${base}${FLEET_GATEWAY.paths.lokiPush}`,
        tracesOtlpGrpc: `${host}:${FLEET_GATEWAY.otlpGrpcPort}`,
        logsOtlpHttp: `${base}${FLEET_GATEWAY.paths.lokiOtlpLogs.replace(/\/v1\/logs$/, "")}`,
        // The gateway's user file has one user per spoke, named after the cluster (fleet/credentials.ts).
        credentials: { username: cluster.name },
    };
}

/** The hub's fleet gateway: one TLS endpoint with basic auth in front of the hub's stores. */
export const FLEET_GATEWAY = {
    name: SERVICES.fleetGateway.name,
    httpsPort: SERVICES.fleetGateway.ports.https,
    otlpGrpcPort: SERVICES.fleetGateway.ports.otlpGrpc,
    /** Paths the gateway forwards, besides the metrics receiver's (platform/backends.ts); everything else is refused. */
    paths: {
        lokiPush: "/loki/api/v1/push",
        // Loki's OTLP logs endpoint, for the OpenTelemetry collectors' logs pipeline.
        lokiOtlpLogs: "/otlp/v1/logs",
        alertmanagerAlerts: "/api/v2/alerts",
    },
} as const;

/** The hub gateway's Secrets: the spokes' users (htpasswd) and its TLS certificate and key. */
export const FLEET_GATEWAY_SECRETS = { users: `${FLEET_GATEWAY.name}-users`, tls: `${FLEET_GATEWAY.name}-tls` } as const;

/**
 * The Secret a spoke's collectors authenticate to the hub with, created in each of the spoke's
 * platform namespaces (monitoring, logging, tracing): basic-auth user and password, and the fleet
 * CA certificate that signed the gateway's server certificate.
 */
export const SPOKE_CREDENTIALS = {
    secretName: "fleet-hub-credentials",
    usernameKey: "username",
    passwordKey: "password",
    caKey: "ca.crt",
    /** Where collectors (Alloy, the OpenTelemetry gateway) mount the Secret's files. */
    mountPath: "/etc/fleet-credentials",
} as const;

/** A file of the mounted SPOKE_CREDENTIALS Secret. */
export const spokeCredentialFile = (key: string): string => `${SPOKE_CREDENTIALS.mountPath}/${key}`;

/** Where a spoke's Prometheus sends alerts: the hub's central Alertmanager, through the gateway. */
export function alertmanagerTarget(settings: Settings, cluster: ClusterSettings): { host: string; port: number } | null {
    if (cluster.role === "hub" || settings.fleet.hub.host === undefined) return null;
    return { host: settings.fleet.hub.host, port: FLEET_GATEWAY.httpsPort };
}
