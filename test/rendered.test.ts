// Every Helm release of five stacks rendered by Helm 3 with the pinned chart packages, exactly as
// helm.v3.Release installs it, and the rendered objects checked: the Kubernetes OpenAPI schema and
// the charts' CRDs, Workload Identity, disks, buckets and retentions, in-cluster addresses, image
// pins, and what GKE can actually scrape.
import * as assert from "node:assert/strict";
import { CHARTS } from "../components/charts/pins";
import type { Settings } from "../components/config/schema";
import { SERVICES, type ServiceId } from "../components/platform/services";
import { RenderError, renderReleases } from "../tools/charts/render";
import type { Plan } from "../tools/offline/plan";
import { RENDERED_STACKS, renderedStack, type RenderedStackKey, type StackCase } from "./support/rendered-stacks";
import { describe as describeObject, loadModels, objectProblems, renderPlan, type K8sObject, type RenderedPlan, type RenderedRelease } from "./support/rendered";
import {
    addressProblems,
    claimProblems,
    gkeServiceProblems,
    imagePinProblems,
    imageProblem,
    podSpecOf,
    renderedConfig,
    servicesByCluster,
    unresolvableRuleProblems,
    valuesUnder,
    workloadIdentityProblems,
    type ClaimExpectation,
} from "./support/rendered-checks";

const CASES: readonly StackCase[] = Object.values(RENDERED_STACKS);
const KEYS = Object.keys(RENDERED_STACKS) as RenderedStackKey[];

/** The disks each chart claims, with the setting that sizes them (written out here, not derived). */
function expectedClaims(s: Settings): ClaimExpectation[] {
    return [
        { claim: "kube-prometheus-stack/Prometheus/*/storage", sizeGi: s.prometheus.storageGi },
        { claim: "kube-prometheus-stack/Alertmanager/*/storage", sizeGi: s.alertmanager.storageGi },
        { claim: "kube-prometheus-stack/ThanosRuler/*/storage", sizeGi: s.thanos.rulerStorageGi },
        { claim: "kube-prometheus-stack/PersistentVolumeClaim/kube-prometheus-stack-grafana/*", sizeGi: s.grafana.storageGi },
        { claim: "loki/StatefulSet/loki/storage", sizeGi: s.loki.storageGi }, // monolithic
        { claim: "loki/StatefulSet/loki-ingester/data", sizeGi: s.loki.storageGi }, // distributed
        { claim: "tempo/StatefulSet/tempo/storage", sizeGi: s.tempo.storageGi },
        { claim: "thanos/PersistentVolumeClaim/thanos-compactor/*", sizeGi: s.thanos.compactorStorageGi },
        { claim: "thanos/StatefulSet/thanos-storegateway/data", sizeGi: s.thanos.storeGatewayStorageGi },
        // Mimir, where its package can be fetched (not here: tools/charts/cache.ts).
        { claim: "mimir-distributed/StatefulSet/mimir-ingester*/*", sizeGi: s.mimir.ingesterStorageGi },
        { claim: "mimir-distributed/StatefulSet/mimir-store-gateway*/*", sizeGi: s.mimir.storeGatewayStorageGi },
        { claim: "mimir-distributed/StatefulSet/mimir-compactor*/*", sizeGi: s.mimir.compactorStorageGi },
        { claim: "mimir-distributed/StatefulSet/mimir-alertmanager*/*", sizeGi: s.mimir.alertmanagerStorageGi },
    ];
}

const bucketsOf = (plan: Plan, component: string): string[] =>
    plan.resources
        .filter((r) => r.type === "gcp:storage/bucket:Bucket" && (r.inputs as any).labels?.component === component)
        .map((r) => (r.inputs as any).name)
        .sort();

