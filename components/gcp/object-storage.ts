// Buckets, their service accounts and Workload Identity bindings for every store the stack needs.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Settings } from "../config/schema";
import {
    bucketLabels,
    bucketNamePrefix,
    objectStores,
    workloadIdentities,
    workloadIdentityMember,
    type ObjectStoreSpec,
    type StoreComponent,
} from "./stores";

/** The bucket's arguments, except its name, as plain data. */
export function bucketConfiguration(settings: Settings, store: ObjectStoreSpec) {
    const lifecycleRules =
        store.kind === "data"
            ? [{ action: { type: "Delete" }, condition: { age: store.deleteAfterDays } }]
            : [
                  // Only superseded versions expire; the live rule groups and state stay.
                  {
                      action: { type: "Delete" },
                      condition: { daysSinceNoncurrentTime: store.deleteAfterDays, withState: "ARCHIVED" },
                  },
              ];
    return {
        project: settings.project,
        location: settings.region.toUpperCase(),
        storageClass: "STANDARD", // Compactors and store gateways re-read blocks: colder classes cost more.
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        // `pulumi destroy` must never empty a bucket of history: it fails on a non-empty bucket.
        forceDestroy: false,
        versioning: { enabled: store.kind === "state" },
        // Compaction rewrites data buckets continuously; soft delete would bill every replaced block
        // for another week. State buckets keep the default soft delete on top of versioning.
        ...(store.kind === "data" ? { softDeletePolicy: { retentionDurationSeconds: 0 } } : {}),
        lifecycleRules,
        labels: bucketLabels(settings, store),
    };
}

export class ObjectStorage extends pulumi.ComponentResource {
    /** Bucket name by store key (e.g. "loki-chunks"). */
    readonly bucketNames: Readonly<Record<string, pulumi.Output<string>>>;
    /** GCP service account e-mail by component (e.g. "loki"). */
    readonly serviceAccountEmails: Readonly<Partial<Record<StoreComponent, pulumi.Output<string>>>>;

    constructor(name: string, settings: Settings, opts?: pulumi.ComponentResourceOptions) {
        super("observability:gcp:ObjectStorage", name, {}, opts);
        const stores = objectStores(settings);
        // In the long-term tier history is the product: `pulumi destroy` or a replacing change stops
        // at a protected bucket instead of deleting it (see README, "Removing a stack").
        const protect = settings.storage.protectBuckets;

        const buckets: Record<string, gcp.storage.Bucket> = {};
        for (const store of stores) {
            const suffix = new random.RandomId(`${store.key}-suffix`, { byteLength: 4 }, { parent: this, protect });
            buckets[store.key] = new gcp.storage.Bucket(
                store.key,
                {
                    name: pulumi.interpolate`${bucketNamePrefix(settings, store)}-${suffix.hex}`,
                    ...bucketConfiguration(settings, store),
                },
                { parent: this, protect },
            );
        }

        const emails: Partial<Record<StoreComponent, pulumi.Output<string>>> = {};
        for (const identity of workloadIdentities(settings)) {
            const account = new gcp.serviceaccount.Account(
                `${identity.component}-gsa`,
                {
                    project: settings.project,
                    accountId: identity.accountId,
                    displayName: `${identity.component} object storage (${settings.stack})`,
                    description: `Used by ${identity.component} through Workload Identity; object access to its own buckets only.`,
                },
                { parent: this },
            );
            emails[identity.component] = account.email;
            for (const storeKey of identity.stores) {
                new gcp.storage.BucketIAMMember(
                    `${storeKey}-object-admin`,
                    {
                        bucket: buckets[storeKey].name,
                        role: "roles/storage.objectAdmin",
                        member: pulumi.interpolate`serviceAccount:${account.email}`,
                    },
                    { parent: this },
                );
            }
            // Workload Identity is per project, not per cluster: the same namespace and account name
            // on two clusters of one project is one member, so it gets one binding (two resources
            // for one binding would remove it for both when either is deleted).
            const members = new Map(identity.kubernetesServiceAccounts.map((k) => [workloadIdentityMember(k), k]));
            for (const [member, ksa] of members) {
                new gcp.serviceaccount.IAMMember(
                    `${identity.component}-wi-${ksa.clusterProject}-${ksa.namespace}-${ksa.name}`,
                    { serviceAccountId: account.name, role: "roles/iam.workloadIdentityUser", member },
                    { parent: this },
                );
            }
        }

        this.bucketNames = Object.fromEntries(Object.entries(buckets).map(([k, b]) => [k, b.name]));
        this.serviceAccountEmails = emails;
        this.registerOutputs({ bucketNames: this.bucketNames, serviceAccountEmails: this.serviceAccountEmails });
    }
}
