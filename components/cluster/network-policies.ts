// NetworkPolicies of the platform namespaces on one cluster: each namespace denies ingress by
// default, then admits exactly the flows the platform needs. A pure function of the settings and
// the cluster's role, tested against the rendered charts (test/network-policies.test.ts).
//
// Ingress only. Egress stays open on purpose: Prometheus scrapes every namespace and every node,
// the stores reach Cloud Storage and Google's APIs, Alertmanager reaches PagerDuty and Slack, and
// spokes reach the hub's load balancer. A default-deny egress would need allows broad enough
// (0.0.0.0/0 on 443, every namespace) to protect little, and would break the day a receiver moves.
//
// Not written here because no policy can cut them: the kubelet's probes come from the pod's own
// node, and Kubernetes' NetworkPolicy semantics always admit traffic from a pod's own node; and
// host-network pods (node-exporter) are outside NetworkPolicy altogether.
import type { ClusterSettings, Settings } from "../config/schema";
import { FLEET_GATEWAY } from "../fleet/endpoints";
import { FLEET_GATEWAY_PORTS } from "../fleet/gateway";
import { GKE_EXTERNAL_CLASS } from "../config/grafana-exposure";
import { helmReleaseNameOf } from "../config/adoption";
import { backendProfile, type ReceiverService } from "../platform/backends";

type Labels = Readonly<Record<string, string>>;

export interface PolicyPort {
    protocol: "TCP";
    /** A container port number, or its name (resolved on each selected pod). */
    port: number | string;
}

export interface PolicyPeer {
    podSelector?: { matchLabels: Labels };
    namespaceSelector?: { matchLabels: Labels };
    ipBlock?: { cidr: string };
}

export interface IngressRule {
    /** Absent: from any source, in the cluster or not. */
    from?: PolicyPeer[];
    /** Absent: every port. */
    ports?: PolicyPort[];
}

export interface NetworkPolicyObject {
    apiVersion: "networking.k8s.io/v1";
    kind: "NetworkPolicy";
    metadata: { name: string; namespace: string; labels: Labels };
    spec: { podSelector: { matchLabels?: Labels }; policyTypes: ["Ingress"]; ingress: IngressRule[] };
}

/** The namespace label the API server sets on every namespace (Kubernetes 1.22+): no label of ours needed. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Pod labels as the charts (or prometheus-operator, for the pods it creates) set them. The rendered
 * test resolves every address the configuration names to the pods these select, so a chart that
 * relabels its pods fails there, not in production.
 */
export const PLATFORM_PODS = {
    // prometheus-operator labels every Prometheus pod with the name of its app.
    prometheus: { "app.kubernetes.io/name": "prometheus" },
    grafana: { "app.kubernetes.io/name": "grafana" },
    prometheusOperator: { app: "kube-prometheus-stack-operator" },
    fleetGateway: { "app.kubernetes.io/name": FLEET_GATEWAY.name },
    mimirGateway: { "app.kubernetes.io/name": "mimir", "app.kubernetes.io/component": "gateway" },
    lokiGateway: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/component": "gateway" },
    // prometheus-operator labels every Alertmanager pod with the name of its app.
    alertmanager: { "app.kubernetes.io/name": "alertmanager" },
    tempo: { "app.kubernetes.io/name": "tempo" },
    otelGateway: { "app.kubernetes.io/name": "opentelemetry-collector", "app.kubernetes.io/instance": "otel-gateway" },
    otelOperator: { "app.kubernetes.io/name": "opentelemetry-operator" },
    blackboxExporter: { "app.kubernetes.io/name": "prometheus-blackbox-exporter" },
} as const satisfies Record<string, Labels>;

/**
 * Google's front ends: the sources of GKE's external Application Load Balancer's requests to NEG
 * backends and of its health checks (Google publishes them for firewall rules).
 */
export const GOOGLE_FRONT_END_RANGES = ["35.191.0.0/16", "130.211.0.0/22"] as const;

/** The pods behind each Service that takes pushed samples, and the name of their port. */
const RECEIVER_PODS = {
    prometheus: { pods: PLATFORM_PODS.prometheus, port: "web" },
    mimirGateway: { pods: PLATFORM_PODS.mimirGateway, port: "http-metrics" },
} as const satisfies Record<ReceiverService, { pods: Labels; port: string }>;

