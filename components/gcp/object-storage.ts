// Buckets, their service accounts and Workload Identity bindings for every store the stack needs.
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Settings } from "../config/schema";
import {
    ACCESS_ROLES,
    bucketLabels,
    bucketNamePrefix,
    objectStores,
    workloadIdentities,
    workloadIdentityMember,
    type ObjectStoreSpec,
    type WorkloadIdentitySpec,
} from "./stores";

/** GCS' default soft delete retention, 7 days, stated so a plan shows it. */
export const SOFT_DELETE_SECONDS = 7 * 24 * 3600;

/**
 * Pulumi name of a grant. The identity keyed by its component keeps the name its objectAdmin grant
 * had when there was one account per component, so that grant is not replaced.
 */
export function grantResourceName(identity: WorkloadIdentitySpec, store: string, role: string): string {
    const slug = role.replace(/^roles\/storage\./, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return identity.key === identity.component ? `${store}-${slug}` : `${store}-${slug}-${identity.key}`;
}

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
        // Every bucket keeps GCS' default 7 days of soft delete: a wrongly deleted block, chunk or rule
        // file can be restored. On data buckets it bills what compaction and retention delete for a
        // week more: roughly a week of ingest per compaction level on top of the retained history.
        softDeletePolicy: { retentionDurationSeconds: SOFT_DELETE_SECONDS },
        lifecycleRules,
        labels: bucketLabels(settings, store),
    };
}

export class ObjectStorage extends pulumi.ComponentResource {
    /** Bucket name by store key (e.g. "loki-chunks"). */
    readonly bucketNames: Readonly<Record<string, pulumi.Output<string>>>;
    /** GCP service account e-mail by identity key (e.g. "loki", "thanos-uploader"). */
    readonly serviceAccountEmails: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, settings: Settings, opts?: pulumi.ComponentResourceOptions) {
        super("observability:gcp:ObjectStorage", name, {}, opts);
        const stores = objectStores(settings);
        // In the long-term tier history is the product: `pulumi destroy` or a replacing change stops
        // at a protected bucket instead of deleting it (see README, "Removing a stack").
        const protect = settings.storage.protectBuckets;

        const buckets: Record<string, storage.Bucket> = {};
        for (const store of stores) {
            const suffix = new random.RandomId(`${store.key}-suffix`, { byteLength: 4 }, { parent: this, protect });
            buckets[store.key] = new storage.Bucket(
                store.key,
                {
                    name: pulumi.interpolate`${bucketNamePrefix(settings, store)}-${suffix.hex}`,
                    ...bucketConfiguration(settings, store),
                },
                { parent: this, protect },
            );
        }

        const emails: Record<string, pulumi.Output<string>> = {};
        for (const identity of workloadIdentities(settings)) {
            const account = new serviceaccount.Account(
                `${identity.key}-gsa`,
                {
                    project: settings.project,
                    accountId: identity.accountId,
                    displayName: `${identity.role} object storage (${settings.stack})`,
                    description: `${identity.role}, through Workload Identity: ${identity.grants.map((g) => `${g.access} on ${g.store}`).join(", ")}; nothing else.`,
                },
                { parent: this },
            );
            emails[identity.key] = account.email;
            for (const grant of identity.grants) {
                for (const role of ACCESS_ROLES[grant.access]) {
                    new storage.BucketIAMMember(
                        grantResourceName(identity, grant.store, role),
                        { bucket: buckets[grant.store].name, role, member: pulumi.interpolate`serviceAccount:${account.email}` },
                        { parent: this },
                    );
                }
            }
            // Workload Identity is per project, not per cluster: the same namespace and account name
            // on two clusters of one project is one member, so it gets one binding (two resources
            // for one binding would remove it for both when either is deleted).
            const members = new Map(identity.kubernetesServiceAccounts.map((k) => [workloadIdentityMember(k), k]));
            for (const [member, ksa] of members) {
                new serviceaccount.IAMMember(
                    `${identity.key}-wi-${ksa.clusterProject}-${ksa.namespace}-${ksa.name}`,
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
