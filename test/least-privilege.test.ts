// Least privilege per role: which GCP service account may do what on which bucket, and who can act
// as it, read from the plan the program makes (prod as configured, prod on Thanos, a Thanos fleet).
// The expected tables are written out by hand: a change to anyone's access has to change them.
import * as assert from "node:assert/strict";
import type { Plan, PlannedResource } from "../tools/offline/plan";
import { ofType, planVariant, T } from "./support/program";

const inputs = (r: PlannedResource) => r.inputs as Record<string, any>;

interface Access {
    /** Store key (the bucket's Pulumi name) -> sorted roles on it. */
    buckets: Record<string, string[]>;
    /** Workload Identity members allowed to act as the account, sorted. */
    members: string[];
}

/** GCP service account (Pulumi name) -> its bucket roles and who may impersonate it. */
function accessTable(plan: Plan): Record<string, Access> {
    const storeOf = new Map(ofType(plan, T.bucket).map((b) => [inputs(b).name, b.name]));
    const accountOf = new Map(
        ofType(plan, T.gsa).map((a) => [`${inputs(a).accountId}@${inputs(a).project}.iam.gserviceaccount.com`, a.name]),
    );
    const table: Record<string, Access> = {};
    for (const name of accountOf.values()) table[name] = { buckets: {}, members: [] };
    for (const grant of ofType(plan, T.bucketIam)) {
        const g = inputs(grant);
        const account = accountOf.get(String(g.member).replace(/^serviceAccount:/, ""));
        const store = storeOf.get(g.bucket);
        assert.ok(account && store, `${grant.name} grants an account of the plan on a bucket of the plan`);
        (table[account].buckets[store] ??= []).push(g.role);
    }
    for (const binding of ofType(plan, T.gsaIam)) {
        const b = inputs(binding);
        assert.equal(b.role, "roles/iam.workloadIdentityUser", binding.name);
        const account = [...accountOf].find(([email]) => String(b.serviceAccountId).endsWith(`/serviceAccounts/${email}`));
        assert.ok(account, `${binding.name} binds an account of the plan`);
        table[account[1]].members.push(b.member);
    }
    for (const a of Object.values(table)) {
        for (const roles of Object.values(a.buckets)) roles.sort();
        a.members.sort();
    }
    return table;
}

const ADMIN = ["roles/storage.objectAdmin"];
const UPLOAD = ["roles/storage.objectCreator", "roles/storage.objectViewer"];
const READ = ["roles/storage.objectViewer"];
const wi = (project: string, ksa: string) => `serviceAccount:${project}.svc.id.goog[${ksa}]`;
const PROD = "acme-observability-prod";
const EDGE_EU = "acme-edge-eu";

const LOKI_AND_TEMPO: Record<string, Access> = {
    "loki-gsa": { buckets: { "loki-chunks": ADMIN, "loki-ruler": ADMIN }, members: [wi(PROD, "logging/loki")] },
    "tempo-gsa": { buckets: { "tempo-traces": ADMIN }, members: [wi(PROD, "tracing/tempo")] },
};

/** Roles that include storage.objects.delete (and so overwrite) at bucket level. */
const DELETING = /^roles\/storage\.(objectAdmin|objectUser|admin|legacyBucketWriter|legacyBucketOwner|legacyObjectOwner)$|^roles\/(owner|editor)$/;

