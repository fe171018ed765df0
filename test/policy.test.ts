// The policy pack: every policy passes the plans of every stack, and catches the case it exists for,
// made by breaking one field of a real planned resource where the plans have one.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyResource } from "@pulumi/policy";
import { parse } from "yaml";
import { policyResource, runPolicies, type AnyPolicy } from "../policy/offline";
import * as policies from "../policy/policies";
import type { Plan } from "../tools/offline/plan";
import { planVariant, T } from "./support/program";

const { ALL_POLICIES, TYPES } = policies;

/** Messages of one policy's violations over a whole stack's resources. */
const violations = (policy: AnyPolicy, resources: readonly PolicyResource[]): string[] =>
    runPolicies(resources, [policy]).map((v) => (v.resource ? `${v.resource}: ${v.message}` : v.message));

const fromPlan = (plan: Plan) => plan.resources.map((r) => policyResource(plan.stack, r));
const crafted = (type: string, name: string, inputs: Record<string, unknown>) => policyResource("test", { type, name, inputs });
/** A copy of the first planned resource of `type`, changed by `edit`. */
function broken(plan: Plan, type: string, edit: (props: any) => void): PolicyResource {
    const original = plan.resources.find((r) => r.type === type);
    assert.ok(original, `the ${plan.stack} plan has a ${type}`);
    const r = policyResource(plan.stack, original);
    edit(r.props);
    return r;
}