const tcp = (...ports: (number | string)[]): PolicyPort[] => ports.map((port) => ({ protocol: "TCP", port }));
const pods = (namespace: string, labels: Labels): PolicyPeer => ({
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
    podSelector: { matchLabels: labels },
});

/** One allowed flow into a namespace: who (absent: anyone), to which of its pods, on which ports. */
interface Flow {
    name: string;
    namespace: string;
    to: Labels;
    from?: PolicyPeer[];
    ports?: PolicyPort[];
}

/** The flows that cross a namespace boundary or come from outside the pod network, on this cluster. */
export function platformFlows(settings: Settings, cluster: ClusterSettings): Flow[] {
    const ns = settings.namespaces;
    const hub = cluster.role === "hub";
    const hasSpokes = settings.clusters.some((c) => c.role === "spoke");
    const grafana = pods(ns.monitoring, PLATFORM_PODS.grafana);
    const fleetGateway = pods(ns.monitoring, PLATFORM_PODS.fleetGateway);
    // The chart labels the gateway's pods with its release name, an adopted one included.
    const otelGatewayPods = { ...PLATFORM_PODS.otelGateway, "app.kubernetes.io/instance": helmReleaseNameOf(cluster, "otel-gateway") };
    const otelGateway = pods(ns.tracing, otelGatewayPods);
    // Tempo's metrics generator remote-writes span metrics where the gateway sends metrics.
    const metricsWriters = [otelGateway, ...(hub ? [pods(ns.tracing, PLATFORM_PODS.tempo)] : [])];
    const receiver = RECEIVER_PODS[hub ? backendProfile(settings).receiver.service : "prometheus"];
    const flows: Flow[] = [
        // The API server calls admission webhooks from Google's control plane, outside the pod
        // network, with no address a selector could name: the webhook ports admit any source.
        { name: "allow-admission-webhook", namespace: ns.monitoring, to: PLATFORM_PODS.prometheusOperator, ports: tcp("https") },
        { name: "allow-admission-webhook", namespace: ns.tracing, to: PLATFORM_PODS.otelOperator, ports: tcp("webhook-server") },
        // Applications in any namespace send OTLP to their cluster's gateway (pods only: not from outside).
        { name: "allow-otlp-from-cluster", namespace: ns.tracing, to: otelGatewayPods, from: [{ namespaceSelector: { matchLabels: {} } }], ports: tcp("otlp", "otlp-http") },
        // Pushed samples: to the hub's receiver (platform/backends.ts); on a spoke, to its own Prometheus.
        { name: "allow-metrics-push", namespace: ns.monitoring, to: receiver.pods, from: metricsWriters, ports: tcp(receiver.port) },
    ];
    if (hub) {
        flows.push(
            // Loki's gateway: Grafana queries, the OTel gateway and the fleet gateway push.
            { name: "allow-loki-clients", namespace: ns.logging, to: PLATFORM_PODS.lokiGateway, from: [grafana, otelGateway, ...(hasSpokes ? [fleetGateway] : [])], ports: tcp("http") },
            // Loki's ruler sends log alerts to Alertmanager. Only the ruler (the single binary, or the
            // ruler pods of Distributed) calls it, but every Loki pod mounts the config that names it:
            // the release's pods are admitted, the same policy in both deployment modes.
            {
                name: "allow-alertmanager-loki-ruler",
                namespace: ns.monitoring,
                to: PLATFORM_PODS.alertmanager,
                from: [pods(ns.logging, { "app.kubernetes.io/name": "loki" })],
                // By number: kube-prometheus-stack names the port "http-web", the operator's default is "web".
                ports: tcp(9093),
            },
            // Tempo: Grafana queries (3200); the fleet gateway forwards spokes' OTLP (4317).
            { name: "allow-tempo-query", namespace: ns.tracing, to: PLATFORM_PODS.tempo, from: [grafana], ports: tcp(3200) },
        );
        if (hasSpokes) {
            flows.push(
                { name: "allow-tempo-fleet", namespace: ns.tracing, to: PLATFORM_PODS.tempo, from: [fleetGateway], ports: tcp(4317) },
                // Spokes reach the gateway through the internal load balancer, which keeps their VPC
                // addresses; the VPC's ranges are not settings, and every request needs a spoke's
                // credentials over TLS, so its two ports admit any source.
                { name: "allow-fleet-gateway", namespace: ns.monitoring, to: PLATFORM_PODS.fleetGateway, ports: tcp(FLEET_GATEWAY_PORTS.https, FLEET_GATEWAY_PORTS.otlpGrpc) },
            );
        }
        // The hub's blackbox exporter reads the operator webhook's certificate expiry
        // (metrics/blackbox-exporter.ts). The webhook rule above admits it already, but for the
        // API server's sake: stated on its own, narrowing that rule cannot blind the probe. The
        // exporter's other targets need no flow: the fleet gateway shares its namespace, and the
        // Grafana probe goes through the load balancer like any user.
        flows.push({
            name: "allow-certificate-probe",
            namespace: ns.tracing,
            to: PLATFORM_PODS.otelOperator,
            from: [pods(ns.monitoring, PLATFORM_PODS.blackboxExporter)],
            ports: tcp("webhook-server"),
        });
        // Grafana's Ingress: GKE's external load balancer comes from Google's front ends; the
        // internal one from the VPC's proxy-only subnet and another class from its controller's
        // pods, neither of which the settings name, so those admit any source (Grafana still asks
        // for a login, and the exposure settings say who reaches the load balancer).
        const ingress = settings.grafana.ingress;
        if (ingress.enabled) {
            const from = ingress.className === GKE_EXTERNAL_CLASS ? GOOGLE_FRONT_END_RANGES.map((cidr) => ({ ipBlock: { cidr } })) : undefined;
            flows.push({ name: "allow-grafana-ingress", namespace: ns.monitoring, to: PLATFORM_PODS.grafana, ...(from ? { from } : {}), ports: tcp("grafana") });
        }
    }
    return flows;
}