describe("least privilege on the object stores", function () {
    const fleet = [
        { name: "hub-gke", location: "us-central1", role: "hub" },
        { name: "edge-a", location: "us-east1-b", role: "spoke" },
        { name: "edge-b", location: "europe-west1", role: "spoke", project: EDGE_EU },
    ];
    let prod: Plan;
    let thanos: Plan;
    let thanosFleet: Plan;
    before(async () => {
        prod = await planVariant("prod");
        thanos = await planVariant("prod", { set: { metricsBackend: "thanos" } });
        thanosFleet = await planVariant("prod", {
            set: { metricsBackend: "thanos", clusters: fleet, fleet: { hub: { host: "fleet.prod.acme-corp.example" } } },
        });
    });

    it("prod (Mimir): one Mimir account administers its three buckets, Loki and Tempo theirs", () => {
        assert.deepEqual(accessTable(prod), {
            "mimir-gsa": {
                buckets: { "mimir-blocks": ADMIN, "mimir-ruler": ADMIN, "mimir-alertmanager": ADMIN },
                members: [wi(PROD, "monitoring/mimir")],
            },
            ...LOKI_AND_TEMPO,
        });
    });

    it("prod on Thanos: uploaders create, the store gateway reads, only the compactor deletes", () => {
        assert.deepEqual(accessTable(thanos), {
            "thanos-gsa": { buckets: { "thanos-blocks": ADMIN }, members: [wi(PROD, "monitoring/thanos")] },
            "thanos-uploader-gsa": {
                buckets: { "thanos-blocks": UPLOAD },
                members: [wi(PROD, "monitoring/prometheus"), wi(PROD, "monitoring/thanos-ruler")],
            },
            "thanos-reader-gsa": { buckets: { "thanos-blocks": READ }, members: [wi(PROD, "monitoring/thanos-storegateway")] },
            ...LOKI_AND_TEMPO,
        });
    });

    it("a Thanos fleet of 3: every cluster's Prometheus uploads as the one uploader account, one binding per project", () => {
        assert.deepEqual(accessTable(thanosFleet), {
            "thanos-gsa": { buckets: { "thanos-blocks": ADMIN }, members: [wi(PROD, "monitoring/thanos")] },
            "thanos-uploader-gsa": {
                buckets: { "thanos-blocks": UPLOAD },
                // hub-gke and edge-a share a project, hence a Workload Identity member.
                members: [wi(EDGE_EU, "monitoring/prometheus"), wi(PROD, "monitoring/prometheus"), wi(PROD, "monitoring/thanos-ruler")],
            },
            "thanos-reader-gsa": { buckets: { "thanos-blocks": READ }, members: [wi(PROD, "monitoring/thanos-storegateway")] },
            ...LOKI_AND_TEMPO,
        });
    });

    it("no Kubernetes service account on a spoke acts as an account that can delete or overwrite", () => {
        const table = accessTable(thanosFleet);
        const accountOf = new Map(
            ofType(thanosFleet, T.gsa).map((a) => [`${inputs(a).accountId}@${inputs(a).project}.iam.gserviceaccount.com`, a.name]),
        );
        let spokeAccounts = 0;
        for (const spoke of ["edge-a", "edge-b"]) {
            for (const ksa of ofType(thanosFleet, T.ksa).filter((k) => k.provider === `${spoke}-k8s`)) {
                const email = inputs(ksa).metadata.annotations?.["iam.gke.io/gcp-service-account"];
                if (!email) continue;
                spokeAccounts++;
                const account = accountOf.get(email);
                assert.ok(account, `${ksa.name} acts as an account of the plan`);
                const roles = Object.values(table[account].buckets).flat();
                assert.deepEqual(roles.filter((r) => DELETING.test(r)), [], `${ksa.name} (${account})`);
            }
        }
        assert.equal(spokeAccounts, 2, "each spoke's Prometheus has a Workload Identity account");
    });

    it("tells each Thanos component which Kubernetes service account it runs as", () => {
        const release = (name: string) => thanos.releases.find((r) => r.resource === name)!.values as Record<string, any>;
        const t = release("prod-gke-thanos");
        assert.deepEqual(t.compactor.serviceAccount, { create: false, name: "thanos" });
        assert.deepEqual(t.storegateway.serviceAccount, { create: false, name: "thanos-storegateway" });
        const kps = release("prod-gke-kube-prometheus-stack");
        assert.deepEqual(kps.prometheus.serviceAccount, { create: false, name: "prometheus" });
        assert.deepEqual(kps.thanosRuler.serviceAccount, { create: false, name: "thanos-ruler" });
    });

    it("keeps 7 days of soft delete on every bucket, data and state alike", () => {
        for (const plan of [prod, thanos]) {
            for (const bucket of ofType(plan, T.bucket)) {
                assert.deepEqual(inputs(bucket).softDeletePolicy, { retentionDurationSeconds: 604800 }, `${plan.stack} ${bucket.name}`);
            }
        }
    });

    it("keeps the Pulumi names of the grants and bindings the compactor inherits from the one Thanos account", () => {
        // A renamed resource is replaced by `pulumi up`: the objectAdmin grant and binding stay as they were.
        const names = (type: string) => ofType(thanos, type).map((r) => r.name).filter((n) => n.startsWith("thanos")).sort();
        assert.deepEqual(names(T.gsa), ["thanos-gsa", "thanos-reader-gsa", "thanos-uploader-gsa"]);
        assert.deepEqual(names(T.bucketIam), [
            "thanos-blocks-object-admin",
            "thanos-blocks-object-creator-thanos-uploader",
            "thanos-blocks-object-viewer-thanos-reader",
            "thanos-blocks-object-viewer-thanos-uploader",
        ]);
        assert.ok(ofType(thanos, T.gsaIam).some((b) => b.name === `thanos-wi-${PROD}-monitoring-thanos`));
        assert.equal(inputs(ofType(thanos, T.gsa).find((a) => a.name === "thanos-gsa")!).accountId, "obs-thanos-prod");
    });
});
