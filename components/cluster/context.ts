// What a concern (metrics, gitops, logs, traces...) gets to install itself on one cluster: the
// settings, the cluster's provider and parent, and the shared pieces the cluster component owns.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ChartPin } from "../charts/pins";
import { pinnedRelease } from "../charts/release";
import type { ClusterSettings, Settings } from "../config/schema";
import type { ObjectStorage } from "../gcp/object-storage";
import { helmReleaseNameOf } from "../config/adoption";

export interface ClusterContext {
    readonly settings: Settings;
    readonly cluster: ClusterSettings;
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
 */
export function releaseInstaller(
    cluster: ClusterSettings,
    opts: pulumi.CustomResourceOptions,
    alwaysAfter: pulumi.Resource[],
    namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>,
    record: (releaseName: string, chart: ChartPin) => void,
): ClusterContext["install"] {
    return (args) => {
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
