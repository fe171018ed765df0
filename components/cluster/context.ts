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

/** Builds the `secret` function of a context: only the Secrets of the cluster's model, each once. */
export function secretCreator(
    cluster: ClusterSettings,
    model: ClusterModel,
    opts: pulumi.CustomResourceOptions,
    namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>,
    record: (secret: string) => void,
): ClusterContext["secret"] {
    const created = new Set<string>();
    return (resourceName, args) => {
        const key = `${args.namespace}/${args.name}`;
        if (!model.secrets.some((s) => s.namespace === args.namespace && s.name === args.name) || created.has(key)) {
            throw new Error(`Secret ${key} on ${cluster.name} is ${created.has(key) ? "created twice" : "not one the platform model lists"}`);
        }
        created.add(key);
        record(key);
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

/** What the cluster's model lists that was not installed or created (ClusterPlatform refuses any). */
export function missingFromCluster(model: ClusterModel, installed: readonly string[], secrets: readonly string[]): string[] {
    return [
        ...model.releases.map((r) => r.release).filter((r) => !installed.includes(r)),
        ...model.secrets.map((s) => `${s.namespace}/${s.name}`).filter((s) => !secrets.includes(s)).map((s) => `Secret ${s}`),
    ];
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
 * Only the releases of the cluster's model, each once, in its namespace and chart.
 */
export function releaseInstaller(
    cluster: ClusterSettings,
    model: ClusterModel,
    opts: pulumi.CustomResourceOptions,
    alwaysAfter: pulumi.Resource[],
    namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>,
    /** The Helm name, the chart, and the program's name of each release installed. */
    record: (helmName: string, chart: ChartPin, release: string) => void,
): ClusterContext["install"] {
    const installed = new Set<string>();
    return (args) => {
        const planned = model.releases.find((r) => r.release === args.releaseName);
        if (!planned || planned.namespace !== args.namespace || planned.chart !== args.chart || installed.has(args.releaseName)) {
            throw new Error(
                `release ${args.releaseName} (${args.chart.chart} in ${args.namespace}) on ${cluster.name} is ${installed.has(args.releaseName) ? "installed twice" : "not as the platform model lists it"}`,
            );
        }
        installed.add(args.releaseName);
        const namespace = args.applicationNamespace ? undefined : namespaces[args.namespace];
        if (!namespace && !args.applicationNamespace) throw new Error(`namespace ${args.namespace} is not one of the platform's namespaces`);
        const releaseName = helmReleaseNameOf(cluster, args.releaseName);
        record(releaseName, args.chart, args.releaseName);
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