const releaseOf = (rp: RenderedPlan, chart: string): RenderedRelease | undefined => rp.releases.find((r) => r.release.chart === chart);
const objectsOf = (rp: RenderedPlan): K8sObject[] => rp.releases.flatMap((r) => r.objects);
/** Mimir's package is not available here (tools/charts/cache.ts): addresses of its Services cannot be checked. */
const UNRENDERED_SERVICE_PREFIXES = ["mimir-"];

const summary: string[] = [];

describe("rendered releases", function () {
    this.timeout(180_000);
    const rendered = new Map<string, RenderedPlan>();

    before(async () => {
        for (const key of KEYS) rendered.set(RENDERED_STACKS[key].name, await renderedStack(key));
        await loadModels([...rendered.values()].flatMap(objectsOf));
    });

    after(() => {
        if (summary.length > 0) console.log(`    ${summary.join("\n    ")}`);
    });

    for (const c of CASES) {
        describe(c.name, () => {
            const rp = () => rendered.get(c.name)!;

            it("renders every release with Helm 3, all but the charts known to be unavailable", () => {
                const { plan, releases } = rp();
                assert.equal(releases.length, plan.releases.length);
                for (const r of releases) {
                    if (r.skipped) assert.equal(r.release.chart, "mimir-distributed", `${r.release.resource} was not rendered: ${r.skipped}`);
                    else assert.ok(r.objects.length > 0, `${r.release.resource} renders no objects`);
                }
            });

            it("renders only objects that the Kubernetes OpenAPI schema or the charts' CRDs accept", () => {
                const problems: string[] = [];
                let validated = 0;
                for (const r of rp().releases) {
                    for (const o of r.objects) {
                        validated++;
                        for (const p of objectProblems(o)) problems.push(`${r.release.resource}: ${describeObject(o)}: ${p}`);
                    }
                }
                assert.deepEqual(problems, []);
                const skipped = rp().releases.filter((r) => r.skipped).length;
                summary.push(`${c.name}: ${rp().releases.length - skipped} releases rendered (${skipped} not), ${validated} objects validated`);
            });

            it("installs only CRDs its charts' pins declare, so later releases see exactly those API versions", () => {
                for (const r of rp().releases) {
                    const crds = r.objects.filter((o) => o.kind === "CustomResourceDefinition");
                    const declared = new Set(crds.flatMap((o) => o.spec.versions.map((v: { name: string }) => `${o.spec.group}/${v.name}`)));
                    for (const v of declared) assert.ok(CHART_CRD_API_VERSIONS[r.release.chart]?.includes(v), `${r.release.resource} installs ${v}`);
                }
            });

            it("runs every workload that touches a bucket as a Workload Identity service account the plan creates and grants", () => {
                assert.deepEqual(workloadIdentityProblems(rp()), []);
            });

            it("claims every disk from the platform StorageClass at the configured size", () => {
                assert.deepEqual(claimProblems(rp(), expectedClaims(rp().plan.settings)), []);
            });

            it("names the planned buckets and retentions in the rendered Loki, Tempo and Thanos configurations", () => {
                const { plan } = rp();
                const s = plan.settings;
                const loki = releaseOf(rp(), "loki");
                assert.ok(loki, "Loki is installed");
                const lokiConfig = renderedConfig(loki, "loki", "config.yaml");
                assert.equal(lokiConfig.limits_config.retention_period, `${s.retention.logsDays * 24}h`);
                assert.equal(lokiConfig.compactor.retention_enabled, true, "the compactor deletes what is past retention");
                // Every Loki bucket but the ruler's: the ruler reads its rules from ConfigMaps (the
                // rules sidecar, logs/loki.ts), so the provisioned loki-ruler bucket holds none.
                const lokiBuckets = bucketsOf(plan, "loki").filter((b) => !b.includes("-loki-ruler-"));
                assert.deepEqual([...new Set(valuesUnder(lokiConfig, "bucket_name"))].sort(), lokiBuckets);
                assert.deepEqual(lokiConfig.ruler.storage, { type: "local", local: { directory: "/rules" } });

                const tempoConfig = renderedConfig(releaseOf(rp(), "tempo")!, "tempo", "tempo.yaml");
                assert.equal(tempoConfig.compactor.compaction.block_retention, `${s.retention.tracesDays * 24}h`);
                assert.deepEqual(valuesUnder(tempoConfig, "bucket_name").sort(), bucketsOf(plan, "tempo"));
                assert.equal(tempoConfig.storage.trace.backend, s.tier === "long-term" ? "gcs" : "local");

                const thanos = releaseOf(rp(), "thanos");
                assert.equal(!!thanos, s.metricsBackend === "thanos");
                if (thanos) {
                    const compactor = thanos.objects.find((o) => o.kind !== "Service" && o.metadata.name === "thanos-compactor" && podSpecOf(o))!;
                    const args: string[] = podSpecOf(compactor)!.containers[0].args;
                    assert.ok(args.includes(`--retention.resolution-raw=${s.thanos.rawRetentionDays}d`), args.join(" "));
                    assert.ok(args.includes(`--retention.resolution-5m=${s.thanos.fiveMinuteRetentionDays}d`));
                    assert.ok(args.includes(`--retention.resolution-1h=${s.retention.metricsDays}d`));
                    // The bucket configuration is a Secret the plan creates on the cluster (its data is a Pulumi secret).
                    const planned = plan.resources.filter((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs as any).metadata.name === "thanos-objstore");
                    for (const o of thanos.objects.filter((x) => podSpecOf(x) && JSON.stringify(x).includes("--objstore.config"))) {
                        const secrets = (podSpecOf(o)!.volumes ?? []).map((v: any) => v.secret?.secretName).filter(Boolean);
                        assert.ok(secrets.includes("thanos-objstore"), `${describeObject(o)} mounts the bucket configuration`);
                        assert.ok(planned.some((p) => p.provider === `${thanos.cluster}-k8s` && (p.inputs as any).metadata.namespace === thanos.release.namespace));
                    }
                }
            });

            it("resolves every in-cluster address its configuration names to a rendered Service and port", () => {
                const report = addressProblems(rp(), UNRENDERED_SERVICE_PREFIXES);
                // The Redis preset's exporters name the applications' own Redis Services, which the
                // plan does not render: exactly those addresses, on the hub, may name no Service.
                const hub = rp().plan.settings.clusters.find((c) => c.role === "hub")!.name;
                const external = new Set(rp().plan.settings.redis.map((r) => `${r.address} names no Service of cluster ${hub}`));
                assert.deepEqual(report.problems.filter((p) => !external.has(p.slice(p.lastIndexOf(": ") + 2))), []);
                assert.ok(report.checked >= 30, `only ${report.checked} addresses checked`);
                // Only Mimir's own addresses go unchecked, and only while its chart is not rendered.
                const mimirRendered = rp().releases.some((r) => r.release.chart === "mimir-distributed" && !r.skipped);
                for (const a of report.unverifiable) assert.match(a, /mimir-/);
                assert.ok(mimirRendered || rp().plan.settings.metricsBackend !== "mimir" || report.unverifiable.length > 0);
            });

            it("has every Service of the service directory its stack runs, on the hub, with the directory's ports", () => {
                const hub = rp().plan.settings.clusters.find((c) => c.role === "hub")!.name;
                const services = servicesByCluster(rp()).get(hub)!;
                // Written out per stack: which directory entries run there (Mimir's are not rendered here).
                const common: ServiceId[] = ["prometheus", "alertmanager", "lokiGateway", "tempo", "otelGateway", "otelOperatorWebhook"];
                const expected: Record<RenderedStackKey, ServiceId[]> = {
                    dev: common,
                    prod: common,
                    thanos: [...common, "thanosQuery", "thanosQueryFrontend"],
                    fleet: [...common, "fleetGateway"],
                    secrets: common,
                };
                const key = KEYS.find((k) => RENDERED_STACKS[k].name === c.name)!;
                for (const id of expected[key]) {
                    const entry = SERVICES[id];
                    const ports = services.get(`${entry.name}.${rp().plan.settings.namespaces[entry.namespace]}`);
                    assert.ok(ports, `${id}: no Service ${entry.name} in ${entry.namespace} on ${hub}`);
                    for (const port of Object.values(entry.ports)) assert.ok(ports.some((p) => p.port === port), `${id}: ${entry.name} has no port ${port}`);
                }
            });

            it("installs no image without a pinned tag or digest", () => {
                assert.deepEqual(imagePinProblems(rp()), []);
            });

            it("fits GKE: no Service for components GKE runs itself, and no rule on a job nothing scrapes", () => {
                assert.deepEqual(gkeServiceProblems(rp()), []);
                assert.deepEqual(unresolvableRuleProblems(rp()), []);
            });

            if (c.secrets) {
                it("carries no secret value into any rendered manifest", () => {
                    const text = JSON.stringify(objectsOf(rp()));
                    for (const [key, value] of Object.entries(c.secrets!)) {
                        for (const secret of key === "slackWebhookUrls" ? Object.values(JSON.parse(value) as Record<string, string>) : [value]) {
                            assert.ok(!text.includes(secret), `${key} reached a manifest`);
                        }
                    }
                });
            }
        });
    }

    describe("the checks catch what they are for", () => {
        const prod = () => rendered.get("prod")!;
        const withValues = (plan: Plan, resource: string, edit: (values: Record<string, any>) => void) =>
            plan.releases.map((r) => {
                if (r.resource !== resource) return r;
                const values = structuredClone(r.values) as Record<string, any>;
                edit(values);
                return { ...r, values };
            });

        it("fails the render of Tempo with the chart's Jaeger receivers removed (the old jaeger: null)", async () => {
            const releases = withValues(prod().plan, "prod-gke-tempo", (v) => (v.tempo.receivers.jaeger = null)).filter((r) => r.chart === "tempo");
            await assert.rejects(renderReleases(releases), (err: unknown) => err instanceof RenderError && /prod-gke-tempo[\s\S]*jaeger/.test(err.message));
        });

        it("finds control-plane Services and their never-resolving rules when kube-prometheus-stack keeps its defaults", async () => {
            const releases = withValues(prod().plan, "prod-gke-kube-prometheus-stack", (v) => {
                for (const k of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy", "coreDns", "kubeDns"]) delete v[k];
            });
            const plan = { ...prod().plan, releases: releases.filter((r) => r.chart === "kube-prometheus-stack") };
            const broken = await renderPlan(plan);
            const services = gkeServiceProblems(broken).join("\n");
            for (const component of ["kube-controller-manager", "kube-scheduler", "kube-etcd", "kube-proxy", "coredns"]) {
                assert.match(services, new RegExp(`kube-prometheus-stack-${component}`), component);
            }
            assert.match(services, /coredns targets port 9153/);
            const rules = unresolvableRuleProblems(broken).join("\n");
            assert.match(rules, /KubeSchedulerDown selects job="kube-scheduler"/);
            assert.match(rules, /KubeControllerManagerDown selects job="kube-controller-manager"/);
        });

        it("rejects objects the schema or a CRD does not accept", async () => {
            const deployment = objectsOf(prod()).find((o) => o.kind === "Deployment")!;
            assert.notDeepEqual(objectProblems({ ...deployment, spec: { ...deployment.spec, replicas: "two" } }), []);
            const prometheus = objectsOf(prod()).find((o) => o.kind === "Prometheus")!;
            assert.deepEqual(objectProblems(prometheus), []);
            assert.notDeepEqual(objectProblems({ ...prometheus, spec: { ...prometheus.spec, retention: 7 } }), []);
            const unknown = { apiVersion: "example.com/v1", kind: "Nope", metadata: { name: "x" } };
            await loadModels([unknown]);
            assert.throws(() => objectProblems(unknown), /no CRD/);
        });

        it("finds a disk on another StorageClass or of another size, and a workload off Workload Identity", () => {
            const rp = prod();
            const tempo = releaseOf(rp, "tempo")!;
            const edited = structuredClone(tempo.objects);
            const sts = edited.find((o) => o.kind === "StatefulSet")!;
            sts.spec.volumeClaimTemplates[0].spec.storageClassName = "standard";
            sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "1Gi";
            sts.spec.template.spec.serviceAccountName = "default";
            const broken: RenderedPlan = { plan: rp.plan, releases: rp.releases.map((r) => (r === tempo ? { ...r, objects: edited } : r)) };
            const claims = claimProblems(broken, expectedClaims(rp.plan.settings)).join("\n");
            assert.match(claims, /tempo.*StorageClass standard/);
            assert.match(claims, /tempo.*requests 1Gi/);
            assert.match(workloadIdentityProblems(broken).join("\n"), /StatefulSet tracing\/tempo runs as tracing\/default, which the plan does not create/);
        });

        it("finds a Thanos component whose account can do more or less than its job: a deleting store gateway, a read-only compactor", () => {
            const rp = rendered.get("prod on Thanos, Loki distributed")!;
            const thanos = releaseOf(rp, "thanos")!;
            const edited = structuredClone(thanos.objects);
            const pod = (name: string) => edited.find((o) => o.metadata.name === name && podSpecOf(o))!.spec.template.spec;
            pod("thanos-storegateway").serviceAccountName = "thanos";
            pod("thanos-compactor").serviceAccountName = "thanos-storegateway";
            const broken: RenderedPlan = { plan: rp.plan, releases: rp.releases.map((r) => (r === thanos ? { ...r, objects: edited } : r)) };
            const problems = workloadIdentityProblems(broken).join("\n");
            assert.match(problems, /StatefulSet monitoring\/thanos-storegateway needs read access \(roles\/storage.objectViewer\) but obs-thanos-prod@\S+ has roles\/storage.objectAdmin/);
            assert.match(problems, /monitoring\/thanos-compactor needs admin access \(roles\/storage.objectAdmin\) but obs-thanos-reader-prod@\S+ has roles\/storage.objectViewer/);
        });

        it("finds an address that names no Service, or a port the Service does not serve", () => {
            const rp = prod();
            const kps = releaseOf(rp, "kube-prometheus-stack")!;
            const edited = JSON.parse(JSON.stringify(kps.objects).replaceAll("loki-gateway.logging.svc", "loki-gatewy.logging.svc").replaceAll("tempo.tracing.svc:3200", "tempo.tracing.svc:3100")) as K8sObject[];
            const broken: RenderedPlan = { plan: rp.plan, releases: rp.releases.map((r) => (r === kps ? { ...r, objects: edited } : r)) };
            const problems = addressProblems(broken, UNRENDERED_SERVICE_PREFIXES).problems.join("\n");
            assert.match(problems, /loki-gatewy\.logging\.svc.* names no Service/);
            assert.match(problems, /Service tempo\.tracing has no port 3100/);
        });

        it("tells a pinned image from an unpinned one", () => {
            assert.equal(imageProblem("docker.io/grafana/loki:3.7.6"), undefined);
            assert.equal(imageProblem("quay.io/x/y:v1@sha256:" + "a".repeat(64)), undefined);
            assert.equal(imageProblem("localhost:5000/y@sha256:" + "b".repeat(64)), undefined);
            assert.match(imageProblem("grafana/loki")!, /no tag/);
            assert.match(imageProblem("localhost:5000/grafana/loki")!, /no tag/);
            assert.match(imageProblem("grafana/loki:latest")!, /not pinned/);
        });
    });
});

/** The CRD API versions each chart's pin declares (components/charts/pins.ts), by chart name. */
const CHART_CRD_API_VERSIONS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
    Object.values(CHARTS).map((p) => [p.chart, p.crdApiVersions]),
);
