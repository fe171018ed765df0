// What a concern (metrics, gitops, logs, traces...) gets to install itself on one cluster: the
// settings, the cluster's provider and parent, and the shared pieces the cluster component owns.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ChartPin } from "../charts/pins";
import { pinnedRelease } from "../charts/release";
import type { ClusterSettings, Settings } from "../config/schema";
import type { ObjectStorage } from "../gcp/object-storage";
import { helmReleaseNameOf } from "../config/adoption";
import type { ClusterModel } from "../platform/model";

export interface ClusterContext {
    readonly settings: Settings;
    readonly cluster: ClusterSettings;
    /** This cluster's part of the platform model: what runs here and where its signals go. */
    readonly model: ClusterModel;
    /** Whether the model runs `release` (a RELEASES name) on this cluster: installers ask, never decide. */
    runs(release: string): boolean;
    readonly isHub: boolean;
    /** Parent and provider for every resource on this cluster. */
    readonly opts: pulumi.CustomResourceOptions;
    /** Namespaces by name (every name in settings.namespaces exists). */
    readonly namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
    /** The platform StorageClass every PersistentVolumeClaim uses. */
    readonly storageClassName: string;
    /** Kubernetes service accounts bound to a GCP identity, by "<namespace>/<name>". */
    readonly workloadServiceAccounts: ReadonlyMap<string, k8s.core.v1.ServiceAccount>;
    readonly storage: ObjectStorage;
    /** Installs a pinned chart on this cluster and records it for the outputs. */
    install(args: ClusterReleaseArgs): k8s.helm.v3.Release;
    /** Creates one of the model's Secrets on this cluster, in a platform namespace. */
    secret(resourceName: string, args: ClusterSecretArgs): k8s.core.v1.Secret;
}

export interface ClusterSecretArgs {
    name: string;
    /** A platform namespace, by name. */
    namespace: string;
    type: string;
    annotations?: Record<string, string>;
    stringData: Record<string, pulumi.Input<string>>;
}

/**
 * What a cluster has created of its model: each release and Secret the model lists, once, and at the
 * end what it lists that nothing created. The installer and the Secret creator claim through it.
 */
export class ModelLedger {
    private readonly releases = new Set<string>();
    private readonly secrets = new Set<string>();

    constructor(
        private readonly cluster: string,
        private readonly model: ClusterModel,
    ) {}

    claimRelease(release: string, namespace: string, chart: ChartPin): void {
        const listed = this.model.releases.some((r) => r.release === release && r.namespace === namespace && r.chart === chart);
        if (!listed || this.releases.has(release)) {
            throw new Error(`release ${release} (${chart.chart} in ${namespace}) on ${this.cluster} is ${listed ? "installed twice" : "not as the platform model lists it"}`);
        }
        this.releases.add(release);
    }

    claimSecret(namespace: string, name: string): void {
        const key = `${namespace}/${name}`;
        const listed = this.model.secrets.some((s) => s.namespace === namespace && s.name === name);
        if (!listed || this.secrets.has(key)) throw new Error(`Secret ${key} on ${this.cluster} is ${listed ? "created twice" : "not one the platform model lists"}`);
        this.secrets.add(key);
    }

    /** What the model lists that was not installed or created (ClusterPlatform refuses any). */
    missing(): string[] {
        return [
            ...this.model.releases.map((r) => r.release).filter((r) => !this.releases.has(r)),
            ...this.model.secrets.map((s) => `${s.namespace}/${s.name}`).filter((s) => !this.secrets.has(s)).map((s) => `Secret ${s}`),
        ];
    }
}

/** Builds the `secret` function of a context: only the Secrets the ledger's model lists. */
export function secretCreator(
    ledger: ModelLedger,
    opts: pulumi.CustomResourceOptions,
    namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>,
): ClusterContext["secret"] {
    return (resourceName, args) => {
        ledger.claimSecret(args.namespace, args.name);
        const namespace = namespaces[args.namespace];
        if (!namespace) throw new Error(`namespace ${args.namespace} is not one of the platform's namespaces`);
        return new k8s.core.v1.Secret(
            resourceName,
            {
                metadata: { name: args.name, namespace: namespace.metadata.name, ...(args.annotations ? { annotations: args.annotations } : {}) },
                type: args.type,
                stringData: args.stringData,
            },
            opts,
        );
    };
}

export interface ClusterReleaseArgs {
    /** The program's name for the release; an adopted release keeps its own Helm name (config/adoption.ts). */
    releaseName: string;
    namespace: string;
    /**
     * `namespace` is an application's, which the platform does not create or own (a preset's
     * exporter next to the Secret it reads): it must exist already.
     */
    applicationNamespace?: boolean;
    chart: ChartPin;
    values: Record<string, unknown>;
    timeoutSeconds: number;
    dependsOn?: pulumi.Resource[];
}

/**
 * Builds the `install` function of a context: resource name "<cluster>-<release>" whatever the Helm
 * name, so that adopting a release (a Helm name of its own) keeps the resource names the import uses.
 * Only the releases the ledger's model lists, each once, in its namespace and chart.
 */
export function releaseInstaller(
    cluster: ClusterSettings,
    ledger: ModelLedger,
    opts: pulumi.CustomResourceOptions,
    alwaysAfter: pulumi.Resource[],
    namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>,
    record: (releaseName: string, chart: ChartPin) => void,
): ClusterContext["install"] {
    return (args) => {
        ledger.claimRelease(args.releaseName, args.namespace, args.chart);
        const namespace = args.applicationNamespace ? undefined : namespaces[args.namespace];
        if (!namespace && !args.applicationNamespace) throw new Error(`namespace ${args.namespace} is not one of the platform's namespaces`);
        const releaseName = helmReleaseNameOf(cluster, args.releaseName);
        record(releaseName, args.chart);
        return pinnedRelease(
            `${cluster.name}-${args.releaseName}`,
            {
                releaseName,
                namespace: namespace ? namespace.metadata.name : args.namespace,
                chart: args.chart,
                values: args.values,
                timeoutSeconds: args.timeoutSeconds,
            },
            { ...opts, dependsOn: [...(namespace ? [namespace] : []), ...alwaysAfter, ...(args.dependsOn ?? [])] },
        );
    };
}
