// The policy pack: every policy passes the plans of every stack, and catches the case it exists for,
// made by breaking one field of a real planned resource where the plans have one.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyResource } from "@pulumi/policy";
import { parse } from "yaml";
import { policyResource, runPolicies, type AnyPolicy } from "../tools/policy/offline";
import * as policies from "../policy/policies";
import { RETENTION_CAPS_DAYS } from "../components/config/tiers";
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
            await planVariant("prod", {
                set: {
                    metricsBackend: "thanos",
                    clusters: [
                        { name: "hub-gke", location: "us-central1", role: "hub" },
                        { name: "edge-a", location: "us-east1-b", role: "spoke" },
                    ],
                    fleet: { hub: { host: "fleet.prod.acme-corp.example" } },
                },
            }),
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

    it("passes the plans of every stack (and the Thanos variant, alone and with a spoke) without a violation", () => {
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

    it("holds each tier to the same retention limits the stack config enforces (the pack is published alone, so it keeps its own copy)", () => {
        for (const tier of ["minimal", "long-term"] as const) {
            const { metrics, logs, traces } = RETENTION_CAPS_DAYS[tier];
            assert.deepEqual(policies.RETENTION_LIMIT_DAYS[tier], { metrics, logs, traces }, tier);
        }
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

        it("a storage, IAM or basic role granted on a project, folder or organization, directly or in a policy", () => {
            const p = policies.noHierarchyStorageOrIamGrants;
            const sa = "serviceAccount:a@p.iam.gserviceaccount.com";
            caught(p, [crafted("gcp:projects/iAMMember:IAMMember", "m", { project: "p", role: "roles/storage.admin", member: sa })], /roles\/storage.admin at project level/);
            caught(p, [crafted("gcp:projects/iAMMember:IAMMember", "v", { project: "p", role: "roles/storage.objectViewer", member: sa })], /objectViewer at project level/);
            caught(p, [crafted("gcp:projects/iAMBinding:IAMBinding", "b", { project: "p", role: "roles/storage.objectAdmin", members: [sa] })], /objectAdmin at project level/);
            caught(p, [crafted("gcp:projects/iAMMember:IAMMember", "wi", { project: "p", role: "roles/iam.workloadIdentityUser", member: sa })], /iam.workloadIdentityUser at project level/);
            caught(p, [crafted("gcp:projects/iAMPolicy:IAMPolicy", "pol", { project: "p", policyData: JSON.stringify({ bindings: [{ role: "roles/editor", members: ["group:ops@example.com"] }] }) })], /roles\/editor at project level/);
            caught(p, [crafted("gcp:folder/iAMMember:IAMMember", "f", { folder: "folders/123", role: "roles/iam.serviceAccountTokenCreator", member: sa })], /serviceAccountTokenCreator at folder level/);
            caught(p, [crafted("gcp:folder/iAMBinding:IAMBinding", "fb", { folder: "folders/123", role: "roles/resourcemanager.folderIamAdmin", members: [sa] })], /folderIamAdmin at folder level/);
            caught(p, [crafted("gcp:organizations/iAMMember:IAMMember", "o", { orgId: "42", role: "roles/owner", member: sa })], /roles\/owner at organization level/);
            caught(p, [crafted("gcp:organizations/iAMPolicy:IAMPolicy", "op", { orgId: "42", policyData: JSON.stringify({ bindings: [{ role: "roles/storage.objectCreator", members: [sa] }] }) })], /objectCreator at organization level/);
            caught(p, [crafted("gcp:projects/iAMMember:IAMMember", "c", { project: "p", role: "projects/p/roles/blobWriter", member: sa })], /custom role projects\/p\/roles\/blobWriter at project level/);
            // A role that reaches no bucket and no identity, and the same roles on one bucket, pass.
            assert.deepEqual(violations(p, [crafted("gcp:projects/iAMMember:IAMMember", "ok", { project: "p", role: "roles/monitoring.viewer", member: "group:ops@example.com" })]), []);
            assert.deepEqual(violations(p, fromPlan(prod()).filter((r) => r.type === T.bucketIam)), []);
        });

        it("a LoadBalancer that is not internal, declared as a Service or set in Helm values", () => {
            const p = policies.loadBalancersAreInternal;
            const gateway = () => {
                const r = fromPlan(plans[3]).find((x) => x.type === TYPES.service && x.props.spec?.type === "LoadBalancer");
                assert.ok(r, "the fleet plan declares the gateway's load balancer");
                return r;
            };
            assert.deepEqual(violations(p, [gateway()]), [], "the internal gateway passes");
            const external = gateway();
            delete external.props.metadata.annotations["networking.gke.io/load-balancer-type"];
            caught(p, [external], /Service fleet-gateway is an external LoadBalancer/);
            const wrong = gateway();
            wrong.props.metadata.annotations["networking.gke.io/load-balancer-type"] = "External";
            caught(p, [wrong], /external LoadBalancer/);

            const release = fromPlan(prod()).find((r) => r.type === T.release && r.props.values?.prometheus)!;
            release.props.values.prometheus.service = { type: "LoadBalancer" };
            caught(p, [release], /values.prometheus.service.type is LoadBalancer without prometheus.service.annotations/);
            const loki = crafted(T.release, "loki", { values: { gateway: { service: { type: "LoadBalancer", annotations: { "networking.gke.io/load-balancer-type": "Internal" } } } } });
            assert.deepEqual(violations(p, [loki]), [], "an internal one set through values passes");
        });

        it("secret-shaped strings anywhere in values, ConfigMaps and container env, whatever the key", () => {
            const p = policies.secretInputsAreSecrets;
            const inValues = (values: Record<string, unknown>) => crafted(T.release, "r", { values });
            caught(p, [inValues({ config: { url: "https://ingest:s3cr3t@logs.example.com/api/v1/push" } })], /values.config.url holds a URL with a password in it/);
            caught(p, [inValues({ extraArgs: ["--webhook=https://hooks.slack.com/services/T024BE7LD/B01ABCDEF/abcdEFGH1234ijkl"] })], /values.extraArgs\[0\] holds a Slack webhook URL/);
            caught(p, [inValues({ notifier: { header: "Bearer xoxb-123456789012-abcdefABCDEF" } })], /holds a Slack token/);
            caught(p, [inValues({ pagerduty: { routingKey: "0123456789abcdef0123456789abcdef" } })], /routingKey holds an integration key/);
            const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n";
            caught(p, [crafted(TYPES.configMap, "tls", { data: { "server.pem": pem } })], /data.server.pem holds a private key/);
            const keyFile = JSON.stringify({ type: "service_account", project_id: "p", private_key_id: "1", private_key: "MIIE" });
            caught(p, [crafted(TYPES.configMap, "gcp", { data: { "sa.json": keyFile } })], /data.sa.json holds a service-account key file/);
            const deployment = (env: unknown[]) =>
                crafted("kubernetes:apps/v1:Deployment", "d", { spec: { template: { spec: { containers: [{ name: "app", env }] } } } });
            caught(p, [deployment([{ name: "REMOTE", value: "postgres://app:hunter2@db:5432/app" }])], /containers\[0\].env\[0\] \(REMOTE\) holds a URL with a password in it/);
            caught(p, [deployment([{ name: "API_TOKEN", value: "abc" }])], /\(API_TOKEN\) holds a literal credential/);
            const cronJob = crafted("kubernetes:batch/v1:CronJob", "c", {
                spec: { jobTemplate: { spec: { template: { spec: { initContainers: [{ name: "i", env: [{ name: "HOOK", value: "https://hooks.slack.com/services/T1/B2/c3" }] }] } } } } },
            });
            caught(p, [cronJob], /initContainers\[0\].env\[0\] \(HOOK\) holds a Slack webhook URL/);
            // Look-alikes that are not credentials.
            assert.deepEqual(
                violations(p, [
                    inValues({
                        url: "https://user:${PASSWORD}@example.com",
                        docs: "https://grafana.com/docs/",
                        traceId: "0123456789abcdef0123456789abcdef",
                        ref: "git@github.com:acme/charts.git",
                    }),
                    deployment([{ name: "PASSWORD", valueFrom: { secretKeyRef: { name: "s", key: "p" } } }, { name: "URL", value: "http://loki-gateway.logging.svc/" }]),
                ]),
                [],
            );
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
            // Loki's chart lists its claims: each is held to the same rule.
            const lokiClaims = [...fromPlan(dev()), crafted(T.release, "loki-distributed", { values: { ingester: { persistence: { enabled: true, claims: [{ name: "data", size: "10Gi" }] } } } })];
            caught(p, lokiClaims, /ingester.persistence.claims\[0\]: names no StorageClass/);
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
            assert.ok(found.some((v) => /slack_api_url holds a Slack webhook URL/.test(v)), JSON.stringify(found));
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
            // The key the program writes for Tempo: the chart's tempo.retention.
            const traces = fromPlan(dev()).map((r) => {
                if (r.type === T.release && r.props.chart === "tempo") r.props.values.tempo.retention = "720h";
                return r;
            });
            caught(p, traces, /tempo.retention: traces kept 30 days, over the minimal tier's 14/);
        });
    });
});
