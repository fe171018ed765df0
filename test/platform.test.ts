// The real program (index.ts) under Pulumi's mocks: what `pulumi up` would create, per stack.
import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config/errors";
import type { Plan, PlannedResource } from "../tools/offline/plan";
import type { RecordedResource } from "../tools/offline/runtime";
import { ofType, planVariant, T, type PlanVariant } from "./support/program";

const fleet = [
    { name: "hub-gke", location: "us-central1", role: "hub" },
    { name: "edge-a", location: "us-east1-b", role: "spoke" },
    { name: "edge-b", location: "europe-west1", role: "spoke", project: "acme-edge-eu" },
];

const byName = (plan: Plan, name: string): PlannedResource => {
    const found = plan.resources.find((r) => r.name === name);
    assert.ok(found, `no resource named ${name}`);
    return found;
};
const inputs = (r: PlannedResource) => r.inputs as Record<string, any>;
const values = (plan: Plan, resource: string) => {
    const release = plan.releases.find((r) => r.resource === resource);
    assert.ok(release, `no release ${resource}`);
    return release.values as Record<string, any>;
};

/** Every value stored under `key` anywhere inside `tree`. */
function collect(tree: unknown, key: string, out: unknown[] = []): unknown[] {
    if (Array.isArray(tree)) tree.forEach((t) => collect(t, key, out));
    else if (typeof tree === "object" && tree !== null) {
        for (const [k, v] of Object.entries(tree)) {
            if (k === key) out.push(v);
            collect(v, key, out);
        }
    }
    return out;
}

