// The OpenTelemetry gateway collector (chart opentelemetry-collector 0.170.0): receives OTLP from
// applications, adds Kubernetes metadata, scrubs personal data, tail-samples traces and forwards
// traces to Tempo, metrics to the metrics store and logs to Loki's OTLP endpoint.
import type { ClusterSettings, Settings } from "../config/schema";
import { SPOKE_CREDENTIALS, spokeCredentialFile, type PushTargets } from "../fleet/endpoints";
import { FULLNAMES, SERVICES } from "../platform/services";
import { OTEL_GATEWAY_REPLICAS } from "../platform/workloads";
import { containerResources } from "../kubernetes/resources";
import { ottlPattern, PII_RULES } from "../signals/pii";
import { metricsWriteHeaders, metricsWriteUrls } from "./tempo";

/** Image of the contrib distribution: tail_sampling, k8sattributes, transform and the exporters. */
export const OTEL_COLLECTOR_IMAGE = { repository: "otel/opentelemetry-collector-contrib", tag: "0.158.0" } as const;

/** Span attributes that hold credentials or client addresses: deleted outright. */
export const PII_SPAN_ATTRIBUTES = [
    "http.request.header.authorization",
    "http.request.header.proxy-authorization",
    "http.request.header.cookie",
    "http.request.header.set-cookie",
    "http.request.header.x-forwarded-for",
    "http.request.header.x-real-ip",
    "http.client_ip",
    "client.address",
    "client.socket.address",
    "net.peer.ip",
    "net.sock.peer.addr",
    "source.address",
    "user.email",
    "enduser.email",
] as const;

/** Personal-data patterns in the form OTTL's replace_pattern takes. */
export const PII_PATTERNS = PII_RULES.map(ottlPattern);

/** The collector's authenticator for the hub's fleet gateway (contrib's basicauth extension). */
export const FLEET_AUTHENTICATOR = "basicauth/fleet";
/** Environment variable the spoke's password reaches the collector through. */
export const FLEET_PASSWORD_ENV = "FLEET_PASSWORD";

/** An OTTL string literal. */
const ottl = (s: string) => JSON.stringify(s);

/**
 * OTTL statements that remove personal data, grouped by the context they run in (span, span event,
 * log record), so each runs once per item of its kind.
 */
export function piiStatements() {
    const patterns = PII_PATTERNS;
    const scrubAttributes = [
        ...PII_SPAN_ATTRIBUTES.map((key) => `delete_key(attributes, ${ottl(key)})`),
        ...patterns.map((p) => `replace_all_patterns(attributes, "value", ${ottl(p.regex)}, ${ottl(p.replacement)})`),
    ];
    return {
        trace_statements: [
            { context: "span", statements: [...scrubAttributes] },
            { context: "spanevent", statements: [...scrubAttributes] },
        ],
        log_statements: [
            {
                context: "log",
                statements: [
                    ...scrubAttributes,
                    ...patterns.map((p) => `replace_pattern(body, ${ottl(p.regex)}, ${ottl(p.replacement)}) where IsString(body)`),
                ],
            },
        ],
    };
}

/** Tail-sampling policies (any match keeps the trace): errors, slow traces, a share of the rest. */
export function tailSamplingPolicies(settings: Settings) {
    const s = settings.otel.sampling;
    return [
        { name: "errors", type: "status_code", status_code: { status_codes: ["ERROR"] } },
        { name: "slow", type: "latency", latency: { threshold_ms: s.slowTraceThresholdMs } },
        { name: "share-of-the-rest", type: "probabilistic", probabilistic: { sampling_percentage: s.probabilisticPercent } },
    ];
}

