// The service directory: every in-cluster Service one of the platform's components dials another by,
// with the namespace it is in (a key of `namespaces`) and its ports. The charts name their Services
// after their fullname, so each values builder sets `fullnameOverride` from FULLNAMES here, and every
// address a configuration holds is built from SERVICES here: the two cannot drift apart by
// convention. test/rendered.test.ts dials each address in the rendered configurations against the
// Services the charts render.
import type { Settings } from "../config/schema";

/** `fullnameOverride` of each release whose Services others dial: the charts' Service name prefixes. */
export const FULLNAMES = {
    kubePrometheusStack: "kube-prometheus-stack",
    mimir: "mimir",
    thanos: "thanos",
    loki: "loki",
    tempo: "tempo",
    otelGateway: "otel-gateway",
    otelOperator: "opentelemetry-operator",
} as const;

/**
 * The program's name of each release (its Pulumi resource is "<cluster>-<name>"; an adopted release
 * keeps its own Helm name, config/adoption.ts). A Redis exporter is "<instance>-exporter".
 */
export const RELEASES = {
    kubePrometheusStack: "kube-prometheus-stack",
    argocd: "argocd",
    alloyLogs: "alloy-logs",
    alloyEvents: "alloy-events",
    otelGateway: "otel-gateway",
    otelOperator: "opentelemetry-operator",
    loki: "loki",
    tempo: "tempo",
    mimir: "mimir",
    // Alloy loading the hub's SLO PrometheusRules into Mimir's ruler.
    mimirRulesSync: "alloy-rules",
    thanos: "thanos",
    // The chart's fullname is the release name when that contains the chart's name: no override needed.
    blackboxExporter: "prometheus-blackbox-exporter",
} as const;

export const redisExporterRelease = (instance: { readonly name: string }): string => `${instance.name}-exporter`;

type NamespaceKey = keyof Settings["namespaces"];

interface ServiceEntry {
    readonly namespace: NamespaceKey;
    readonly name: string;
    readonly ports: Readonly<Record<string, number>>;
}

export const SERVICES = {
    // kube-prometheus-stack, on every cluster (Alertmanager on the hub only).
    prometheus: { namespace: "monitoring", name: `${FULLNAMES.kubePrometheusStack}-prometheus`, ports: { web: 9090 } },
    alertmanager: { namespace: "monitoring", name: `${FULLNAMES.kubePrometheusStack}-alertmanager`, ports: { web: 9093 } },
    // Mimir: the gateway (nginx) in front of distributor and query-frontend.
    mimirGateway: { namespace: "monitoring", name: `${FULLNAMES.mimir}-gateway`, ports: { http: 80 } },
    thanosQuery: { namespace: "monitoring", name: `${FULLNAMES.thanos}-query`, ports: { http: 9090 } },
    thanosQueryFrontend: { namespace: "monitoring", name: `${FULLNAMES.thanos}-query-frontend`, ports: { http: 9090 } },
    // Loki behind its gateway, in either deployment mode.
    lokiGateway: { namespace: "logging", name: `${FULLNAMES.loki}-gateway`, ports: { http: 80 } },
    // Tempo monolithic: OTLP gRPC and HTTP in, queries out.
    tempo: { namespace: "tracing", name: FULLNAMES.tempo, ports: { otlpGrpc: 4317, otlpHttp: 4318, query: 3200 } },
    // The OpenTelemetry gateway collector every cluster runs.
    otelGateway: { namespace: "tracing", name: FULLNAMES.otelGateway, ports: { otlpGrpc: 4317, otlpHttp: 4318 } },
    otelOperatorWebhook: { namespace: "tracing", name: `${FULLNAMES.otelOperator}-webhook`, ports: { https: 443 } },
    // The hub's blackbox exporter (named after its release; the chart's service.port).
    blackboxExporter: { namespace: "monitoring", name: RELEASES.blackboxExporter, ports: { http: 9115 } },
    // The hub's fleet gateway (fleet/gateway.ts creates it, no chart): TLS for every signal but traces, OTLP gRPC for those.
    fleetGateway: { namespace: "monitoring", name: "fleet-gateway", ports: { https: 443, otlpGrpc: 4317 } },
} as const satisfies Record<string, ServiceEntry>;

export type ServiceId = keyof typeof SERVICES;
export type PortOf<I extends ServiceId> = keyof (typeof SERVICES)[I]["ports"] & string;

/** One Service of the directory at one of its own ports: what data names instead of an address. */
export type ServicePort = { readonly [I in ServiceId]: { readonly service: I; readonly port: PortOf<I> } }[ServiceId];

const portNumber = (id: ServiceId, port: string): number => (SERVICES[id].ports as Record<string, number>)[port];

/** "<name>.<namespace>.svc": the short name pods of any namespace resolve. */
export function serviceHost(settings: Settings, id: ServiceId): string {
    const s = SERVICES[id];
    return `${s.name}.${settings.namespaces[s.namespace]}.svc`;
}

/**
 * "<host>:<port>"; `fullyQualified` spells the host "….svc.cluster.local" for resolvers that do not
 * search the cluster's domains (nginx, DNS SRV lookups).
 */
export function serviceAddress<I extends ServiceId>(settings: Settings, id: I, port: PortOf<I>, fullyQualified = false): string {
    return address(settings, id, port, fullyQualified);
}

/** serviceAddress of a ServicePort (its pair is checked where it is written, not where it is dialled). */
export function servicePortAddress(settings: Settings, at: ServicePort, fullyQualified = false): string {
    return address(settings, at.service, at.port, fullyQualified);
}

function address(settings: Settings, id: ServiceId, port: string, fullyQualified: boolean): string {
    return `${serviceHost(settings, id)}${fullyQualified ? ".cluster.local" : ""}:${portNumber(id, port)}`;
}

/** "http://<host>[:<port>]<path>"; without `port` the scheme's own (the Service must serve it there). */
export function serviceUrl<I extends ServiceId>(settings: Settings, id: I, port?: PortOf<I>, path = ""): string {
    return `http://${port === undefined ? serviceHost(settings, id) : serviceAddress(settings, id, port)}${path}`;
}
