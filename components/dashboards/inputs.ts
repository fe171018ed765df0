// Typed inputs the dashboards are pure functions of. The wiring layer (install.ts) derives them from
// settings and from what is installed on the hub; tests build them directly.

/** How a service exposes its RED metrics: one Prometheus histogram of request durations. */
export interface ServiceDashboardInput {
    /** Service name, as in the SLO config (also `resource.service.name` of its spans). */
    readonly service: string;
    /** Kubernetes namespace of the service's pods. */
    readonly namespace: string;
    /** Regex on the `pod` label selecting the service's pods, e.g. "checkout-.*". */
    readonly podRegex: string;
    /** Exact label matchers selecting the service's own metrics, e.g. { job: "checkout" }. */
    readonly selector: Readonly<Record<string, string>>;
    /**
     * Base name of the request-duration histogram in seconds (`<name>_bucket`, `<name>_count`), e.g.
     * the OpenTelemetry HTTP semantic convention `http_server_request_duration_seconds`.
     */
    readonly latencyHistogram: string;
    /**
     * Counter of the service's requests, for traffic and errors: the histogram's `<name>_count` unless
     * the service counts requests elsewhere (an availability SLO's own counter, so that the dashboard's
     * error ratio is the SLI's).
     */
    readonly requestCounter: string;
    /** Label of `requestCounter` and regex that mark a failed request, e.g. { label: "http_response_status_code", regex: "5.." }. */
    readonly errors: { readonly label: string; readonly regex: string };
    /** Traces slower than this many seconds are listed as slow (the latency SLO's threshold); default 0.5. */
    readonly slowSeconds?: number;
    /** Exact stream matchers of the service's logs in Loki, e.g. { namespace: "shop", container: "checkout" }. */
    readonly logSelector: Readonly<Record<string, string>>;
}

/** One SLO, named as the SLO rules generator records it (see slo-metrics.ts). */
export interface SloDashboardInput {
    readonly service: string;
    readonly slo: string;
    /** Target in percent, e.g. 99.9. */
    readonly objectivePercent: number;
    /** SLO period in days (Sloth records `slo:sli_error:ratio_rate<period>`, e.g. 30d or 4w). */
    readonly periodDays: number;
    readonly description?: string;
}

/** Platform parts whose health the platform dashboard shows (see platform-metrics.ts). */
export const PLATFORM_COMPONENTS = [
    "prometheus",
    "alertmanager",
    "kube-state-metrics",
    "node-exporter",
    "kubelet",
    "argocd",
    "loki",
    "tempo",
    "mimir",
    "thanos",
    "alloy",
    "otel-collector",
] as const;
export type PlatformComponent = (typeof PLATFORM_COMPONENTS)[number];

export interface PlatformHealthInput {
    /** Components installed on the hub: each gets its rows, the others none. */
    readonly components: ReadonlySet<PlatformComponent>;
    /** Whether Prometheus remote-writes to a long-term store (remote-write health rows). */
    readonly prometheusRemoteWrite: boolean;
    /** Namespaces of the platform's own volumes (PVC usage and time-to-full). */
    readonly namespaces: readonly string[];
}

/** The limits the cardinality dashboard draws against (config/limits.ts, the `mimir` keys). */
export interface LimitsDashboardInput {
    /** The limit alerts' threshold, in percent of a limit. */
    readonly alertAtPercent: number;
    readonly loki: { readonly ingestionRateMb: number; readonly maxStreams: number; readonly replicationFactor: number };
    /** Only with the Mimir backend. */
    readonly mimir?: { readonly maxSeries: number; readonly replicationFactor: number };
}

export interface DashboardInputs {
    readonly services: readonly ServiceDashboardInput[];
    readonly slos: readonly SloDashboardInput[];
    readonly platform: PlatformHealthInput;
    /** UIDs of the datasources provisioned in this stack: dashboards that need others are left out. */
    readonly datasourceUids: ReadonlySet<string>;
    /** Without it, no cardinality dashboard. */
    readonly limits?: LimitsDashboardInput;
}

/**
 * Inputs for a service instrumented with OpenTelemetry's HTTP semantic conventions, exported to
 * Prometheus with the resource's service.name as the `service_name` label, running as pods named
 * "<service>-..." in one namespace, logging to Loki with `namespace` and `container` stream labels.
 * The default mapping from an SLO's service to its dashboards; anything else is set explicitly.
 */
export function otelHttpService(service: string, namespace: string): ServiceDashboardInput {
    return {
        service,
        namespace,
        podRegex: `${service}-.*`,
        selector: { service_name: service },
        latencyHistogram: "http_server_request_duration_seconds",
        requestCounter: "http_server_request_duration_seconds_count",
        errors: { label: "http_response_status_code", regex: "5.." },
        logSelector: { namespace, container: service },
    };
}
