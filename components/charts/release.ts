// One way to install a pinned chart, so every release gets the same deliberate lifecycle settings.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isOciChart, type ChartPin } from "./pins";

export interface PinnedReleaseArgs {
    /** Helm release name (set explicitly: Pulumi would otherwise add a random suffix). */
    releaseName: string;
    namespace: pulumi.Input<string>;
    chart: ChartPin;
    /** Plain data built by a pure function of the settings; never holds secrets. */
    values: Record<string, unknown>;
    /** Seconds Helm waits for every workload to become ready. */
    timeoutSeconds: number;
}

export function pinnedRelease(
    resourceName: string,
    args: PinnedReleaseArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        resourceName,
        {
            name: args.releaseName,
            namespace: args.namespace,
            // An OCI chart is named by its full reference and has no repository to add.
            ...(isOciChart(args.chart)
                ? { chart: args.chart.repo }
                : { chart: args.chart.chart, repositoryOpts: { repo: args.chart.repo } }),
            version: args.chart.version,
            values: args.values,
            // Namespaces are Pulumi resources of their own, with their labels.
            createNamespace: false,
            // A failed install or upgrade rolls back and removes what it created, so the cluster
            // never stays half-upgraded; the error still fails `pulumi up`.
            atomic: true,
            cleanupOnFail: true,
            timeout: args.timeoutSeconds,
            maxHistory: 10,
        },
        opts,
    );
}
