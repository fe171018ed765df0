// Cardinality and volume limits (`limits`, the `mimir` series limits): tier defaults and overrides,
// refused configs at their key paths, the limits as the pinned charts render them (Prometheus CR,
// Loki's config file), the alerts before a limit on hand-written series (promtool), and the
// cardinality dashboard's queries (PromQL and LogQL grammars, deployed metrics).
import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { platformDashboards } from "../components/dashboards/catalog";
import { LIMITS_DASHBOARD_UID } from "../components/dashboards/limits";
import { PLATFORM_COMPONENTS, type DashboardInputs, type PlatformComponent } from "../components/dashboards/inputs";
import { PLATFORM_METRICS } from "../components/dashboards/platform-metrics";
import { queriesOf, panelsOf } from "./support/dashboard-queries";
import { DATASOURCE_UIDS } from "../components/grafana/datasource";
import { scrapeMonitors } from "../components/metrics/scrape-targets";
import { PROMETHEUS_RULE_TYPE } from "../components/sre/install";
import { limitsAlertGroups } from "../components/sre/limits-alerts";
import type { RuleGroup } from "../components/sre/rules";
import { renderReleases } from "../tools/charts/render";
import type { Plan } from "../tools/offline/plan";
import { addCrds, crdProblems } from "./support/crd-schema";
import * as http from "node:http";
import { startPrometheus, type LivePrometheus } from "./support/live-prometheus";
import { promtoolTestRules } from "./support/prometheus-tools";
import { ofType, planVariant } from "./support/program";
import { parseErrors, promqlMetricNames } from "./support/query-grammars";
import { parseManifest, type K8sObject } from "./support/rendered";
import { refusedKeys, resolveStack } from "./support/stack-settings";

const NS = "observability-platform";