/** The collector config as set in the values (merged by Helm over the chart's default config). */
export function otelGatewayConfig(settings: Settings, cluster: ClusterSettings, targets: PushTargets) {
    const tenant = { "X-Scope-OrgID": targets.tenant };
    const metricsHeaders = metricsWriteHeaders(settings, targets);
    // One exporter per metrics-store endpoint (each HA Prometheus replica gets every series).
    const urls = metricsWriteUrls(settings, targets);
    const metricsExporters = Object.fromEntries(
        urls.map((url, i) => [
            urls.length === 1 ? "prometheusremotewrite" : `prometheusremotewrite/${i}`,
            {
                endpoint: url,
                external_labels: { cluster: cluster.name },
                ...(Object.keys(metricsHeaders).length > 0 ? { headers: metricsHeaders } : {}),
            },
        ]),
    );
    // A spoke exports to the hub's fleet gateway: basic auth with its password (an environment
    // variable from the credentials Secret, never in the values) and TLS against the fleet CA.
    const hub = targets.credentials;
    const hubAuth = hub ? { auth: { authenticator: FLEET_AUTHENTICATOR } } : {};
    const hubTls = hub ? { ca_file: spokeCredentialFile(SPOKE_CREDENTIALS.caKey) } : undefined;
    const common = ["memory_limiter", "k8sattributes"];
    return {
        ...(hub
            ? {
                  extensions: {
                      [FLEET_AUTHENTICATOR]: { client_auth: { username: hub.username, password: `\${env:${FLEET_PASSWORD_ENV}}` } },
                  },
              }
            : {}),
        // The chart's default Jaeger, Zipkin and self-scrape receivers and its debug exporter are
        // removed (null deletes a key in Helm's merge): only what the pipelines use is defined.
        receivers: {
            jaeger: null,
            zipkin: null,
            prometheus: null,
            otlp: {
                protocols: {
                    grpc: { endpoint: `\${env:MY_POD_IP}:${SERVICES.otelGateway.ports.otlpGrpc}` },
                    http: { endpoint: `\${env:MY_POD_IP}:${SERVICES.otelGateway.ports.otlpHttp}` },
                },
            },
        },
        processors: {
            // First in every pipeline: refuse data before the pod runs out of memory.
            memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 },
            // Before tail sampling, which regroups spans and loses the sender's connection address.
            k8sattributes: {
                auth_type: "serviceAccount",
                passthrough: false,
                pod_association: [
                    { sources: [{ from: "resource_attribute", name: "k8s.pod.ip" }] },
                    { sources: [{ from: "resource_attribute", name: "k8s.pod.uid" }] },
                    { sources: [{ from: "connection" }] },
                ],
                extract: {
                    metadata: [
                        "k8s.namespace.name",
                        "k8s.pod.name",
                        "k8s.pod.uid",
                        "k8s.deployment.name",
                        "k8s.statefulset.name",
                        "k8s.daemonset.name",
                        "k8s.node.name",
                        "container.image.name",
                    ],
                },
            },
            "transform/pii": { error_mode: "ignore", ...piiStatements() },
            "resource/cluster": {
                attributes: [
                    { key: "cluster", value: cluster.name, action: "upsert" },
                    { key: "k8s.cluster.name", value: cluster.name, action: "upsert" },
                ],
            },
            tail_sampling: {
                decision_wait: `${settings.otel.sampling.decisionWaitSeconds}s`,
                num_traces: 50000,
                expected_new_traces_per_sec: 100,
                policies: tailSamplingPolicies(settings),
            },
            batch: { send_batch_size: 8192, send_batch_max_size: 16384, timeout: "5s" },
        },
        exporters: {
            debug: null,
            "otlp/tempo": {
                endpoint: targets.tracesOtlpGrpc,
                // Plaintext gRPC inside the hub; a spoke's cross-cluster endpoint uses TLS.
                tls: hubTls ?? { insecure: true },
                headers: tenant,
                ...hubAuth,
            },
            // HTTP exporters: the URL's scheme decides TLS.
            "otlphttp/loki": {
                endpoint: targets.logsOtlpHttp,
                headers: tenant,
                ...(hubTls ? { tls: hubTls } : {}),
                ...hubAuth,
            },
            ...metricsExporters,
        },
        service: {
            // A list replaces the chart's in Helm's merge: health_check (the probes') stays first.
            ...(hub ? { extensions: ["health_check", FLEET_AUTHENTICATOR] } : {}),
            pipelines: {
                traces: {
                    receivers: ["otlp"],
                    processors: [...common, "transform/pii", "resource/cluster", "tail_sampling", "batch"],
                    exporters: ["otlp/tempo"],
                },
                metrics: {
                    receivers: ["otlp"],
                    processors: [...common, "resource/cluster", "batch"],
                    exporters: Object.keys(metricsExporters),
                },
                logs: {
                    receivers: ["otlp"],
                    processors: [...common, "transform/pii", "resource/cluster", "batch"],
                    exporters: ["otlphttp/loki"],
                },
            },
        },
    };
}

export function otelGatewayValues(settings: Settings, cluster: ClusterSettings, targets: PushTargets) {
    return {
        fullnameOverride: FULLNAMES.otelGateway,
        mode: "deployment",
        image: { ...OTEL_COLLECTOR_IMAGE },
        command: { name: "otelcol-contrib" },
        replicaCount: OTEL_GATEWAY_REPLICAS,
        resources: containerResources(settings.resources.otelGateway),
        // k8sattributes reads pods and namespaces, and replica sets to name a pod's Deployment.
        clusterRole: {
            create: true,
            rules: [
                { apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
            ],
        },
        ports: {
            "jaeger-compact": { enabled: false },
            "jaeger-thrift": { enabled: false },
            "jaeger-grpc": { enabled: false },
            zipkin: { enabled: false },
            // The collector's own metrics, for the ServiceMonitor.
            metrics: { enabled: true },
        },
        serviceMonitor: { enabled: true },
        // A spoke's credentials for the hub (fleet/install.ts creates the Secret first).
        ...(targets.credentials
            ? {
                  extraEnvs: [
                      {
                          name: FLEET_PASSWORD_ENV,
                          valueFrom: { secretKeyRef: { name: SPOKE_CREDENTIALS.secretName, key: SPOKE_CREDENTIALS.passwordKey } },
                      },
                  ],
                  extraVolumes: [{ name: "fleet-credentials", secret: { secretName: SPOKE_CREDENTIALS.secretName } }],
                  extraVolumeMounts: [{ name: "fleet-credentials", mountPath: SPOKE_CREDENTIALS.mountPath, readOnly: true }],
              }
            : {}),
        config: otelGatewayConfig(settings, cluster, targets),
    };
}
