// The traces pillar as planned: Tempo's storage and metrics-generator, the gateway collector's
// pipelines (consistent, scrubbing, sampling as configured) and the operator's Instrumentation.
import * as assert from "node:assert/strict";
import { pushTargets } from "../components/fleet/endpoints";
import { PII_PATTERNS, PII_SPAN_ATTRIBUTES } from "../components/traces/otel-gateway";
import { INSTRUMENTED_LANGUAGES } from "../components/traces/otel-operator";
import type { Plan, PlannedResource } from "../tools/offline/plan";
import { chartValues } from "./support/charts";
import { crdProblems } from "./support/crd-schema";
import { ofType, planVariant, T } from "./support/program";
import { helmMerge, valuesSchemaProblems } from "./support/values-schema";

const values = (plan: Plan, name: string) => {
    const found = plan.releases.find((r) => r.resource === name);
    assert.ok(found, `no release ${name}`);
    return found.values as Record<string, any>;
};
const resource = (plan: Plan, name: string): PlannedResource => {
    const found = plan.resources.find((r) => r.name === name);
    assert.ok(found, `no resource ${name}`);
    return found;
};
const hubName = (plan: Plan) => plan.settings.clusters.find((c) => c.role === "hub")!.name;

/** The collector config the pod runs: the values' config merged over the chart's default config. */
function effectiveCollectorConfig(plan: Plan): Record<string, any> {
    const defaults = (chartValues("opentelemetry-collector") as any).config;
    return helmMerge(defaults, values(plan, `${hubName(plan)}-otel-gateway`).config) as Record<string, any>;
}

/** A collector string after its own `$$` unescaping, as the regex engine sees it. */
const unescapeCollector = (s: string) => s.replaceAll("$$", "$");
/** RE2 with an inline (?i) -> a JavaScript RegExp (the patterns use no other RE2-only syntax). */
const re2 = (pattern: string) =>
    pattern.startsWith("(?i)") ? new RegExp(pattern.slice(4), "gi") : new RegExp(pattern, "g");
/** Applies a replace_pattern the way OTTL does (`${1}` refers to a capture group). */
const scrub = (text: string) =>
    PII_PATTERNS.reduce(
        (t, p) => t.replace(re2(p.regex), unescapeCollector(p.replacement).replace(/\$\{(\d+)\}/g, "$$$1")),
        text,
    );