describe("cardinality and volume limits", function () {
    this.timeout(180_000);
    let prod: Plan;
    before(async () => {
        prod = await planVariant("prod");
    });

    describe("config", () => {
        it("presets per tier: the long-term tier's larger ceilings, the same label limits in both", () => {
            const dev = resolveStack("dev");
            assert.deepEqual(dev.limits, {
                scrape: { sampleLimit: 10000, labelLimit: 20, enforced: { sampleLimit: 100000, labelLimit: 27, labelNameLengthLimit: 1024, labelValueLengthLimit: 2048 } },
                logs: { ingestionRateMb: 2, ingestionBurstSizeMb: 6, perStreamRateMb: 1, perStreamBurstMb: 4, maxGlobalStreamsPerTenant: 5000 },
                alertAtPercent: 80,
            });
            const p = resolveStack("prod");
            assert.deepEqual(p.limits.scrape.enforced, { sampleLimit: 250000, labelLimit: 27, labelNameLengthLimit: 1024, labelValueLengthLimit: 2048 });
            assert.deepEqual([p.limits.scrape.sampleLimit, p.limits.logs.ingestionRateMb, p.limits.logs.maxGlobalStreamsPerTenant], [20000, 8, 20000]);
            assert.deepEqual([p.mimir.maxGlobalSeriesPerTenant, p.mimir.maxGlobalSeriesPerMetric], [500000, 100000]);
        });

        it("a stack overrides one key and keeps the others; a scrape entry sets its own limits", () => {
            const s = resolveStack("prod", {
                limits: { logs: { perStreamRateMb: 0.5 } },
                scrape: [{ name: "api", namespace: "shop", selector: { app: "api" }, port: "http", sampleLimit: 50000, labelLimit: 25 }],
            });
            assert.deepEqual(s.limits.logs, { ingestionRateMb: 8, ingestionBurstSizeMb: 16, perStreamRateMb: 0.5, perStreamBurstMb: 15, maxGlobalStreamsPerTenant: 20000 });
            const api = scrapeMonitors(s, "prod-gke").find((m) => m.metadata.name === "api")!;
            assert.deepEqual([api.spec.sampleLimit, api.spec.labelLimit], [50000, 25]);
            // The preset's monitor keeps the default.
            const certManager = scrapeMonitors(s, "prod-gke").find((m) => m.metadata.name === "cert-manager")!;
            assert.deepEqual([certManager.spec.sampleLimit, certManager.spec.labelLimit], [20000, 20]);
        });

        it("refuses limits above their ceiling, bursts below their rate, a stream above its tenant, and a label limit Mimir would refuse", () => {
            const keys = refusedKeys({
                limits: {
                    scrape: { sampleLimit: 300000, enforced: { labelLimit: 28, labelValueLengthLimit: 4096 } },
                    logs: { ingestionBurstSizeMb: 4, perStreamRateMb: 9 },
                    alertAtPercent: 99,
                },
                scrape: [{ name: "api", namespace: "shop", selector: { app: "api" }, port: "http", labelLimit: 30 }],
            });
            assert.match(keys.get(`${NS}:limits.scrape.sampleLimit`)!, /at most limits\.scrape\.enforced\.sampleLimit \(250000\).*got 300000/);
            assert.match(keys.get(`${NS}:scrape[0].labelLimit`)!, /at most limits\.scrape\.enforced\.labelLimit \(28\).*got 30/);
            assert.match(keys.get(`${NS}:limits.scrape.enforced.labelLimit`)!, /at most 27 with Mimir: it refuses series of more than 30 labels, and remote write adds cluster, stack, prometheus.*got 28/);
            assert.match(keys.get(`${NS}:limits.scrape.enforced.labelValueLengthLimit`)!, /at most 2048 with Mimir.*got 4096/);
            assert.match(keys.get(`${NS}:limits.logs.ingestionBurstSizeMb`)!, /at least limits\.logs\.ingestionRateMb \(8\).*got 4/);
            assert.match(keys.get(`${NS}:limits.logs.perStreamRateMb`)!, /at most limits\.logs\.ingestionRateMb \(8\): one stream cannot push more than its whole tenant.*got 9/);
            assert.match(keys.get(`${NS}:limits.alertAtPercent`)!, /from 50 to 95.*got 99/);
            assert.equal(keys.size, 7, [...keys.values()].join("\n"));
        });

        it("refuses wrong types and unknown keys, naming the key path", () => {
            const keys = refusedKeys({ limits: { scrape: { sampleLimit: "10k" }, logs: { ingestionRateMb: 2.25, perStreamRateMB: 1 } } });
            assert.match(keys.get(`${NS}:limits.scrape.sampleLimit`)!, /a whole number of samples per scrape.*got "10k"/);
            assert.match(keys.get(`${NS}:limits.logs.ingestionRateMb`)!, /at most 1 decimal.*got 2\.25/);
            assert.match(keys.get(`${NS}:limits.logs.perStreamRateMB`)!, /did you mean "perStreamRateMb"/);
        });

        it("without Mimir a wider label limit is the stack's choice", () => {
            const s = resolveStack("dev", { limits: { scrape: { enforced: { labelLimit: 40 } } } });
            assert.equal(s.limits.scrape.enforced.labelLimit, 40);
        });
    });

    describe("rendered with the pinned charts", () => {
        let prometheus: K8sObject;
        let lokiConfig: Record<string, any>;
        before(async () => {
            const releases = prod.releases.filter((r) => r.chart === "kube-prometheus-stack" || r.chart === "loki");
            assert.equal(releases.length, 2);
            const rendered = await renderReleases(releases);
            const objects = rendered.flatMap((r) => (r.manifest ? parseManifest(r.manifest) : []));
            addCrds(objects.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.spec as any));
            prometheus = objects.find((o) => o.kind === "Prometheus")!;
            const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "loki" && o.data?.["config.yaml"]);
            lokiConfig = parse(cm!.data["config.yaml"]);
        });

        it("the Prometheus resource caps every monitor and keeps each target's scrape_sample_limit series", () => {
            const spec = prometheus.spec;
            assert.deepEqual(
                [spec.enforcedSampleLimit, spec.enforcedLabelLimit, spec.enforcedLabelNameLengthLimit, spec.enforcedLabelValueLengthLimit],
                [250000, 27, 1024, 2048],
            );
            // No global default: the charts' kubelet and kube-state-metrics monitors get only the ceiling.
            assert.equal(spec.sampleLimit, undefined);
            assert.ok(spec.enableFeatures.includes("extra-scrape-metrics"));
            assert.deepEqual(crdProblems(prometheus as any), []);
            const broken = structuredClone(prometheus);
            broken.spec.enforcedSampleLimit = "250k";
            assert.notDeepEqual(crdProblems(broken as any), []);
        });

        it("Loki's config file holds the tenant and stream limits, in the units Loki reads", () => {
            const l = lokiConfig.limits_config;
            assert.deepEqual(
                [l.ingestion_rate_strategy, l.ingestion_rate_mb, l.ingestion_burst_size_mb, l.per_stream_rate_limit, l.per_stream_rate_limit_burst, l.max_global_streams_per_user],
                ["global", 8, 16, "3MB", "15MB", 20000],
            );
            // The chart's own defaults in the same block survive the merge.
            assert.equal(l.reject_old_samples, true);
        });

        it("Mimir's per-tenant limits (its chart is not rendered here: values only)", () => {
            const mimir = prod.releases.find((r) => r.chart === "mimir-distributed")!;
            const limits = (mimir.values as any).mimir.structuredConfig.limits;
            assert.deepEqual(
                [limits.max_global_series_per_user, limits.max_global_series_per_metric, limits.ingestion_rate, limits.max_label_names_per_series, limits.max_label_value_length],
                [500000, 100000, 50000, 30, 2048],
            );
        });
    });

    describe("alerts before a limit (promtool)", () => {
        let groups: RuleGroup[];
        before(() => {
            const rule = ofType(prod, PROMETHEUS_RULE_TYPE).find((r) => r.name === "prod-gke-platform-self-monitoring");
            groups = ((rule?.inputs as any).spec.groups as RuleGroup[]).filter((g) => g.name === "observability-platform-limits");
            assert.equal(groups.length, 1);
        });
        const check = (tests: unknown[]) => {
            const r = promtoolTestRules(groups, tests);
            assert.equal(r.status, 0, r.output);
        };
        const at = (alertname: string, evalTime: string, exp: object[]) => ({ eval_time: evalTime, alertname, exp_alerts: exp });
        const labels = (extra: Record<string, string>) => ({ exp_labels: { severity: "warning", cluster: "prod-gke", component: "limits", ...extra } });

        it("has these alerts on the hub; a spoke watches only its own targets", () => {
            assert.deepEqual(
                groups[0].rules.map((r) => (r as { alert: string }).alert),
                ["ScrapeTargetNearSampleLimit", "LokiDiscardingLogs", "LokiIngestionNearRateLimit", "LokiStreamsNearLimit", "MimirSeriesNearLimit", "MimirIngestionNearRateLimit", "MimirDiscardingSamples"],
            );
            const spoke = limitsAlertGroups(prod.settings, "edge");
            assert.deepEqual(spoke[0].rules.map((r) => (r as { alert: string }).alert), ["ScrapeTargetNearSampleLimit"]);
        });

        it("ScrapeTargetNearSampleLimit: over 80% of the target's limit for 15 minutes; not at 75%, not without a limit", () => {
            const t = (instance: string) => `{job="ojeomneo-server",namespace="ojeomneo",instance="${instance}"}`;
            check([
                {
                    interval: "1m",
                    input_series: [
                        { series: `scrape_samples_post_metric_relabeling${t("10.0.0.1:8080")}`, values: "17000x30" },
                        { series: `scrape_sample_limit${t("10.0.0.1:8080")}`, values: "20000x30" },
                        { series: `scrape_samples_post_metric_relabeling${t("10.0.0.2:8080")}`, values: "15000x30" },
                        { series: `scrape_sample_limit${t("10.0.0.2:8080")}`, values: "20000x30" },
                        // No limit at all (0): never a ratio.
                        { series: `scrape_samples_post_metric_relabeling${t("10.0.0.3:8080")}`, values: "90000x30" },
                        { series: `scrape_sample_limit${t("10.0.0.3:8080")}`, values: "0x30" },
                    ],
                    alert_rule_test: [
                        at("ScrapeTargetNearSampleLimit", "10m", []),
                        at("ScrapeTargetNearSampleLimit", "20m", [labels({ job: "ojeomneo-server", namespace: "ojeomneo", instance: "10.0.0.1:8080" })]),
                    ],
                },
            ]);
        });

        it("LokiDiscardingLogs: any discard for 15 minutes, by reason; a flat counter is quiet", () => {
            const s = (reason: string) => `loki_discarded_samples_total{namespace="logging",tenant="prod",reason="${reason}",pod="loki-0"}`;
            check([
                {
                    interval: "1m",
                    input_series: [
                        { series: s("per_stream_rate_limit"), values: "0+60x30" },
                        { series: s("rate_limited"), values: "100x30" },
                    ],
                    alert_rule_test: [
                        at("LokiDiscardingLogs", "10m", []),
                        at("LokiDiscardingLogs", "25m", [labels({ namespace: "logging", tenant: "prod", reason: "per_stream_rate_limit" })]),
                    ],
                },
            ]);
        });

        it("LokiIngestionNearRateLimit: over 80% of 8 MiB/s for 15 minutes, Loki's of the platform only", () => {
            // 7 MiB/s and 6 MiB/s on two distributors of one tenant: 13 MiB/s fires; one at 6 MiB/s alone would not.
            const s = (pod: string, namespace = "logging", tenant = "prod") => `loki_distributor_bytes_received_total{namespace="${namespace}",tenant="${tenant}",pod="${pod}"}`;
            check([
                {
                    interval: "1m",
                    input_series: [
                        { series: s("loki-0"), values: `0+${7 * 1048576 * 60}x30` },
                        { series: s("loki-1"), values: `0+${6 * 1048576 * 60}x30` },
                        { series: s("loki-0", "logging", "quiet"), values: `0+${6 * 1048576 * 60}x30` },
                        // An application's own Loki in another namespace is not the platform's tenant.
                        { series: s("their-loki-0", "shop"), values: `0+${100 * 1048576 * 60}x30` },
                    ],
                    alert_rule_test: [
                        at("LokiIngestionNearRateLimit", "10m", []),
                        at("LokiIngestionNearRateLimit", "25m", [labels({ namespace: "logging", tenant: "prod" })]),
                    ],
                },
            ]);
        });

        it("LokiStreamsNearLimit: the ingesters' streams divided by the replication factor, over 80% of 20000", () => {
            const s = (tenant: string, pod: string) => `loki_ingester_memory_streams{namespace="logging",tenant="${tenant}",pod="${pod}"}`;
            check([
                {
                    interval: "1m",
                    input_series: [
                        // 3 x 17000 / 3 = 17000 > 16000.
                        ...["loki-0", "loki-1", "loki-2"].map((pod) => ({ series: s("prod", pod), values: "17000x30" })),
                        // 3 x 15000 / 3 = 15000: under, though the sum (45000) is over the limit.
                        ...["loki-0", "loki-1", "loki-2"].map((pod) => ({ series: s("other", pod), values: "15000x30" })),
                    ],
                    alert_rule_test: [at("LokiStreamsNearLimit", "20m", [labels({ namespace: "logging", tenant: "prod" })])],
                },
            ]);
        });

        it("MimirSeriesNearLimit: in-memory series per tenant over 80% of 500000, counted once per replica", () => {
            const s = (name: string, user: string, pod: string) => `${name}{namespace="monitoring",user="${user}",pod="${pod}"}`;
            const ingesters = ["mimir-ingester-0", "mimir-ingester-1", "mimir-ingester-2"];
            check([
                {
                    interval: "1m",
                    input_series: [
                        // 420000 in memory on each of 3 ingesters: 420000 series > 400000.
                        ...ingesters.map((pod) => ({ series: s("cortex_ingester_memory_series_created_total", "prod", pod), values: "450000x30" })),
                        ...ingesters.map((pod) => ({ series: s("cortex_ingester_memory_series_removed_total", "prod", pod), values: "30000x30" })),
                        // 390000 each: under.
                        ...ingesters.map((pod) => ({ series: s("cortex_ingester_memory_series_created_total", "small", pod), values: "400000x30" })),
                        ...ingesters.map((pod) => ({ series: s("cortex_ingester_memory_series_removed_total", "small", pod), values: "10000x30" })),
                    ],
                    alert_rule_test: [at("MimirSeriesNearLimit", "10m", []), at("MimirSeriesNearLimit", "20m", [labels({ namespace: "monitoring", user: "prod" })])],
                },
            ]);
        });

        it("MimirIngestionNearRateLimit over 80% of 50000 samples/s; MimirDiscardingSamples on refusals, by reason", () => {
            const received = (pod: string) => `cortex_distributor_received_samples_total{namespace="monitoring",user="prod",pod="${pod}"}`;
            check([
                {
                    interval: "1m",
                    input_series: [
                        // 2 x 21000 = 42000/s > 40000.
                        { series: received("mimir-distributor-0"), values: `0+${21000 * 60}x30` },
                        { series: received("mimir-distributor-1"), values: `0+${21000 * 60}x30` },
                        { series: `cortex_discarded_samples_total{namespace="monitoring",user="prod",reason="per_user_series_limit"}`, values: "0+30x30" },
                        { series: `cortex_discarded_samples_total{namespace="monitoring",user="prod",reason="rate_limited"}`, values: "7x30" },
                    ],
                    alert_rule_test: [
                        at("MimirIngestionNearRateLimit", "25m", [labels({ namespace: "monitoring", user: "prod" })]),
                        at("MimirDiscardingSamples", "25m", [labels({ namespace: "monitoring", user: "prod", reason: "per_user_series_limit" })]),
                    ],
                },
            ]);
            const under = (pod: string) => ({ series: received(pod), values: `0+${19000 * 60}x30` });
            check([{ interval: "1m", input_series: [under("mimir-distributor-0"), under("mimir-distributor-1")], alert_rule_test: [at("MimirIngestionNearRateLimit", "25m", [])] }]);
        });
    });

    // Debian's Prometheus 2.42 (the deployed one is 3.14; the flag and the series are the same since
    // 2.30) scraping a fixed 100-sample endpoint under three limits: what the alert divides exists
    // only with the feature, pairs one to one, and what a scrape over its limit reports.
    describe("live: a real Prometheus with extra-scrape-metrics and sample limits", () => {
        let server: http.Server;
        let prometheus: LivePrometheus | undefined;
        let expr: string;
        const query = async (q: string) => {
            const r = await fetch(`${prometheus!.url}/api/v1/query?${new URLSearchParams({ query: q })}`, { signal: AbortSignal.timeout(10_000) });
            const body = (await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
            return Object.fromEntries(body.data.result.map((x) => [x.metric.job, Number(x.value[1])]));
        };
        before(async function () {
            this.timeout(60_000);
            const rule = ofType(prod, PROMETHEUS_RULE_TYPE).find((r) => r.name === "prod-gke-platform-self-monitoring");
            const groups = (rule?.inputs as any).spec.groups as RuleGroup[];
            expr = (groups.find((g) => g.name === "observability-platform-limits")!.rules.find((r) => (r as { alert: string }).alert === "ScrapeTargetNearSampleLimit") as { expr: string }).expr;
            const text = Array.from({ length: 100 }, (_, i) => `fixed_series{n="${i}"} 1`).join("\n") + "\n";
            server = http.createServer((_, res) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(text));
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
            const target = `127.0.0.1:${(server.address() as { port: number }).port}`;
            const job = (name: string, limit: number) => ({ job_name: name, scrape_interval: "1s", sample_limit: limit, static_configs: [{ targets: [target] }] });
            prometheus = await startPrometheus({ features: ["extra-scrape-metrics"], scrapeConfigs: [job("over", 90), job("near", 120), job("far", 1000)] });
            // A few scrapes of every job.
            for (let i = 0; i < 50 && Object.keys(await query("scrape_sample_limit")).length < 3; i++) await new Promise((r) => setTimeout(r, 200));
            await new Promise((r) => setTimeout(r, 2500));
        });
        after(async () => {
            await prometheus?.stop();
            server?.close();
        });

        it("exposes each target's limit, and the alert expression returns the target over 80% of it only", async () => {
            assert.deepEqual(await query("scrape_sample_limit"), { over: 90, near: 120, far: 1000 });
            // 100 / 120 = 0.833 fires; "far" is at 10%. A failed scrape still reports the samples it
            // returned, so a target past its limit (100 / 90) stays named by the alert too.
            const near = await query(expr);
            assert.deepEqual(Object.keys(near).sort(), ["near", "over"]);
            assert.ok(Math.abs(near.near - 100 / 120) < 1e-9, JSON.stringify(near));
            assert.ok(Math.abs(near.over - 100 / 90) < 1e-9, JSON.stringify(near));
        });

        it("without the feature there is no scrape_sample_limit to divide by (the flag is what makes the alert work)", async function () {
            this.timeout(60_000);
            const target = `127.0.0.1:${(server.address() as { port: number }).port}`;
            const plain = await startPrometheus({ scrapeConfigs: [{ job_name: "plain", scrape_interval: "1s", sample_limit: 120, static_configs: [{ targets: [target] }] }] });
            try {
                const get = async (q: string) =>
                    ((await (await fetch(`${plain.url}/api/v1/query?${new URLSearchParams({ query: q })}`)).json()) as { data: { result: unknown[] } }).data.result.length;
                for (let i = 0; i < 50 && (await get("up")) === 0; i++) await new Promise((r) => setTimeout(r, 200));
                assert.equal(await get("up"), 1);
                assert.equal(await get("scrape_sample_limit"), 0);
            } finally {
                await plain.stop();
            }
        });

        it("a scrape over its limit fails whole: up is 0 and no series of it is stored", async () => {
            assert.deepEqual(await query("up"), { over: 0, near: 1, far: 1 });
            assert.deepEqual(await query("count by (job) (fixed_series)"), { near: 100, far: 100 });
            assert.deepEqual(await query("scrape_samples_post_metric_relabeling"), { over: 100, near: 100, far: 100 });
        });
    });

    describe("dashboard", () => {
        const components = new Set<PlatformComponent>(PLATFORM_COMPONENTS);
        const inputs = (withMimir: boolean): DashboardInputs => ({
            services: [],
            slos: [],
            platform: { components, prometheusRemoteWrite: true, namespaces: ["monitoring"] },
            datasourceUids: new Set(Object.values(DATASOURCE_UIDS)),
            limits: {
                alertAtPercent: 80,
                loki: { ingestionRateMb: 8, maxStreams: 20000, replicationFactor: 3 },
                ...(withMimir ? { mimir: { maxSeries: 500000, replicationFactor: 3 } } : {}),
            },
        });
        const limitsDashboard = (withMimir: boolean) => platformDashboards(inputs(withMimir)).find((d) => d.uid === LIMITS_DASHBOARD_UID)!;

        it("ranks jobs by their per-scrape series, never by counting every series, and streams by bytes in LogQL", () => {
            const d = limitsDashboard(true);
            const queries = queriesOf(d);
            const texts = queries.map((q) => q.text);
            assert.ok(texts.includes('topk(10, sum by (cluster, job) (scrape_samples_post_metric_relabeling{cluster=~"$cluster"}))'));
            assert.ok(texts.includes('topk(10, sum by (cluster, job) (sum_over_time(scrape_series_added{cluster=~"$cluster"}[1h])))'));
            assert.ok(!texts.some((t) => t.includes("__name__")), "no query over every series");
            const streams = queries.find((q) => q.language === "logql");
            assert.equal(streams?.text, 'topk(10, sum by (namespace, pod, container) (bytes_rate({namespace=~".+", cluster=~"$cluster"} [$__auto])))');
            // The tenant's limits drawn as lines: 8 MiB/s and 20000 streams.
            assert.ok(texts.includes("vector(8388608)") && texts.includes("vector(20000)") && texts.includes("vector(500000)"));
            assert.deepEqual(
                panelsOf(d).filter((p) => p.type !== "row").map((p) => p.title),
                [
                    "Top jobs by samples per scrape",
                    "Top jobs by new series",
                    "Targets closest to their sample limit",
                    "Head series per Prometheus",
                    "Top streams by bytes",
                    "Tenant ingestion against its limit",
                    "Active streams against the limit",
                    "Discarded lines by reason",
                    "Tenant series against the limit",
                    "Discarded samples by reason",
                ],
            );
            assert.ok(!panelsOf(limitsDashboard(false)).some((p) => p.title === "Tenant series against the limit"), "no Mimir row without Mimir");
        });

        it("parses with the PromQL and LogQL grammars and queries only metrics the platform's components produce", () => {
            const d = limitsDashboard(true);
            const problems = queriesOf(d).flatMap((q) => parseErrors(q.language, q.text).map((e) => `${q.where}: ${e}: ${q.text}`));
            assert.deepEqual(problems, []);
            const known = new Set(Object.values(PLATFORM_METRICS).flat());
            const unknown = queriesOf(d)
                .filter((q) => q.language === "promql")
                .flatMap((q) => [...promqlMetricNames(q.text)])
                .filter((m) => !known.has(m));
            assert.deepEqual(unknown, []);
        });

        it("is provisioned on prod's hub in the Platform folder", () => {
            const cm = prod.resources.find((r) => r.name === `prod-gke-dashboard-${LIMITS_DASHBOARD_UID}`);
            assert.ok(cm, "no ConfigMap for the cardinality dashboard");
            assert.equal((cm.inputs as any).metadata.annotations.grafana_folder, "Platform");
        });
    });
});
