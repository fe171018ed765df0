// Grafana goes from a metric spike to its trace to its log lines: datasources with stable UIDs, links
// that point at datasources that exist, and the provisioning file the offline plan writes. Also the
// footprint of the logs and traces components in the minimal tier.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { correlationTargets, TRACE_ID_METADATA_KEY } from "../components/grafana/correlations";
import { DATASOURCE_UIDS, type GrafanaDatasource } from "../components/grafana/datasource";
import { grafanaDatasources } from "../components/grafana/datasources";
import type { ClusterModel } from "../components/platform/model";
import { footprint } from "../tools/offline/footprint";
import type { Plan } from "../tools/offline/plan";
import { minimalTierTotals } from "./support/minimal-tier";
import { planVariant } from "./support/program";
import { planCommand } from "../tools/plan";
import { runCommand } from "./support/command";

const LOGS_AND_TRACES_CHARTS = ["loki", "alloy", "tempo", "opentelemetry-collector", "opentelemetry-operator"];

const hubDatasources = (plan: Plan): GrafanaDatasource[] => {
    const release = plan.releases.find((r) => r.resource === `${plan.settings.clusters[0].name}-kube-prometheus-stack`);
    assert.ok(release);
    return (release.values as any).grafana.additionalDataSources;
};
/** The one cluster of a single-cluster stack's model, with only the releases `keep` keeps. */
const modelCluster = (plan: Plan, keep: (chart: string) => boolean = () => true): ClusterModel => {
    const cluster = plan.model.clusters[0];
    return { ...cluster, releases: cluster.releases.filter((r) => keep(r.chart.chart)) };
};

const byUid = (sources: readonly GrafanaDatasource[], uid: string) => {
    const found = sources.find((d) => d.uid === uid);
    assert.ok(found, `no datasource ${uid}`);
    return found;
};