describe("traces pillar", function () {
    let dev: Plan;
    let prod: Plan;
    let custom: Plan;
    let fleet: Plan;
    before(async () => {
        dev = await planVariant("dev");
        prod = await planVariant("prod");
        custom = await planVariant("prod", {
            set: { otel: { sampling: { slowTraceThresholdMs: 2500, probabilisticPercent: 5, decisionWaitSeconds: 20 }, instrumentationSamplingRatio: 0.25 } },
        });
        fleet = await planVariant("prod", {
            set: {
                metricsBackend: "thanos",
                clusters: [
                    { name: "hub-gke", location: "us-central1", role: "hub" },
                    { name: "edge", location: "us-east1", role: "spoke" },
                ],
                fleet: { hub: { host: "fleet.prod.example.internal" } },
            },
        });
    });

    describe("Tempo", () => {
        it("keeps blocks on a PVC of the platform StorageClass in the minimal tier", () => {
            const v = values(dev, "dev-gke-tempo");
            const storageClass = ofType(dev, T.storageClass)[0].inputs as any;
            assert.equal(v.tempo.storage.trace.backend, "local");
            assert.equal(v.persistence.enabled, true);
            assert.equal(v.persistence.storageClassName, storageClass.metadata.name);
            assert.equal(v.persistence.size, `${dev.settings.tempo.storageGi}Gi`);
        });

        it("uses exactly the foundation's bucket and Workload Identity account in the long-term tier", () => {
            const v = values(prod, "prod-gke-tempo");
            assert.equal(v.tempo.storage.trace.backend, "gcs");
            assert.equal(v.tempo.storage.trace.gcs.bucket_name, (resource(prod, "tempo-traces").inputs as any).name);
            assert.deepEqual(v.serviceAccount, { create: false, name: "tempo" });
            const ksa = resource(prod, "prod-gke-ksa-tracing-tempo").inputs as any;
            assert.match(ksa.metadata.annotations["iam.gke.io/gcp-service-account"], /^obs-tempo-prod@/);
            assert.ok(resource(prod, "prod-gke-tempo").dependsOn?.includes("prod-gke-ksa-tracing-tempo"));
        });

        it("keeps traces for the stack's retention and accepts OTLP over gRPC and HTTP", () => {
            for (const plan of [dev, prod]) {
                const v = values(plan, `${hubName(plan)}-tempo`);
                assert.equal(v.tempo.retention, `${plan.settings.retention.tracesDays * 24}h`);
                // Chart 2.2.4 cannot render without its Jaeger receivers (test/rendered.test.ts).
                assert.ok(!("jaeger" in v.tempo.receivers), "the chart's Jaeger defaults are left as they are");
                assert.deepEqual(Object.keys(v.tempo.receivers.otlp.protocols).sort(), ["grpc", "http"]);
                assert.equal(v.fullnameOverride, "tempo");
                assert.equal(v.serviceMonitor.enabled, true);
                // Grafana streams search results; Tempo must serve streams over HTTP for that.
                assert.equal(v.tempo.streamOverHttpEnabled, true);
            }
        });

        it("generates span metrics and service graphs with exemplars into the stack's metrics store", () => {
            const d = values(dev, "dev-gke-tempo").tempo;
            assert.deepEqual(d.overrides.defaults.metrics_generator.processors.sort(), ["service-graphs", "span-metrics"]);
            assert.equal(d.metricsGenerator.enabled, true);
            const [devWrite] = d.metricsGenerator.storage.remote_write;
            assert.equal(devWrite.send_exemplars, true);
            assert.equal(devWrite.url, "http://kube-prometheus-stack-prometheus.monitoring.svc:9090/api/v1/write");
            // ...which must accept remote writes and keep exemplars.
            const spec = values(dev, "dev-gke-kube-prometheus-stack").prometheus.prometheusSpec;
            assert.equal(spec.enableRemoteWriteReceiver, true);
            assert.ok(spec.enableFeatures.includes("exemplar-storage"));
            const [prodWrite] = values(prod, "prod-gke-tempo").tempo.metricsGenerator.storage.remote_write;
            assert.equal(prodWrite.url, pushTargets(prod.settings, prod.settings.clusters[0]).metricsRemoteWrite);
            assert.deepEqual(prodWrite.headers, { "X-Scope-OrgID": "prod" });
            assert.deepEqual(values(prod, "prod-gke-tempo").tempo.metricsGenerator.registry.external_labels.cluster, "prod-gke");
        });
    });

    describe("OpenTelemetry gateway", () => {
        it("defines every component a pipeline names and uses every component it defines", () => {
            for (const plan of [dev, prod, custom]) {
                const config = effectiveCollectorConfig(plan);
                const used = { receivers: new Set<string>(), processors: new Set<string>(), exporters: new Set<string>() };
                for (const [name, pipeline] of Object.entries<any>(config.service.pipelines)) {
                    for (const kind of ["receivers", "processors", "exporters"] as const) {
                        for (const component of pipeline[kind] ?? []) {
                            assert.ok(component in (config[kind] ?? {}), `${plan.stack}: pipeline ${name} names undefined ${kind} ${component}`);
                            used[kind].add(component);
                        }
                    }
                }
                for (const kind of ["receivers", "processors", "exporters"] as const) {
                    assert.deepEqual(Object.keys(config[kind]).sort(), [...used[kind]].sort(), `${plan.stack}: unused ${kind}`);
                }
                assert.deepEqual([...config.service.extensions].sort(), Object.keys(config.extensions).sort());
                assert.deepEqual(Object.keys(config.service.pipelines).sort(), ["logs", "metrics", "traces"]);
            }
        });

        it("limits memory first, adds pod metadata before sampling and batches last, in every pipeline", () => {
            const config = effectiveCollectorConfig(prod);
            for (const [name, pipeline] of Object.entries<any>(config.service.pipelines)) {
                const p: string[] = pipeline.processors;
                assert.equal(p[0], "memory_limiter", name);
                assert.equal(p.at(-1), "batch", name);
                assert.ok(p.includes("k8sattributes") && p.includes("resource/cluster"), name);
            }
            const traces: string[] = config.service.pipelines.traces.processors;
            assert.ok(traces.indexOf("k8sattributes") < traces.indexOf("tail_sampling"), "sampling loses the connection address");
            assert.ok(traces.indexOf("transform/pii") < traces.indexOf("tail_sampling"));
            assert.ok(config.service.pipelines.logs.processors.includes("transform/pii"));
        });

        it("samples 100% of errors, 100% of slow traces and the configured share of the rest", () => {
            for (const plan of [dev, prod, custom]) {
                const s = plan.settings.otel.sampling;
                const sampling = effectiveCollectorConfig(plan).processors.tail_sampling;
                const byType = Object.fromEntries(sampling.policies.map((p: any) => [p.type, p]));
                assert.deepEqual(Object.keys(byType).sort(), ["latency", "probabilistic", "status_code"]);
                assert.deepEqual(byType.status_code.status_code.status_codes, ["ERROR"]);
                assert.equal(byType.latency.latency.threshold_ms, s.slowTraceThresholdMs);
                assert.equal(byType.probabilistic.probabilistic.sampling_percentage, s.probabilisticPercent);
                assert.equal(sampling.decision_wait, `${s.decisionWaitSeconds}s`);
            }
            const custom5 = effectiveCollectorConfig(custom).processors.tail_sampling.policies;
            assert.equal(custom5.find((p: any) => p.type === "latency").latency.threshold_ms, 2500);
            assert.equal(custom5.find((p: any) => p.type === "probabilistic").probabilistic.sampling_percentage, 5);
            assert.equal(effectiveCollectorConfig(dev).processors.tail_sampling.policies.find((p: any) => p.type === "probabilistic").probabilistic.sampling_percentage, 100);
        });

        it("runs one replica, since tail sampling needs every span of a trace in one collector", () => {
            for (const plan of [dev, prod]) {
                const v = values(plan, `${hubName(plan)}-otel-gateway`);
                const config = effectiveCollectorConfig(plan);
                const loadBalanced = Object.keys(config.exporters).some((e) => e.startsWith("loadbalancing"));
                assert.ok(v.replicaCount === 1 || loadBalanced);
                assert.equal(v.autoscaling?.enabled ?? false, false);
            }
        });

        it("deletes credentials and client addresses from spans and logs and redacts e-mails, IPs and tokens in text", () => {
            const pii = effectiveCollectorConfig(prod).processors["transform/pii"];
            const spanStatements: string[] = pii.trace_statements.find((g: any) => g.context === "span").statements;
            const logStatements: string[] = pii.log_statements.find((g: any) => g.context === "log").statements;
            for (const key of ["http.request.header.authorization", "client.address", "http.client_ip"]) {
                assert.ok(spanStatements.includes(`delete_key(attributes, "${key}")`), key);
                assert.ok(logStatements.includes(`delete_key(attributes, "${key}")`), key);
            }
            assert.ok(PII_SPAN_ATTRIBUTES.length > 0);
            assert.ok(logStatements.some((s) => s.startsWith("replace_pattern(body,")), "log bodies are scrubbed");
            assert.ok(pii.trace_statements.some((g: any) => g.context === "spanevent"), "span events (exceptions) too");

            const line =
                'user alice.smith+test@example.co.uk from 203.0.113.42 sent Authorization: Bearer eyJhbGciOi.abc.def and "authorization": "Basic dXNlcjpwYXNz"';
            const clean = scrub(line);
            for (const secret of ["alice.smith", "example.co.uk", "203.0.113.42", "eyJhbGciOi", "dXNlcjpwYXNz"]) {
                assert.ok(!clean.includes(secret), `${secret} survived in: ${clean}`);
            }
            assert.match(clean, /Authorization: Bearer \[redacted\]/);
            assert.match(clean, /"authorization": "Basic \[redacted\]"/);
            // Ordinary text is left alone.
            const ordinary = "GET /api/v1/orders/1234 status=200 took 12.5ms version 1.2.3 at 12:30:45 in std::vector";
            assert.equal(scrub(ordinary), ordinary);
            const v6 = scrub("client 2001:db8:85a3::8a2e:370:7334 via [2001:db8::1]:443");
            for (const secret of ["85a3", "8a2e", "db8::1"]) assert.ok(!v6.includes(secret), v6);
        });

        it("exports traces to Tempo, metrics to the metrics store and logs to Loki's OTLP endpoint, as the stack's tenant", () => {
            for (const plan of [dev, prod]) {
                const cluster = plan.settings.clusters[0];
                const targets = pushTargets(plan.settings, cluster);
                const e = effectiveCollectorConfig(plan).exporters;
                assert.equal(e["otlp/tempo"].endpoint, targets.tracesOtlpGrpc);
                assert.equal(e["otlp/tempo"].headers["X-Scope-OrgID"], targets.tenant);
                assert.equal(e["otlphttp/loki"].endpoint, "http://loki-gateway.logging.svc/otlp");
                assert.equal(e["otlphttp/loki"].headers["X-Scope-OrgID"], targets.tenant);
                assert.equal(e.prometheusremotewrite.endpoint, targets.metricsRemoteWrite ?? "http://kube-prometheus-stack-prometheus.monitoring.svc:9090/api/v1/write");
                assert.deepEqual(e.prometheusremotewrite.external_labels, { cluster: cluster.name });
            }
        });

        it("writes metrics to every HA Prometheus replica, not through the Service, when there is no Mimir", () => {
            const config = effectiveCollectorConfig(fleet);
            const replicas = fleet.settings.prometheus.replicas;
            assert.ok(replicas >= 2);
            const exporters: string[] = config.service.pipelines.metrics.exporters;
            const urls = exporters.map((e) => config.exporters[e].endpoint).sort();
            const pods = Array.from({ length: replicas }, (_, i) =>
                `http://prometheus-kube-prometheus-stack-prometheus-${i}.prometheus-operated.monitoring.svc:9090/api/v1/write`,
            );
            assert.deepEqual(urls, pods);
            const tempoWrites = values(fleet, "hub-gke-tempo").tempo.metricsGenerator.storage.remote_write.map((w: any) => w.url).sort();
            assert.deepEqual(tempoWrites, pods);
        });

        it("labels every signal with its cluster and listens on the service the instrumentation sends to", () => {
            const config = effectiveCollectorConfig(dev);
            const attrs = config.processors["resource/cluster"].attributes;
            assert.ok(attrs.some((a: any) => a.key === "cluster" && a.value === "dev-gke" && a.action === "upsert"));
            const v = values(dev, "dev-gke-otel-gateway");
            assert.equal(v.fullnameOverride, "otel-gateway");
            assert.equal(v.mode, "deployment");
            assert.ok(v.image.repository && v.image.tag, "the chart defaults both to empty");
            assert.match(config.receivers.otlp.protocols.grpc.endpoint, /:4317$/);
            assert.match(config.receivers.otlp.protocols.http.endpoint, /:4318$/);
            assert.equal(v.serviceMonitor.enabled, true);
            assert.equal(v.ports.metrics.enabled, true, "the ServiceMonitor scrapes the metrics port");
        });

        it("passes the chart's values.schema.json, which also rejects a bad mode", () => {
            for (const plan of [dev, prod]) {
                assert.deepEqual(valuesSchemaProblems("opentelemetry-collector", values(plan, `${hubName(plan)}-otel-gateway`)), []);
            }
            assert.notDeepEqual(valuesSchemaProblems("opentelemetry-collector", { mode: "sidecar" }), []);
        });
    });

    describe("OpenTelemetry operator and Instrumentation", () => {
        const instrumentationOf = (plan: Plan) => {
            const [cr] = ofType(plan, "kubernetes:opentelemetry.io/v1alpha1:Instrumentation");
            assert.ok(cr, "an Instrumentation resource");
            return cr;
        };

        it("validates against the Instrumentation CRD, which also rejects an unknown sampler", () => {
            for (const plan of [dev, prod, custom]) {
                const inputs = instrumentationOf(plan).inputs as any;
                assert.deepEqual(crdProblems(inputs), []);
            }
            const inputs = instrumentationOf(dev).inputs as any;
            assert.notDeepEqual(crdProblems({ ...inputs, spec: { ...inputs.spec, sampler: { type: "sometimes" } } }), []);
        });

        it("instruments Java, Python and Node.js, exporting to the gateway with the configured parent-based ratio", () => {
            const spec = (instrumentationOf(custom).inputs as any).spec;
            for (const language of INSTRUMENTED_LANGUAGES) assert.ok(spec[language], language);
            assert.deepEqual(spec.sampler, { type: "parentbased_traceidratio", argument: "0.25" });
            assert.equal(spec.exporter.endpoint, "http://otel-gateway.tracing.svc:4318");
            assert.equal(spec.resource.resourceAttributes.cluster, "prod-gke");
            assert.equal((instrumentationOf(dev).inputs as any).spec.sampler.argument, "1");
        });

        it("is created after the operator, whose webhooks use the chart's own certificates (no cert-manager)", () => {
            const cr = instrumentationOf(dev);
            assert.ok(cr.dependsOn?.includes("dev-gke-opentelemetry-operator"));
            const v = values(dev, "dev-gke-opentelemetry-operator");
            assert.equal(v.admissionWebhooks.certManager.enabled, false);
            assert.equal(v.admissionWebhooks.autoGenerateCert.enabled, true);
            assert.equal(v.admissionWebhooks.autoGenerateCert.recreate, false, "no new CA on every upgrade");
            assert.equal(v.manager.serviceMonitor.enabled, true);
            assert.ok(!dev.releases.some((r) => r.chart === "cert-manager"));
        });

        it("passes the operator chart's values.schema.json, which also rejects an unknown webhook key", () => {
            for (const plan of [dev, prod]) {
                assert.deepEqual(valuesSchemaProblems("opentelemetry-operator", values(plan, `${hubName(plan)}-opentelemetry-operator`)), []);
            }
            assert.notDeepEqual(valuesSchemaProblems("opentelemetry-operator", { admissionWebhooks: { certManagr: {} } }), []);
        });
    });

    describe("placement", () => {
        it("runs the stores on the hub only and the collectors everywhere, after the monitoring CRDs their ServiceMonitors need", () => {
            for (const name of ["loki", "tempo"]) {
                assert.ok(resource(fleet, `hub-gke-${name}`).dependsOn?.includes("hub-gke-kube-prometheus-stack"), name);
                assert.ok(!fleet.releases.some((x) => x.resource === `edge-${name}`), `${name} stays on the hub`);
            }
            for (const name of ["alloy-logs", "otel-gateway", "opentelemetry-operator"]) {
                for (const cluster of ["hub-gke", "edge"]) {
                    assert.ok(resource(fleet, `${cluster}-${name}`).dependsOn?.includes(`${cluster}-kube-prometheus-stack`), `${cluster}-${name}`);
                }
                // The hub's collectors start once the stores they push to exist.
                assert.ok(resource(fleet, `hub-gke-${name}`).dependsOn?.includes("hub-gke-loki"), name);
            }
        });
    });
});