describe("policy pack", function () {
    const plans: Plan[] = [];
    before(async () => {
        plans.push(
            await planVariant("dev"),
            await planVariant("prod"),
            await planVariant("prod", { set: { metricsBackend: "thanos" } }),
        );
    });
    const dev = () => plans[0];
    const prod = () => plans[1];

    it("names each policy once, the mandatory ones mandatory and the two advisory ones advisory", () => {
        const names = ALL_POLICIES.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        const advisory = ALL_POLICIES.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name);
        assert.deepEqual(advisory.sort(), ["releases-set-resource-requests", "retention-within-tier-limits"]);
        for (const p of ALL_POLICIES) assert.ok(p.enforcementLevel === "advisory" || p.enforcementLevel === "mandatory", p.name);
    });

    it("passes the plans of every stack (and the Thanos variant) without a violation", () => {
        for (const plan of plans) {
            for (const policy of ALL_POLICIES) assert.deepEqual(violations(policy, fromPlan(plan)), [], `${plan.stack}: ${policy.name}`);
        }
    });

    it("is the pack the workflows and README run, with its policies from policies.ts", () => {
        const manifest = parse(fs.readFileSync(path.join(__dirname, "..", "policy", "PulumiPolicy.yaml"), "utf8"));
        assert.equal(manifest.runtime, "nodejs");
        const index = fs.readFileSync(path.join(__dirname, "..", "policy", "index.ts"), "utf8");
        assert.match(index, /new PolicyPack\("observability-platform", \{[\s\S]*policies: \[\.\.\.ALL_POLICIES\]/);
    });

    it("runs offline through npm run policy, which passes every stack", function () {
        this.timeout(60_000);
        const r = spawnSync(process.execPath, ["-r", "ts-node/register", "tools/policy-check.ts", "--stack", "prod"], {
            cwd: path.join(__dirname, ".."),
            encoding: "utf8",
            env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
        });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /Stack prod: \d+ resources, 0 mandatory and 0 advisory violation\(s\)\./);
    });

    describe("catches", () => {
        const caught = (policy: AnyPolicy, resources: PolicyResource[], pattern: RegExp) => {
            const found = violations(policy, resources);
            assert.ok(found.some((v) => pattern.test(v)), `${policy.name} missed it: ${JSON.stringify(found)}`);
        };

        it("a bucket without uniform access or enforced public access prevention, and public grants", () => {
            const p = policies.bucketsArePrivate;
            caught(p, [broken(prod(), T.bucket, (b) => (b.uniformBucketLevelAccess = false))], /uniformBucketLevelAccess must be true/);
            caught(p, [broken(prod(), T.bucket, (b) => (b.publicAccessPrevention = "inherited"))], /publicAccessPrevention must be "enforced"/);
            caught(p, [broken(prod(), T.bucketIam, (m) => (m.member = "allUsers"))], /allUsers must not be granted/);
            caught(p, [crafted(TYPES.bucketIamBinding, "b", { bucket: "x", role: "roles/storage.objectViewer", members: ["user:a@example.com", "allAuthenticatedUsers"] })], /allAuthenticatedUsers/);
            caught(p, [crafted(TYPES.bucketIamPolicy, "p", { bucket: "x", policyData: JSON.stringify({ bindings: [{ role: "roles/storage.objectViewer", members: ["allUsers"] }] }) })], /allUsers/);
            caught(p, [crafted(TYPES.defaultObjectAcl, "acl", { bucket: "x", role: "READER", entity: "allUsers" })], /allUsers/);
        });

        it("a project-level storage administrator role, directly or in a project policy", () => {
            const p = policies.noProjectStorageAdmin;
            caught(p, [crafted(TYPES.projectIamMember, "m", { project: "p", role: "roles/storage.admin", member: "serviceAccount:a@p.iam.gserviceaccount.com" })], /roles\/storage.admin at project level/);
            caught(p, [crafted(TYPES.projectIamBinding, "b", { project: "p", role: "roles/storage.objectAdmin", members: ["serviceAccount:a@p.iam.gserviceaccount.com"] })], /objectAdmin/);
            caught(p, [crafted(TYPES.projectIamPolicy, "pol", { project: "p", policyData: JSON.stringify({ bindings: [{ role: "roles/editor", members: ["group:ops@example.com"] }] }) })], /roles\/editor/);
            assert.deepEqual(violations(p, [crafted(TYPES.projectIamMember, "ok", { project: "p", role: "roles/monitoring.viewer", member: "group:ops@example.com" })]), []);
        });

        it("a service-account key or HMAC key", () => {
            caught(policies.noServiceAccountKeys, [crafted(TYPES.serviceAccountKey, "key", { serviceAccountId: "loki-gsa" })], /long-lived credential/);
            caught(policies.noServiceAccountKeys, [crafted(TYPES.hmacKey, "hmac", { serviceAccountEmail: "a@p.iam.gserviceaccount.com" })], /long-lived credential/);
        });

        it("a Helm release without an exact chart version", () => {
            for (const version of [undefined, "", "^88.5.0", "88.x", ">=1.0.0"]) {
                caught(policies.helmReleasesPinVersion, [broken(dev(), T.release, (r) => (r.version = version))], /must pin an exact version/);
            }
        });

        it("a StorageClass that deletes its volumes, and claims on a class that is missing, unknown or deleting", () => {
            caught(policies.storageClassesRetainVolumes, [broken(dev(), T.storageClass, (s) => (s.reclaimPolicy = "Delete"))], /reclaimPolicy must be "Retain"/);
            caught(policies.storageClassesRetainVolumes, [broken(dev(), T.storageClass, (s) => delete s.reclaimPolicy)], /Delete \(the default\)/);

            const p = policies.claimsUseRetainingClass;
            const withGrafanaClass = (cls: string | undefined) =>
                fromPlan(dev()).map((r) => {
                    if (r.type === T.release && r.props.values?.grafana) r.props.values.grafana.persistence.storageClassName = cls;
                    return r;
                });
            caught(p, withGrafanaClass(undefined), /grafana.persistence: names no StorageClass/);
            caught(p, withGrafanaClass("standard-rwo"), /StorageClass standard-rwo is not declared by this stack/);
            const deleting = fromPlan(dev()).map((r) => {
                if (r.type === T.storageClass) r.props.reclaimPolicy = "Delete";
                return r;
            });
            caught(p, deleting, /does not reclaim with Retain/);
            caught(p, [crafted(TYPES.pvc, "scratch", { spec: { resources: { requests: { storage: "1Gi" } } } })], /scratch: names no StorageClass/);
        });

        it("Grafana behind a NodePort or LoadBalancer, through kube-prometheus-stack, its own chart or a Service", () => {
            const p = policies.grafanaNotExposed;
            const kps = broken(dev(), T.release, () => undefined);
            const release = fromPlan(dev()).find((r) => r.type === T.release && r.props.values?.grafana)!;
            release.props.values.grafana.service.type = "LoadBalancer";
            caught(p, [release], /grafana.service.type is LoadBalancer/);
            caught(p, [crafted(T.release, "grafana", { chart: "grafana", version: "1.0.0", values: { service: { type: "NodePort" } } })], /service.type is NodePort/);
            caught(p, [crafted(TYPES.service, "grafana-public", { metadata: { name: "grafana-public" }, spec: { type: "LoadBalancer" } })], /exposes Grafana as LoadBalancer/);
            assert.deepEqual(violations(p, [kps]), [], "an unexposed release passes");
        });

        it("a literal credential in Helm values or a ConfigMap, but not a reference to a Secret", () => {
            const p = policies.secretInputsAreSecrets;
            const release = fromPlan(dev()).find((r) => r.type === T.release && r.props.values?.grafana)!;
            release.props.values.grafana.adminPassword = "hunter2";
            release.props.values.alertmanager.config = { global: { slack_api_url: "https://hooks.slack.com/services/T0/B0/XYZ" } };
            const found = violations(p, [release]);
            assert.ok(found.some((v) => /values.grafana.adminPassword holds a literal credential/.test(v)), JSON.stringify(found));
            assert.ok(found.some((v) => /slack_api_url holds a literal credential/.test(v)), JSON.stringify(found));
            caught(p, [crafted(TYPES.configMap, "cm", { data: { DB_PASSWORD: "s3cret" } })], /data.DB_PASSWORD/);
            const references = crafted(T.release, "ok", {
                values: { admin: { existingSecret: "grafana-admin", passwordKey: "admin-password" }, config: { slack_api_url_file: "/etc/alertmanager/secrets/slack", password: "[secret]" } },
            });
            assert.deepEqual(violations(p, [references]), []);
        });

        it("a release without CPU and memory requests (advisory)", () => {
            const p = policies.releasesSetRequests;
            caught(p, [crafted(T.release, "bare", { name: "bare", version: "1.0.0", values: { replicas: 1 } })], /sets no resource requests at all/);
            caught(p, [crafted(T.release, "limits", { name: "limits", version: "1.0.0", values: { server: { resources: { limits: { memory: "1Gi" } } } } })], /server.resources sets no CPU and memory requests/);
        });

        it("retentions over the tier's limits (advisory)", () => {
            const p = policies.retentionWithinTierLimits;
            const long = fromPlan(dev()).map((r) => {
                if (r.type === T.release && r.props.values?.prometheus) r.props.values.prometheus.prometheusSpec.retention = "90d";
                return r;
            });
            caught(p, long, /prometheusSpec.retention: metrics kept 90 days, over the minimal tier's 35/);
            caught(p, [...fromPlan(dev()), crafted(T.release, "loki", { values: { loki: { limits_config: { retention_period: "2160h" } } } })], /logs kept 90 days, over the minimal tier's 35/);
            const lifecycle = fromPlan(prod()).map((r) => {
                if (r.type === T.bucket && r.props.labels.signal === "metrics" && r.props.lifecycleRules[0].condition.age) r.props.lifecycleRules[0].condition.age = 800;
                return r;
            });
            caught(p, lifecycle, /metrics kept 800 days, over the long-term tier's 425/);
        });
    });
});
