// Probes: one blackbox exporter on the hub, in the monitoring namespace, and a prometheus-operator
// Probe per `probes` entry and per certificate of the platform's own, each scraped through the
// exporter under `job="<probe name>"`. The expiry alerts read what these probes report
// (sre/probe-alerts.ts); a probe SLO reads their probe_success (sre/slo-rules.ts).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../charts/pins";
import type { ClusterContext } from "../cluster/context";
import type { Settings } from "../config/schema";
import { exposed as grafanaIngressExposed } from "../grafana/exposure";
import { containerResources } from "../kubernetes/resources";
import { RELEASES, serviceAddress } from "../platform/services";
import { PLATFORM_PROBE_NAMES, type ProbeModule } from "../config/probes";

export const BLACKBOX_EXPORTER = {
    /** quay.io's image at the chart's appVersion (prometheus-blackbox-exporter 11.17.2 ships v0.28.0). */
    image: { registry: "quay.io", repository: "prometheus/blackbox-exporter", tag: "v0.28.0" },
    /** The image's own non-root user, which the chart's securityContext also names. */
    uid: 1000,
} as const;

export const PROBE_API_VERSION = "monitoring.coreos.com/v1";

/**
 * The module of the platform's own certificate probes: a TLS handshake that reads the certificate's
 * expiry without verifying it. The fleet gateway's chain ends at the fleet's own CA and the
 * operator's webhook certificate is the chart's self-signed one, which no system trust store holds:
 * a verifying handshake would fail and report no expiry at all.
 */
export const SKIP_VERIFY_TLS_MODULE = "tls_skip_verify";
export type BlackboxModule = ProbeModule | typeof SKIP_VERIFY_TLS_MODULE;

// Shorter than any probe interval and than Prometheus' default scrape timeout (10s), which the
// exporter caps a probe at (minus half a second).
const TIMEOUT = "5s";
// GKE's pod network is IPv4: without this the exporter tries AAAA first on every probe.
const IP4 = { preferred_ip_protocol: "ip4" } as const;

/** The exporter's modules, by the names the Probe objects give (`module`). */
export function blackboxModules(): Record<BlackboxModule, Record<string, unknown>> {
    return {
        // Any 2xx after redirects; the default valid_status_codes is 2xx.
        http_2xx: { prober: "http", timeout: TIMEOUT, http: { ...IP4, follow_redirects: true, valid_http_versions: ["HTTP/1.1", "HTTP/2.0"] } },
        tcp: { prober: "tcp", timeout: TIMEOUT, tcp: IP4 },
        tls: { prober: "tcp", timeout: TIMEOUT, tcp: { ...IP4, tls: true } },
        [SKIP_VERIFY_TLS_MODULE]: { prober: "tcp", timeout: TIMEOUT, tcp: { ...IP4, tls: true, tls_config: { insecure_skip_verify: true } } },
    };
}

export function blackboxExporterValues(settings: Settings): Record<string, unknown> {
    const { uid } = BLACKBOX_EXPORTER;
    return {
        image: { ...BLACKBOX_EXPORTER.image },
        config: { modules: blackboxModules() },
        resources: containerResources(settings.resources.blackboxExporter),
        // Passes the restricted Pod Security level: the chart's container context already drops
        // every capability and runs as 1000; the seccomp profile is the pod's.
        podSecurityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        // The Probe objects below are the scrape configuration; the chart's own is left off.
        serviceMonitor: { enabled: false },
    };
}

/** What one Probe object checks. */
export interface ProbeTarget {
    name: string;
    /** An http(s) URL (http_2xx) or host:port (the others). */
    url: string;
    module: BlackboxModule;
    interval?: string;
    labels?: Readonly<Record<string, string>>;
}

/**
 * The platform's own certificates the hub can reach: the fleet gateway's (only with spokes, which
 * are its only clients), the Grafana ingress's (when exposed over TLS) and the hub's OpenTelemetry
 * operator's admission webhook. A spoke's webhook is on a network the hub's exporter does not reach.
 */
export function platformProbeTargets(settings: Settings): ProbeTarget[] {
    const ingress = settings.grafana.ingress;
    const targets: ProbeTarget[] = [];
    if (settings.clusters.some((c) => c.role === "spoke")) {
        targets.push({ name: PLATFORM_PROBE_NAMES.fleetGateway, url: serviceAddress(settings, "fleetGateway", "https"), module: SKIP_VERIFY_TLS_MODULE });
    }
    if (grafanaIngressExposed(ingress)) {
        // Through the load balancer, as users reach it: the certificate served is the Ingress' own.
        targets.push({ name: PLATFORM_PROBE_NAMES.grafanaIngress, url: `${ingress.host}:443`, module: SKIP_VERIFY_TLS_MODULE });
    }
    // The chart's webhook Service (`<fullname>-webhook`, port admissionWebhooks.servicePort 443).
    targets.push({ name: PLATFORM_PROBE_NAMES.otelOperatorWebhook, url: serviceAddress(settings, "otelOperatorWebhook", "https"), module: SKIP_VERIFY_TLS_MODULE });
    return targets;
}

export interface ProbeObject {
    apiVersion: typeof PROBE_API_VERSION;
    kind: "Probe";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: Record<string, unknown>;
}

/** Every Probe of the hub: the `probes` entries, then the platform's own certificates. */
export function probeObjects(settings: Settings): ProbeObject[] {
    const monitoring = settings.namespaces.monitoring;
    const targets: ProbeTarget[] = [...settings.probes, ...platformProbeTargets(settings)];
    return targets.map((t) => ({
        apiVersion: PROBE_API_VERSION,
        kind: "Probe",
        metadata: { name: t.name, namespace: monitoring, labels: { "app.kubernetes.io/part-of": "observability-platform" } },
        spec: {
            // The operator's default job is "probe/<namespace>/<name>"; the SLOs and alerts select the name.
            jobName: t.name,
            module: t.module,
            interval: t.interval ?? settings.prometheus.scrapeInterval,
            prober: { url: serviceAddress(settings, "blackboxExporter", "http"), scheme: "http", path: "/probe" },
            targets: { staticConfig: { static: [t.url], ...(t.labels && Object.keys(t.labels).length > 0 ? { labels: { ...t.labels } } : {}) } },
        },
    }));
}

/** The exporter and the Probes, on the hub, after kube-prometheus-stack (the Probe CRD). */
export function installProbes(ctx: ClusterContext, kubePrometheusStack: pulumi.Resource): void {
    const exporter = ctx.install({
        releaseName: RELEASES.blackboxExporter,
        namespace: ctx.settings.namespaces.monitoring,
        chart: CHARTS.prometheusBlackboxExporter,
        timeoutSeconds: 300,
        values: blackboxExporterValues(ctx.settings),
        dependsOn: [kubePrometheusStack],
    });
    for (const probe of probeObjects(ctx.settings)) {
        new k8s.apiextensions.CustomResource(`${ctx.cluster.name}-probe-${probe.metadata.name}`, probe, { ...ctx.opts, dependsOn: [kubePrometheusStack, exporter] });
    }
}
