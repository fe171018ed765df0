// What each metrics backend means for the rest of the platform, as data: how the clusters' samples
// reach the store, who evaluates the SLO rules, the buckets and the self-monitoring the store brings.
// The sites that differ per backend read these facts instead of comparing backend names, so adding a
// backend is one entry here (the compiler names every fact it must state), its values module and its
// Services in services.ts. Pure: it imports the settings' types and the service directory only.
import type { MetricsBackend, Settings } from "../config/schema";
import { servicePortAddress, type ServicePort } from "./services";

/** A Service of the directory, one of its ports, and the path requests take there. */
export type Endpoint = ServicePort & { readonly path: string };

/** How samples leave a cluster's Prometheus. */
export type SampleRoute =
    | {
          readonly via: "remote-write";
          /**
           * Whose Prometheus writes to the hub's receiver: every cluster's, when the store is elsewhere,
           * or the spokes' only, when the hub's Prometheus is the receiver itself.
           */
          readonly from: "every-cluster" | "spokes";
          /** The receiver is multi-tenant: each write names the stack's tenant (X-Scope-OrgID). */
          readonly tenantHeader: boolean;
          /** The remote-write queue's name: the `remote_name` label of Prometheus' queue metrics. */
          readonly queue: string;
      }
    // Each cluster's Thanos sidecar uploads its blocks to the bucket: no Prometheus remote-writes.
    | { readonly via: "sidecar-upload" };

/** A store's ruler: the evaluator of the PrometheusRules labelled for it (sre/evaluation.ts). */
export type StoreRuler = "mimir-ruler" | "thanos-ruler";

/** Where the SLO rules are evaluated (sre/evaluation.ts explains why per backend). */
export type SloPlacement =
    // The hub's Prometheus holds the fleet's samples: every SLO rule runs there, once.
    | { readonly placement: "hub-prometheus" }
    // The store holds every cluster's samples within seconds: its ruler takes every SLO rule.
    | { readonly placement: "store-ruler"; readonly ruler: StoreRuler }
    // The store sees a spoke's last hours late: short windows stay on each cluster's Prometheus,
    // only what reads further back than it keeps moves to the store's ruler.
    | { readonly placement: "split"; readonly ruler: StoreRuler };

/** A bucket of the store (gcp/stores.ts adds retention and lifecycle). */
export interface StoreBucket {
    readonly key: string;
    /** `data`: blocks the compactor deletes at retention; `state`: rules and Alertmanager state. */
    readonly kind: "data" | "state";
}

/** A long-term store on the hub, beside the clusters' Prometheus. */
export interface LongTermStore {
    /** Its release's component: owner of the buckets and of its identities (gcp/stores.ts). */
    readonly component: "mimir" | "thanos";
    /** Where Grafana and the rules query the history. */
    readonly query: Endpoint;
    readonly buckets: readonly StoreBucket[];
    /** It refuses samples past per-tenant series limits (settings.mimir): the limits alerts watch them. */
    readonly tenantLimits: boolean;
}

interface ProfileShape {
    readonly backend: MetricsBackend;
    /**
     * Where pushed samples land on the hub (remote write, the OpenTelemetry gateway's and Tempo's
     * metrics); spokes reach it through the fleet gateway at the same path.
     */
    readonly receiver: Endpoint;
    readonly samples: SampleRoute;
    readonly slos: SloPlacement;
    /** None: the hub's Prometheus is the store, its disk the only copy of the history. */
    readonly store: LongTermStore | null;
}

const PROMETHEUS_WRITE = { service: "prometheus", port: "web", path: "/api/v1/write" } as const;

export const BACKENDS = {
    prometheus: {
        backend: "prometheus",
        receiver: PROMETHEUS_WRITE,
        samples: { via: "remote-write", from: "spokes", tenantHeader: false, queue: "hub-prometheus" },
        slos: { placement: "hub-prometheus" },
        store: null,
    },
    mimir: {
        backend: "mimir",
        receiver: { service: "mimirGateway", port: "http", path: "/api/v1/push" },
        samples: { via: "remote-write", from: "every-cluster", tenantHeader: true, queue: "mimir" },
        slos: { placement: "store-ruler", ruler: "mimir-ruler" },
        store: {
            component: "mimir",
            query: { service: "mimirGateway", port: "http", path: "/prometheus" },
            buckets: [
                { key: "mimir-blocks", kind: "data" },
                { key: "mimir-ruler", kind: "state" },
                { key: "mimir-alertmanager", kind: "state" },
            ],
            tenantLimits: true,
        },
    },
    thanos: {
        backend: "thanos",
        // Only the hub's own writers push: to its Prometheus, whose sidecar uploads them.
        receiver: PROMETHEUS_WRITE,
        samples: { via: "sidecar-upload" },
        slos: { placement: "split", ruler: "thanos-ruler" },
        store: {
            component: "thanos",
            query: { service: "thanosQueryFrontend", port: "http", path: "" },
            buckets: [{ key: "thanos-blocks", kind: "data" }],
            tenantLimits: false,
        },
    },
} as const satisfies { readonly [B in MetricsBackend]: ProfileShape & { readonly backend: B } };

/** One backend's profile; the cases narrow on `store`, `samples.via` and `slos.placement`. */
export type BackendProfile = (typeof BACKENDS)[MetricsBackend];

export const backendProfile = (settings: Pick<Settings, "metricsBackend">): BackendProfile => BACKENDS[settings.metricsBackend];

/** The Services that take pushed samples on the hub. */
export type ReceiverService = BackendProfile["receiver"]["service"];

/** The backends with a long-term store, and the one whose hub Prometheus is the store. */
export type StoreBackend = { [B in MetricsBackend]: (typeof BACKENDS)[B]["store"] extends null ? never : B }[MetricsBackend];
export type PrometheusOnlyBackend = Exclude<MetricsBackend, StoreBackend>;

/** "http://<host>:<port><path>" of an endpoint. */
export const endpointUrl = (settings: Settings, at: Endpoint): string => `http://${servicePortAddress(settings, at)}${at.path}`;

/** Whether every cluster's Thanos sidecar uploads its Prometheus' blocks to the bucket. */
export const sidecarUploads = (profile: BackendProfile): boolean => profile.samples.via === "sidecar-upload";

/** Whether this cluster's Prometheus remote-writes its samples (to the hub's receiver). */
export function remoteWrites(profile: BackendProfile, role: "hub" | "spoke"): boolean {
    const samples: SampleRoute = profile.samples;
    return samples.via === "remote-write" && (samples.from === "every-cluster" || role === "spoke");
}