describe("correlated Grafana datasources", function () {
    let dev: Plan;
    let prod: Plan;
    before(async () => {
        dev = await planVariant("dev");
        prod = await planVariant("prod");
    });

    it("keeps exemplars all the way to the store the metrics datasource reads (Mimir in prod)", () => {
        const values = (name: string) => (prod.releases.find((r) => r.resource === `prod-gke-${name}`)!.values as any);
        const spec = values("kube-prometheus-stack").prometheus.prometheusSpec;
        assert.ok(spec.enableFeatures.includes("exemplar-storage"), "Prometheus keeps the exemplars it scrapes");
        assert.ok(spec.remoteWrite.length > 0);
        for (const rw of spec.remoteWrite) assert.equal(rw.sendExemplars, true, `${rw.name} forwards them`);
        // Mimir drops every exemplar unless the tenant may keep some (its default is 0).
        const limit = values("mimir").mimir.structuredConfig.limits.max_global_exemplars_per_user;
        assert.equal(limit, prod.settings.mimir.maxGlobalExemplarsPerTenant);
        assert.ok(limit > 0);
        // Tempo's span metrics carry their trace ids into the same store the datasource reads.
        const metricsUrl = new URL(byUid(hubDatasources(prod), "prometheus").url);
        for (const w of values("tempo").tempo.metricsGenerator.storage.remote_write) {
            assert.equal(w.send_exemplars, true);
            assert.equal(new URL(w.url).host, metricsUrl.host, "span metrics land where Grafana reads");
        }
    });

    it("keeps the stable UIDs prometheus, loki and tempo, each once", () => {
        for (const plan of [dev, prod]) {
            const uids = hubDatasources(plan).map((d) => d.uid);
            for (const uid of ["prometheus", "loki", "tempo"]) assert.equal(uids.filter((u) => u === uid).length, 1, uid);
        }
        assert.deepEqual([DATASOURCE_UIDS.metrics, DATASOURCE_UIDS.logs, DATASOURCE_UIDS.traces], ["prometheus", "loki", "tempo"]);
    });

    it("links only to datasources that exist, and has every link the pillars need", () => {
        const sources = hubDatasources(prod);
        const uids = new Set(sources.map((d) => d.uid));
        const links = correlationTargets(sources);
        for (const link of links) assert.ok(uids.has(link.to), `${link.from} ${link.via} -> missing ${link.to}`);
        const has = (from: string, via: RegExp, to: string) =>
            assert.ok(links.some((l) => l.from === from && via.test(l.via) && l.to === to), `${from} ${via} -> ${to}`);
        has("prometheus", /^exemplarTraceIdDestinations/, "tempo");
        // Exemplars open their trace whether Tempo's span metrics (traceID) or the application's own SDK (trace_id) wrote them.
        const exemplarLabels = (byUid(sources, "prometheus").jsonData as any).exemplarTraceIdDestinations.map((d: { name: string }) => d.name);
        assert.deepEqual([...exemplarLabels].sort(), ["traceID", "trace_id"]);
        has("loki", /^derivedFields/, "tempo");
        has("tempo", /^tracesToLogsV2$/, "loki");
        has("tempo", /^tracesToMetrics$/, "prometheus");
        has("tempo", /^serviceMap$/, "prometheus");
        assert.equal((byUid(sources, "tempo").jsonData as any).nodeGraph.enabled, true);
        // The check itself catches a dangling link.
        const dangling = correlationTargets([{ ...byUid(sources, "loki"), jsonData: { derivedFields: [{ datasourceUid: "jaeger" }] } }]);
        assert.deepEqual(dangling.map((l) => l.to), ["jaeger"]);
    });

    it("finds a log line's trace through its trace_id structured metadata and a trace's logs by trace id", () => {
        const loki = byUid(hubDatasources(dev), "loki").jsonData as any;
        const [derived] = loki.derivedFields;
        assert.equal(derived.matcherType, "label", "structured metadata, not a regex over the line");
        assert.equal(derived.matcherRegex, TRACE_ID_METADATA_KEY);
        const tempo = byUid(hubDatasources(dev), "tempo").jsonData as any;
        assert.equal(tempo.tracesToLogsV2.filterByTraceID, true);
        assert.match(tempo.tracesToLogsV2.query, new RegExp(`${TRACE_ID_METADATA_KEY}="\\$\\$\\{__span\\.traceId\\}"`));
        assert.deepEqual(tempo.tracesToLogsV2.tags.map((t: any) => t.value).sort(), ["cluster", "namespace", "pod"]);
    });

    it("escapes every Grafana query-time variable so provisioning does not expand it as an environment variable", () => {
        const text = JSON.stringify(grafanaDatasources(prod.settings));
        assert.ok(text.includes("$${__value.raw}"));
        // A "$" followed by a variable name must be doubled.
        assert.deepEqual(text.match(/(?<!\$)\$(\{__|__)/g) ?? [], []);
    });

    it("sends the stack's tenant to Loki and Tempo", () => {
        for (const uid of ["loki", "tempo"]) {
            const ds = byUid(hubDatasources(prod), uid);
            assert.equal(ds.jsonData.httpHeaderName1, "X-Scope-OrgID");
            assert.equal(ds.secureJsonData?.httpHeaderValue1, "prod");
        }
    });

    it("is written by the offline plan as a Grafana provisioning file, with the summed requests per cluster", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-ds-"));
        try {
            const run = await runCommand(planCommand, ["--stack", "dev", "--out", out, "--nodes", "4"]);
            assert.equal(run.status, 0, run.stderr);
            const file = parse(fs.readFileSync(path.join(out, "datasources.yaml"), "utf8"));
            assert.equal(file.apiVersion, 1);
            assert.deepEqual(file.datasources, hubDatasources(dev));
            assert.match(run.stdout, /Requests per cluster \(4 nodes each, DaemonSets counted per node\)/);
            const printed = /dev-gke: ([0-9.]+) CPU, ([0-9.]+) GiB/.exec(run.stdout);
            assert.ok(printed, run.stdout);
            const expected = minimalTierTotals(dev.settings.resources, 4);
            assert.equal(Number(printed[1]), Number((expected.cpuMilli / 1000).toFixed(2)));
            assert.equal(Number(printed[2]), Number((expected.memoryMi / 1024).toFixed(2)));
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});

describe("footprint of logs and traces", function () {
    let dev: Plan;
    let prod: Plan;
    before(async () => {
        dev = await planVariant("dev");
        prod = await planVariant("prod");
    });

    it("requests at most 1 CPU and 2 GiB in the minimal tier on a 3-node cluster, DaemonSets counted per node", () => {
        const added = modelCluster(dev, (chart) => LOGS_AND_TRACES_CHARTS.includes(chart));
        assert.equal(new Set(added.releases.map((r) => r.chart.chart)).size, LOGS_AND_TRACES_CHARTS.length, "every component is counted");
        const f = footprint(added, 3);
        assert.ok(f.cpuMilli <= 1000, `${f.cpuMilli}m CPU`);
        assert.ok(f.memoryMi <= 2048, `${f.memoryMi}Mi memory`);
        // Every pod of these components asks for something: none is left unaccounted (BestEffort).
        for (const w of f.workloads) assert.ok(w.cpuMilli > 0 && w.memoryMi > 0, `${w.release} ${w.workload}`);
    });

    it("sums the whole minimal platform from the tier's per-pod requests, with sidecars and DaemonSets", () => {
        const f = footprint(modelCluster(dev), 3);
        assert.deepEqual({ cpuMilli: f.cpuMilli, memoryMi: f.memoryMi }, minimalTierTotals(dev.settings.resources, 3));
    });

    it("counts a DaemonSet once per node and a Deployment by its replicas", () => {
        const added = modelCluster(dev, (chart) => LOGS_AND_TRACES_CHARTS.includes(chart));
        const three = footprint(added, 3);
        const six = footprint(added, 6);
        // The log collector: Alloy (40m, 96Mi) and its config reloader (5m, 16Mi) on every node.
        assert.deepEqual(
            three.workloads.filter((w) => w.daemonSet),
            [{ release: "alloy-logs", workload: "alloy", pods: 3, daemonSet: true, cpuMilli: 45, memoryMi: 112 }],
        );
        assert.deepEqual([six.cpuMilli - three.cpuMilli, six.memoryMi - three.memoryMi], [3 * 45, 3 * 112]);
        // prod's Loki: three single-binary pods of Loki (500m, 1Gi) and its rules sidecar (10m, 48Mi).
        const loki = footprint(modelCluster(prod, (chart) => chart === "loki"), 3).workloads.find((w) => w.workload === "single-binary");
        assert.deepEqual(loki, { release: "loki", workload: "single-binary", pods: 3, daemonSet: false, cpuMilli: 510, memoryMi: 1072 });
    });
});
