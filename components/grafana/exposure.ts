// How Grafana is reached from outside its cluster: the Ingress, the GKE load balancer's backend
// settings (BackendConfig: health check, IAP, Cloud Armor) and the browser-side TLS guarantees.
// Pure builders first; installGrafanaExposure wires the two objects the chart cannot declare.
import * as compute from "@pulumi/gcp/compute";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../cluster/context";
import type { ClusterSettings, Settings } from "../config/schema";
import { GKE_EXTERNAL_CLASS, isGkeClass } from "../config/grafana-exposure";

/** The BackendConfig GKE's load balancer takes its Grafana backend settings from. */
export const GRAFANA_BACKEND_CONFIG = "grafana";
/** Grafana's container port (the chart's default), which a NEG-backed health check probes directly. */
export const GRAFANA_CONTAINER_PORT = 3000;
/** HSTS lifetime: a year, the common floor for browsers' preload lists. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;
/** Cloud Armor's limit of source ranges in one rule. */
const RANGES_PER_RULE = 10;
/** Cloud Armor's default rule has the lowest priority there is. */
const DEFAULT_RULE_PRIORITY = 2_147_483_647;

type Ingress = Settings["grafana"]["ingress"];
export const exposed = (i: Ingress): i is Ingress & { host: string; tlsSecretName: string } => i.enabled && !!i.host && !!i.tlsSecretName;

/** The Cloud Armor policy's name: one per stack and cluster, within GCE's 63 characters. */
export function grafanaSecurityPolicyName(settings: Settings, cluster: ClusterSettings): string {
    return `grafana-${settings.stack}-${cluster.name}`.toLowerCase().replace(/[^-a-z0-9]/g, "-").slice(0, 63).replace(/-+$/, "");
}

/** Whether the stack puts Grafana behind a Cloud Armor allowlist. */
const usesAllowlist = (i: Ingress) => exposed(i) && i.className === GKE_EXTERNAL_CLASS && i.access === "allowlist";

/**
 * The Grafana chart's values for exposure: `ingress`, `service` and the `grafana.ini` sections that
 * make a browser use TLS only. Without an ingress Grafana stays a ClusterIP Service (port-forward).
 */
export function grafanaExposureValues(settings: Settings) {
    const ingress = settings.grafana.ingress;
    if (!exposed(ingress)) return { service: { type: "ClusterIP" }, ingress: { enabled: false }, ini: {} };
    const gke = isGkeClass(ingress.className);
    return {
        service: {
            type: "ClusterIP",
            // GKE's controller reads these from the backend Service: container-native load balancing
            // (required by gce-internal) and the BackendConfig below.
            ...(gke
                ? {
                      annotations: {
                          "cloud.google.com/neg": JSON.stringify({ ingress: true }),
                          "cloud.google.com/backend-config": JSON.stringify({ default: GRAFANA_BACKEND_CONFIG }),
                      },
                  }
                : {}),
        },
        ingress: {
            enabled: true,
            // GKE's controller only acts on the class annotation and ignores spec.ingressClassName
            // (the API refuses both at once); other controllers read the field.
            ...(gke
                ? { annotations: { "kubernetes.io/ingress.class": ingress.className, "kubernetes.io/ingress.allow-http": "false" } }
                : { ingressClassName: ingress.className }),
            hosts: [ingress.host],
            path: "/",
            pathType: "Prefix",
            tls: [{ secretName: ingress.tlsSecretName, hosts: [ingress.host] }],
        },
        ini: {
            server: { root_url: `https://${ingress.host}` },
            // TLS ends at the load balancer; the browser still only ever speaks HTTPS to Grafana.
            security: {
                cookie_secure: true,
                cookie_samesite: "lax",
                strict_transport_security: true,
                // As text: Helm prints a number this large as 3.1536e+07, which Grafana cannot read.
                strict_transport_security_max_age_seconds: String(HSTS_MAX_AGE_SECONDS),
            },
        },
    };
}

/** The BackendConfig of Grafana's Service on a GKE class; undefined otherwise. */
export function grafanaBackendConfig(settings: Settings, cluster: ClusterSettings) {
    const ingress = settings.grafana.ingress;
    if (!exposed(ingress) || !isGkeClass(ingress.className)) return undefined;
    return {
        apiVersion: "cloud.google.com/v1",
        kind: "BackendConfig",
        metadata: { name: GRAFANA_BACKEND_CONFIG, namespace: settings.namespaces.monitoring },
        spec: {
            // "/" redirects to the login page, which a load balancer health check counts as down.
            healthCheck: { type: "HTTP", requestPath: "/api/health", port: GRAFANA_CONTAINER_PORT },
            ...(ingress.access === "iap" ? { iap: { enabled: true, oauthclientCredentials: { secretName: ingress.iapOAuthSecretName } } } : {}),
            ...(usesAllowlist(ingress) ? { securityPolicy: { name: grafanaSecurityPolicyName(settings, cluster) } } : {}),
        },
    };
}

/** The Cloud Armor policy admitting only the allowlist; undefined unless access is "allowlist". */
export function grafanaSecurityPolicyArgs(settings: Settings, cluster: ClusterSettings): compute.SecurityPolicyArgs | undefined {
    const ingress = settings.grafana.ingress;
    if (!usesAllowlist(ingress)) return undefined;
    const ranges = ingress.allowlist ?? [];
    const chunks = Array.from({ length: Math.ceil(ranges.length / RANGES_PER_RULE) }, (_, i) => ranges.slice(i * RANGES_PER_RULE, (i + 1) * RANGES_PER_RULE));
    const bySource = (srcIpRanges: string[]) => ({ versionedExpr: "SRC_IPS_V1", config: { srcIpRanges } });
    return {
        name: grafanaSecurityPolicyName(settings, cluster),
        project: settings.project,
        type: "CLOUD_ARMOR",
        description: `Sources allowed to reach Grafana of ${settings.stack}/${cluster.name}`,
        rules: [
            ...chunks.map((chunk, i) => ({ action: "allow", priority: 1000 + i, match: bySource([...chunk]), description: "grafana.ingress.allowlist" })),
            { action: "deny(403)", priority: DEFAULT_RULE_PRIORITY, match: bySource(["*"]), description: "everyone else" },
        ],
    };
}

/** Declares the BackendConfig and Cloud Armor policy (hub only); returns what the release waits for. */
export function installGrafanaExposure(ctx: ClusterContext): pulumi.Resource[] {
    const { settings, cluster } = ctx;
    const policyArgs = grafanaSecurityPolicyArgs(settings, cluster);
    const policy = policyArgs && new compute.SecurityPolicy(`${cluster.name}-grafana-allowlist`, policyArgs, { parent: ctx.opts.parent });
    const backend = grafanaBackendConfig(settings, cluster);
    if (!backend) return [];
    const config = new k8s.apiextensions.CustomResource(
        `${cluster.name}-grafana-backend-config`,
        { ...backend, metadata: { ...backend.metadata, namespace: ctx.namespaces[settings.namespaces.monitoring].metadata.name } },
        { ...ctx.opts, dependsOn: policy ? [policy] : [] },
    );
    return [config];
}
