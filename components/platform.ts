// The whole platform for one stack: the GCP layer once, then one ClusterPlatform per cluster.
import * as pulumi from "@pulumi/pulumi";
import { ClusterPlatform } from "./cluster/cluster-platform";
import type { Settings } from "./config/schema";
import { fleetCredentials } from "./fleet/credentials";
import { ObjectStorage } from "./gcp/object-storage";
import type { PlatformModel } from "./platform/model";

export class ObservabilityPlatform extends pulumi.ComponentResource {
    readonly storage: ObjectStorage;
    readonly clusters: Readonly<Record<string, ClusterPlatform>>;

    constructor(name: string, settings: Settings, model: PlatformModel, opts?: pulumi.ComponentResourceOptions) {
        super("observability:index:Platform", name, {}, opts);
        this.storage = new ObjectStorage("object-storage", settings, { parent: this });
        // Generated once, read by the hub (gateway) and every spoke (its credentials).
        const fleet = fleetCredentials(settings, this);
        this.clusters = Object.fromEntries(
            settings.clusters.map((cluster, i) => [
                cluster.name,
                new ClusterPlatform(cluster.name, { settings, cluster, storage: this.storage, model: model.clusters[i], fleet }, { parent: this }),
            ]),
        );
        this.registerOutputs({});
    }
}