describe("the platform program under mocks", function () {
    const plans: Record<string, Plan> = {};
    const plan = async (key: string, stack: string, variant?: PlanVariant) =>
        (plans[key] ??= await planVariant(stack, variant));

    before(async () => {
        await plan("dev", "dev");
        await plan("prod", "prod");
        await plan("thanos", "prod", { set: { metricsBackend: "thanos", clusters: fleet, fleet: { hub: { host: "fleet.prod.acme-corp.example" } } } });
    });

    describe("object storage", () => {
        it("creates no bucket and no GCP service account in the minimal tier", () => {
            assert.equal(ofType(plans.dev, T.bucket).length, 0);
            assert.equal(ofType(plans.dev, T.gsa).length, 0);
        });

        it("creates the Mimir, Loki and Tempo buckets for long-term with Mimir, and one Thanos bucket with Thanos", () => {
            assert.deepEqual(
                ofType(plans.prod, T.bucket).map((b) => b.name).sort(),
                ["loki-chunks", "loki-ruler", "mimir-alertmanager", "mimir-blocks", "mimir-ruler", "tempo-traces"],
            );
            assert.deepEqual(
                ofType(plans.thanos, T.bucket).map((b) => b.name).sort(),
                ["loki-chunks", "loki-ruler", "tempo-traces", "thanos-blocks"],
            );
        });

        it("keeps every bucket private, regional and never force-destroyed", () => {
            for (const p of [plans.prod, plans.thanos]) {
                for (const bucket of ofType(p, T.bucket)) {
                    const b = inputs(bucket);
                    assert.equal(b.uniformBucketLevelAccess, true, bucket.name);
                    assert.equal(b.publicAccessPrevention, "enforced", bucket.name);
                    assert.equal(b.forceDestroy, false, bucket.name);
                    assert.equal(b.location.toLowerCase(), p.settings.region, bucket.name);
                    assert.equal(b.project, p.settings.project);
                    assert.deepEqual(
                        { stack: b.labels.stack, tier: b.labels.tier, component: b.labels.component },
                        { stack: p.stack, tier: "long-term", component: bucket.name.split("-")[0] },
                    );
                    assert.match(b.name, /^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]$/, "a valid bucket name");
                }
                // No IAM binding anywhere makes a bucket public.
                for (const member of ofType(p, T.bucketIam)) {
                    assert.doesNotMatch(inputs(member).member, /allUsers|allAuthenticatedUsers/);
                }
            }
        });

        it("deletes data only after the store's retention plus the margin, and never live state", () => {
            const s = plans.prod.settings;
            const rules = (name: string) => inputs(byName(plans.prod, name)).lifecycleRules;
            const margin = s.storage.lifecycleMarginDays;
            assert.deepEqual(rules("mimir-blocks"), [{ action: { type: "Delete" }, condition: { age: s.retention.metricsDays + margin } }]);
            assert.deepEqual(rules("loki-chunks"), [{ action: { type: "Delete" }, condition: { age: s.retention.logsDays + margin } }]);
            assert.deepEqual(rules("tempo-traces"), [{ action: { type: "Delete" }, condition: { age: s.retention.tracesDays + margin } }]);
            for (const state of ["mimir-ruler", "mimir-alertmanager", "loki-ruler"]) {
                const [rule] = rules(state);
                assert.equal(rule.condition.age, undefined, `${state} must not expire live objects by age`);
                assert.equal(rule.condition.withState, "ARCHIVED");
                assert.equal(rule.condition.daysSinceNoncurrentTime, s.storage.stateHistoryDays);
                assert.equal(inputs(byName(plans.prod, state)).versioning.enabled, true);
            }
        });

        it("follows a retention change into the lifecycle rule", async () => {
            const p = await plan("retention", "prod", { set: { retention: { logsDays: 90 } } });
            assert.equal(inputs(byName(p, "loki-chunks")).lifecycleRules[0].condition.age, 90 + p.settings.storage.lifecycleMarginDays);
        });

        it("protects long-term buckets and their name suffixes from deletion, unless the stack opts out", async () => {
            for (const b of ofType(plans.prod, T.bucket)) {
                assert.equal(b.protect, true, b.name);
                assert.equal(byName(plans.prod, `${b.name}-suffix`).protect, true);
                assert.ok(inputs(b).name.startsWith(`obs-prod-${b.name}-`), "a random suffix follows the store name");
            }
            const p = await plan("unprotected", "prod", { set: { storage: { protectBuckets: false } } });
            assert.ok(ofType(p, T.bucket).every((b) => b.protect === undefined));
        });
    });

    describe("identities", () => {
        it("grants object roles on each bucket to its own component's service accounts only (roles per account: least-privilege.test.ts)", () => {
            for (const p of [plans.prod, plans.thanos]) {
                const buckets = new Map(ofType(p, T.bucket).map((b) => [inputs(b).name, b.name]));
                const emails = new Map(ofType(p, T.gsa).map((a) => [`${inputs(a).accountId}@${inputs(a).project}.iam.gserviceaccount.com`, a.name]));
                const grants = ofType(p, T.bucketIam);
                for (const grant of grants) {
                    const g = inputs(grant);
                    assert.match(g.role, /^roles\/storage\.object(Admin|Creator|Viewer)$/);
                    const store = buckets.get(g.bucket);
                    const account = emails.get(g.member.replace(/^serviceAccount:/, ""));
                    assert.ok(store && account, `grant ${grant.name} names a bucket and an account of this stack`);
                    assert.equal(store.split("-")[0], account.split("-")[0], `${grant.name}: ${account} on ${store}`);
                }
            }
        });

        it("grants nothing at project level and creates no service-account key", () => {
            for (const p of Object.values(plans)) {
                const forbidden = p.resources.filter((r) => /^gcp:(projects|organizations|folder)\//.test(r.type) || r.type === "gcp:serviceaccount/key:Key");
                assert.deepEqual(forbidden.map((r) => r.type), []);
            }
        });

        it("binds each GCP service account to exactly the Kubernetes service accounts the platform creates for it", () => {
            for (const p of [plans.prod, plans.thanos]) {
                const projectOf = new Map(p.settings.clusters.map((c) => [c.name, c.project]));
                const gsaName = new Map(ofType(p, T.gsa).map((a) => [`${inputs(a).accountId}@${inputs(a).project}.iam.gserviceaccount.com`, a.name]));
                const expected = new Set(
                    ofType(p, T.ksa).map((k) => {
                        const m = inputs(k).metadata;
                        const project = projectOf.get(k.provider!.replace(/-k8s$/, ""));
                        const gsa = gsaName.get(m.annotations["iam.gke.io/gcp-service-account"]);
                        assert.ok(gsa, `${k.name} is annotated with a GCP service account of this stack`);
                        return `${gsa} <- serviceAccount:${project}.svc.id.goog[${m.namespace}/${m.name}]`;
                    }),
                );
                const actual = ofType(p, T.gsaIam).map((binding) => {
                    const b = inputs(binding);
                    assert.equal(b.role, "roles/iam.workloadIdentityUser");
                    const gsa = [...gsaName.entries()].find(([email]) => b.serviceAccountId.endsWith(`/serviceAccounts/${email}`));
                    assert.ok(gsa, `${binding.name} binds an account of this stack`);
                    return `${gsa[1]} <- ${b.member}`;
                });
                assert.equal(new Set(actual).size, actual.length, "no binding is declared twice");
                assert.deepEqual(new Set(actual), expected);
            }
        });

        it("lets Prometheus on every cluster upload as the Thanos uploader identity, and configures it to use that account", () => {
            const members = ofType(plans.thanos, T.gsaIam)
                .filter((b) => b.name.startsWith("thanos-uploader-"))
                .map((b) => inputs(b).member)
                .sort();
            // Two of the three clusters share a project, so they share one Workload Identity member.
            assert.deepEqual(members, [
                "serviceAccount:acme-edge-eu.svc.id.goog[monitoring/prometheus]",
                "serviceAccount:acme-observability-prod.svc.id.goog[monitoring/prometheus]",
                "serviceAccount:acme-observability-prod.svc.id.goog[monitoring/thanos-ruler]",
            ]);
            for (const cluster of fleet) {
                const v = values(plans.thanos, `${cluster.name}-kube-prometheus-stack`);
                assert.deepEqual(v.prometheus.serviceAccount, { create: false, name: "prometheus" });
                const ksa = byName(plans.thanos, `${cluster.name}-ksa-monitoring-prometheus`);
                assert.equal(ksa.provider, `${cluster.name}-k8s`);
            }
            assert.equal(ofType(plans.thanos, T.ksa).filter((k) => inputs(k).metadata.name === "thanos").length, 1, "Thanos itself runs on the hub only");
            assert.equal(values(plans.prod, "prod-gke-kube-prometheus-stack").prometheus.serviceAccount, undefined);
        });
    });

    describe("clusters", () => {
        it("gives every cluster its own provider and puts everything on it under that cluster's component", () => {
            const p = plans.thanos;
            assert.deepEqual(ofType(p, T.k8sProvider).map((r) => r.name).sort(), fleet.map((c) => `${c.name}-k8s`).sort());
            for (const r of p.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
                const cluster = r.provider!.replace(/-k8s$/, "");
                assert.equal(r.parent, cluster, `${r.name} is a child of its cluster component`);
                assert.ok(r.name.startsWith(`${cluster}-`), r.name);
            }
        });

        it("authenticates to each cluster through gke-gcloud-auth-plugin, with no credential in the kubeconfig", () => {
            for (const provider of ofType(plans.thanos, T.k8sProvider)) {
                const kubeconfig: string = inputs(provider).kubeconfig;
                assert.match(kubeconfig, /command: gke-gcloud-auth-plugin/);
                assert.match(kubeconfig, /server: https:\/\//);
                assert.doesNotMatch(kubeconfig, /token|client-key|password/i);
            }
        });

        it("fails, naming the cluster, when a cluster has Workload Identity disabled", async () => {
            await assert.rejects(
                planVariant("prod", { clusters: { "prod-gke": { workloadPool: null } } }),
                /prod-gke .*Workload Identity disabled/,
            );
        });

        it("creates one Retain, WaitForFirstConsumer, expandable StorageClass per cluster, of the configured disk type", async () => {
            for (const p of [plans.dev, plans.thanos]) {
                const classes = ofType(p, T.storageClass);
                assert.equal(classes.length, p.settings.clusters.length);
                for (const sc of classes) {
                    const s = inputs(sc);
                    assert.equal(s.provisioner, "pd.csi.storage.gke.io");
                    assert.deepEqual(s.parameters, { type: "pd-balanced" });
                    assert.equal(s.reclaimPolicy, "Retain");
                    assert.equal(s.volumeBindingMode, "WaitForFirstConsumer");
                    assert.equal(s.allowVolumeExpansion, true);
                }
            }
            const ssd = await plan("ssd", "dev", { set: { storage: { diskType: "pd-ssd" } } });
            assert.deepEqual(inputs(ofType(ssd, T.storageClass)[0]).parameters, { type: "pd-ssd" });
        });

        it("puts every persistent volume the releases claim on the platform StorageClass", () => {
            for (const p of Object.values(plans)) {
                const classNames = new Set(ofType(p, T.storageClass).map((sc) => inputs(sc).metadata.name));
                for (const release of p.releases) {
                    for (const name of collect(release.values, "storageClassName")) {
                        assert.ok(classNames.has(name as string), `${release.resource} claims ${String(name)}`);
                    }
                }
                const kps = values(p, `${p.settings.clusters[0].name}-kube-prometheus-stack`);
                const thanosRuler = p.settings.metricsBackend === "thanos" && p.settings.slos.length > 0 ? 1 : 0;
                assert.equal(collect(kps, "storageClassName").length, 3 + thanosRuler, "Prometheus, Alertmanager and Grafana, and a Thanos stack's Thanos Ruler");
            }
        });
    });

    describe("kube-prometheus-stack", () => {
        it("keeps retention and size-based retention per tier, the size inside 85% of the volume", () => {
            for (const p of [plans.dev, plans.prod]) {
                const spec = values(p, `${p.settings.clusters[0].name}-kube-prometheus-stack`).prometheus.prometheusSpec;
                // A Prometheus that remote-writes (prod: to Mimir) keeps only the shorter local window.
                const local = spec.remoteWrite
                    ? Math.min(p.settings.prometheus.retentionDays, p.settings.remoteWrite.localRetentionDays)
                    : p.settings.prometheus.retentionDays;
                assert.equal(spec.retention, `${local}d`);
                const size = Number(/^(\d+)GiB$/.exec(spec.retentionSize)![1]);
                const disk = Number(/^(\d+)Gi$/.exec(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage)![1]);
                assert.ok(size <= disk * 0.85, `${size}GiB of ${disk}Gi`);
                assert.equal(spec.replicas, p.settings.prometheus.replicas);
            }
            const prodSpec = values(plans.prod, "prod-gke-kube-prometheus-stack").prometheus.prometheusSpec;
            assert.ok(prodSpec.replicas >= 2, "long-term Prometheus is highly available");
        });

        it("labels every cluster's series with its own cluster name and the stack", () => {
            for (const cluster of fleet) {
                const spec = values(plans.thanos, `${cluster.name}-kube-prometheus-stack`).prometheus.prometheusSpec;
                assert.deepEqual(spec.externalLabels, { cluster: cluster.name, stack: "prod" });
            }
        });

        it("selects rules, monitors, probes and scrape configs without the release label", () => {
            const spec = values(plans.dev, "dev-gke-kube-prometheus-stack").prometheus.prometheusSpec;
            for (const kind of ["rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig"]) {
                assert.equal(spec[`${kind}SelectorNilUsesHelmValues`], false, kind);
            }
        });

        it("sets requests and memory limits for every workload from the tier", () => {
            for (const p of [plans.dev, plans.prod]) {
                const c = p.settings.clusters[0].name;
                for (const release of [`${c}-kube-prometheus-stack`, `${c}-argocd`]) {
                    // Container resources only; a volume claim's `resources` asks for storage.
                    const blocks = (collect(values(p, release), "resources") as any[]).filter((b) => !b.requests?.storage);
                    assert.ok(blocks.length >= 7, `${release}: ${blocks.length} resource blocks`);
                    for (const block of blocks) {
                        assert.ok(block.requests?.cpu && block.requests?.memory && block.limits?.memory, JSON.stringify(block));
                    }
                }
            }
            const dev = values(plans.dev, "dev-gke-kube-prometheus-stack");
            const prod = values(plans.prod, "prod-gke-kube-prometheus-stack");
            assert.notEqual(dev.prometheus.prometheusSpec.resources.requests.memory, prod.prometheus.prometheusSpec.resources.requests.memory);
        });

        it("gives Grafana its admin password through a Secret, never in values, state or outputs", async () => {
            const { fakeState } = await import("../tools/offline/runtime");
            for (const p of [plans.dev, plans.prod]) {
                const c = p.settings.clusters[0].name;
                const grafana = values(p, `${c}-kube-prometheus-stack`).grafana;
                const secret = byName(p, `${c}-grafana-admin`);
                assert.equal(grafana.admin.existingSecret, inputs(secret).metadata.name);
                assert.equal(inputs(secret).metadata.namespace, p.settings.namespaces.monitoring);
                assert.equal(inputs(secret).stringData, "[secret]");
                assert.equal(p.outputs.grafanaAdminPasswords, "[secret]");
                const password = fakeState("random:index/randomPassword:RandomPassword", `${c}-grafana-admin-password`, {}).result as string;
                assert.ok(!JSON.stringify(p).includes(password), "the generated password appears nowhere in the plan");
                assert.equal(grafana.adminPassword, undefined);
            }
        });

        it("keeps Grafana inside the cluster unless an ingress with TLS is configured", () => {
            const dev = values(plans.dev, "dev-gke-kube-prometheus-stack").grafana;
            assert.equal(dev.service.type, "ClusterIP");
            assert.equal(dev.ingress.enabled, false);
            const prod = values(plans.prod, "prod-gke-kube-prometheus-stack").grafana;
            assert.equal(prod.service.type, "ClusterIP");
            assert.deepEqual(prod.ingress.tls, [{ secretName: "grafana-tls", hosts: ["grafana.prod.acme-corp.example"] }]);
            assert.equal(prod["grafana.ini"].server.root_url, "https://grafana.prod.acme-corp.example");
        });

        it("provisions its own datasources with stable, unique UIDs pointing at in-cluster services", () => {
            const grafana = values(plans.dev, "dev-gke-kube-prometheus-stack").grafana;
            assert.equal(grafana.sidecar.datasources.defaultDatasourceEnabled, false);
            const sources = grafana.additionalDataSources as any[];
            const uids = sources.map((d) => d.uid);
            assert.equal(new Set(uids).size, uids.length);
            assert.ok(uids.includes("prometheus"));
            assert.equal(sources.filter((d) => d.isDefault).length, 1);
            for (const d of sources) assert.match(d.url, /^http:\/\/[a-z][-a-z]*\.(monitoring|logging|tracing)\.svc:\d+$/);
            assert.equal(grafana.sidecar.dashboards.enabled, true);
        });
    });

    describe("Argo CD", () => {
        it("exports metrics with a ServiceMonitor from every component", () => {
            for (const p of [plans.dev, plans.prod]) {
                const v = values(p, `${p.settings.clusters[0].name}-argocd`);
                for (const component of ["controller", "server", "repoServer", "applicationSet", "notifications", "dex"]) {
                    assert.deepEqual(v[component].metrics, { enabled: true, serviceMonitor: { enabled: true } }, component);
                }
                if (p.settings.argocd.highAvailability) {
                    assert.equal(v["redis-ha"].exporter.serviceMonitor.enabled, true);
                } else {
                    assert.equal(v.redis.metrics.serviceMonitor.enabled, true);
                }
            }
        });

        it("runs highly available in the long-term tier only", () => {
            const dev = values(plans.dev, "dev-gke-argocd");
            const prod = values(plans.prod, "prod-gke-argocd");
            assert.equal(dev["redis-ha"].enabled, false);
            assert.equal(prod["redis-ha"].enabled, true);
            for (const c of ["server", "repoServer", "applicationSet"]) {
                assert.equal(dev[c].replicas, 1);
                assert.ok(prod[c].replicas >= 2, c);
            }
        });

        it("is installed after kube-prometheus-stack, whose CRDs its ServiceMonitors need", () => {
            for (const p of [plans.dev, plans.thanos]) {
                for (const c of p.settings.clusters) {
                    assert.ok(byName(p, `${c.name}-argocd`).dependsOn?.includes(`${c.name}-kube-prometheus-stack`));
                }
            }
        });
    });

    describe("releases", () => {
        it("set an explicit release name and deliberate atomic, cleanup and timeout settings", () => {
            for (const release of ofType(plans.prod, T.release)) {
                const r = inputs(release);
                assert.match(r.name, /^[a-z0-9-]+$/);
                // An adopted release (prod's collector) keeps its own Helm name under the program's resource name.
                const adopted = plans.prod.settings.clusters.some((c) => c.adopt?.releases?.[release.name.slice(c.name.length + 1) as "otel-gateway"]?.releaseName === r.name);
                assert.ok(adopted || release.name.endsWith(r.name), "resource name is <cluster>-<release name>");
                assert.equal(r.atomic, true);
                assert.equal(r.cleanupOnFail, true);
                assert.ok(r.timeout >= 300 && r.timeout <= 1800, `timeout ${r.timeout}`);
                assert.equal(r.createNamespace, false);
            }
        });
    });

    describe("bad config", () => {
        it("fails before any resource other than the stack is declared", async () => {
            const registered: RecordedResource[] = [];
            await assert.rejects(
                (async () => {
                    const { planStack } = await import("../tools/offline/plan");
                    const { stackConfig } = await import("./support/program");
                    await planStack("dev", {
                        config: stackConfig("dev", { set: { tier: "premium", clusters: [] } }),
                        onRegistered: (r) => registered.push(r),
                    });
                })(),
                ConfigError,
            );
            assert.deepEqual(registered.map((r) => r.type), [T.stack]);
        });
    });
});