const LABELS: Labels = { "app.kubernetes.io/part-of": "observability-platform" };
const policy = (name: string, namespace: string, podSelector: Labels | undefined, ingress: IngressRule[]): NetworkPolicyObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace, labels: LABELS },
    spec: { podSelector: podSelector ? { matchLabels: podSelector } : {}, policyTypes: ["Ingress"], ingress },
});

/**
 * Every NetworkPolicy of the platform namespaces on one cluster (none when disabled). Per
 * namespace: deny ingress, admit the namespace's own pods (each release's internal traffic:
 * Argo CD's server, repo-server, redis and controller, Loki's ring and caches, Grafana and
 * Prometheus to Alertmanager), admit Prometheus on every port outside monitoring (its targets' ports
 * are each chart's ServiceMonitors' to choose), then the flows above.
 */
export function networkPolicies(settings: Settings, cluster: ClusterSettings): NetworkPolicyObject[] {
    if (!settings.networkPolicies.enabled) return [];
    const namespaces = [...new Set(Object.values(settings.namespaces))];
    const scraper = pods(settings.namespaces.monitoring, PLATFORM_PODS.prometheus);
    const out: NetworkPolicyObject[] = [];
    for (const namespace of namespaces) {
        out.push(policy("default-deny-ingress", namespace, undefined, []));
        out.push(policy("allow-same-namespace", namespace, undefined, [{ from: [{ podSelector: { matchLabels: {} } }] }]));
        if (namespace !== settings.namespaces.monitoring) out.push(policy("allow-prometheus-scrape", namespace, undefined, [{ from: [scraper] }]));
    }
    for (const f of platformFlows(settings, cluster)) {
        out.push(policy(f.name, f.namespace, f.to, [{ ...(f.from ? { from: f.from } : {}), ...(f.ports ? { ports: f.ports } : {}) }]));
    }
    return uniqueNames(out);
}

/** Two flows of one name into one namespace (namespaces shared by concerns) get a suffix each. */
function uniqueNames(policies: NetworkPolicyObject[]): NetworkPolicyObject[] {
    const seen = new Map<string, number>();
    return policies.map((p) => {
        const key = `${p.metadata.namespace}/${p.metadata.name}`;
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        return n === 1 ? p : { ...p, metadata: { ...p.metadata, name: `${p.metadata.name}-${n}` } };
    });
}
