// The monthly cost estimate a platform engineer reads to choose a tier: exact money, the platform
// model's disks (times replicas) and requests, Cloud Storage from usage
// assumptions and retention, prices with sources, and clear errors for what the price file lacks.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { estimateCost, regionOf } from "../tools/cost/estimate";
import { add, div, exact, formatUsd, mul, toMicros, type Exact } from "../tools/cost/money";
import { loadPrices, PRICES_FILE, regionPrices } from "../tools/cost/prices";
import { renderCompare, renderMarkdown, renderTable, toJson } from "../tools/cost/render";
import type { Plan } from "../tools/offline/plan";
import { formatCpu, formatMemory } from "../tools/offline/footprint";
import { summarize } from "../tools/offline/summary";
import type { Settings } from "../components/config/schema";
import { costCommand } from "../tools/cost";
import { runCommand } from "./support/command";
import { minimalTierTotals } from "./support/minimal-tier";
import { planVariant, T } from "./support/program";

const ROOT = path.resolve(__dirname, "..");
const prices = loadPrices();
const same = (a: Exact, b: Exact) => assert.deepEqual(a, b, `${a.num}/${a.den} !== ${b.num}/${b.den}`);

describe("cost estimate", function () {
    let dev: Plan;
    let prod: Plan;
    let thanos: Plan;
    before(async () => {
        dev = await planVariant("dev");
        prod = await planVariant("prod");
        thanos = await planVariant("prod", { set: { metricsBackend: "thanos" } });
    });

    describe("money", () => {
        it("adds and multiplies decimals exactly and rounds half up only for display", () => {
            same(add(exact("0.1"), exact("0.2")), exact("0.3"));
            same(mul(exact(150), exact("0.04")), exact(6));
            assert.equal(formatUsd(exact("0.005")), "0.01");
            assert.equal(formatUsd(exact("0.0049")), "0.00");
            assert.equal(formatUsd(exact("1234567.891")), "1,234,567.89");
            assert.equal(toMicros(mul(exact("0.0049225"), exact(730))), 3_593_425n);
        });

    });

    describe("persistent disks", () => {
        /** The hub's long-term store: Mimir's ingesters, store gateways, compactor and alertmanager, or Thanos'. */
        const longTermStoreGib = (s: Settings): number => {
            if (s.metricsBackend === "mimir") {
                const m = s.mimir;
                return m.ingesterReplicas * m.ingesterStorageGi + m.storeGatewayReplicas * m.storeGatewayStorageGi + m.compactorStorageGi + m.alertmanagerStorageGi;
            }
            if (s.metricsBackend === "thanos") {
                const t = s.thanos;
                return t.storeGatewayReplicas * t.storeGatewayStorageGi + t.compactorStorageGi;
            }
            return 0;
        };

        it("prices dev's disks on pd-standard in us-central1 at exactly $7.04 a month", async () => {
            const plan = await planVariant("dev", { set: { storage: { diskType: "pd-standard" } } });
            const e = estimateCost(plan, prices);
            const disks = e.lines.filter((l) => l.component === "Persistent disks");
            // Prometheus 20 GB, Alertmanager 1, Grafana 5, Loki 100 and Tempo 50: 176 GB at $0.04.
            assert.deepEqual(
                disks.map((l) => [l.item, l.quantity]),
                [
                    ["dev-gke-kube-prometheus-stack prometheus", "20 GB x 1 pd-standard in us-central1"],
                    ["dev-gke-kube-prometheus-stack alertmanager", "1 GB x 1 pd-standard in us-central1"],
                    ["dev-gke-kube-prometheus-stack grafana", "5 GB x 1 pd-standard in us-central1"],
                    ["dev-gke-loki loki", "100 GB x 1 pd-standard in us-central1"],
                    ["dev-gke-tempo tempo", "50 GB x 1 pd-standard in us-central1"],
                ],
            );
            same(e.byComponent["Persistent disks"], exact("7.04"));
            assert.equal(formatUsd(e.byComponent["Persistent disks"]), "7.04");
            assert.equal(toJson(e).byComponent["Persistent disks"].micros, 7_040_000);
        });

        it("prices every disk of the real plans, once per replica of its workload", () => {
            for (const plan of [dev, prod, thanos]) {
                const s = plan.settings;
                // Every disk the settings ask for: Prometheus and Alertmanager per replica, Grafana once,
                // Loki per replica (filesystem or WAL), Tempo's single monolith, and in a Thanos stack
                // with SLOs the Thanos Ruler's disk.
                const expected =
                    s.prometheus.storageGi * s.prometheus.replicas +
                    s.alertmanager.storageGi * s.alertmanager.replicas +
                    s.grafana.storageGi +
                    s.loki.storageGi * s.loki.replicas +
                    s.tempo.storageGi +
                    longTermStoreGib(s) +
                    (s.metricsBackend === "thanos" && s.slos.length > 0 ? s.thanos.rulerStorageGi : 0);
                const e = estimateCost(plan, prices);
                const region = regionOf(s.clusters[0].location);
                same(e.byComponent["Persistent disks"], mul(exact(expected), regionPrices(prices, region).disk(s.storage.diskType).usd));
            }
        });
    });

    describe("compute", () => {
        it("turns summed requests into node-equivalents of the configured machine type", async () => {
            // Prometheus asks for 6 vCPU and 8Gi: with the rest of dev, CPU decides on an e2-standard-4 (4 vCPU, 16 GiB).
            const plan = await planVariant("dev", {
                set: { cost: { compute: "e2-standard-4" }, resources: { prometheus: { requests: { cpu: "6", memory: "8Gi" }, limits: { memory: "8Gi" } } } },
            });
            const { cpuMilli, memoryMi } = minimalTierTotals(plan.settings.resources, 3);
            const cpu = div(exact(cpuMilli), exact(1000));
            const nodes = div(cpu, exact(4));
            assert.ok(cpuMilli / 1000 / 4 > memoryMi / 1024 / 16, "CPU is the scarcer");
            const e = estimateCost(plan, prices);
            const compute = e.lines.filter((l) => l.component === "Compute");
            assert.equal(compute.length, 1);
            same(compute[0].monthly, mul(nodes, exact(730), exact("0.13402")));
            assert.match(compute[0].item, new RegExp(`${cpuMilli / 1000} vCPU, [0-9.]+ GiB requested`));
        });

        it("rounds the plan's printed requests half-up, like the estimate, where binary floats would round down", () => {
            // 10.725 and 1.005 have no exact binary form: toFixed(2) prints 10.72 and 1.00.
            assert.equal(formatCpu(10725), "10.73 CPU");
            assert.equal(formatCpu(1005), "1.01 CPU");
            assert.equal(formatCpu(1004), "1.00 CPU");
            // 1.125 GiB = 1152 MiB; 2.005 GiB = 2053.12 MiB (decimal units give fractional MiB).
            assert.equal(formatMemory(1152), "1.13 GiB");
            assert.equal(formatMemory(2053.12), "2.01 GiB");
            assert.equal(formatMemory(2053), "2.00 GiB");
        });

        it("prices the requests npm run plan prints, DaemonSets counted on the same number of nodes", async () => {
            const prod = await planVariant("prod");
            for (const nodes of [3, 12]) {
                // "  prod-gke: 10.61 CPU, 29.14 GiB" in the plan's summary.
                const printed = /^  prod-gke: ([0-9.]+) CPU, ([0-9.]+) GiB/m.exec(summarize(prod, nodes));
                assert.ok(printed, summarize(prod, nodes));
                const [compute] = estimateCost(prod, prices, nodes).lines.filter((l) => l.component === "Compute");
                const priced = /\(([0-9.,]+) vCPU, ([0-9.,]+) GiB requested\)/.exec(compute.item);
                assert.ok(priced, compute.item);
                assert.deepEqual([Number(priced[1]), Number(priced[2])], [Number(printed[1]), Number(printed[2])], `${nodes} nodes`);
            }
            // More nodes, more DaemonSet pods: the figure moves with the node count.
            const at = (n: number) => Number(/^  prod-gke: ([0-9.]+) CPU/m.exec(summarize(prod, n))![1]);
            assert.ok(at(12) > at(3));
        });

        it("prices Autopilot per vCPU-hour and GiB-hour, and refuses it where the price file has no Autopilot price", async () => {
            const us = await planVariant("dev", { set: { cost: { compute: "autopilot" } } });
            const { cpuMilli, memoryMi } = minimalTierTotals(us.settings.resources, 3);
            same(
                estimateCost(us, prices).byComponent.Compute,
                add(mul(div(exact(cpuMilli), exact(1000)), exact(730), exact("0.0445")), mul(div(exact(memoryMi), exact(1024)), exact(730), exact("0.0049225"))),
            );
            const seoul = await planVariant("prod", { set: { cost: { compute: "autopilot" } } });
            assert.throws(() => estimateCost(seoul, prices), /no Autopilot prices for asia-northeast3/);
        });

        it("names the machine types it knows when the configured one has no price", async () => {
            const plan = await planVariant("dev", { set: { cost: { compute: "c3-highcpu-4" } } });
            assert.throws(() => estimateCost(plan, prices), /no price for machine type "c3-highcpu-4" in us-central1; the price file has e2-standard-2, e2-standard-4/);
        });
    });

    describe("Cloud Storage", () => {
        it("prices each data bucket at its usage times retention, plus Class A and B operations", () => {
            const s = prod.settings;
            const e = estimateCost(prod, prices);
            const storage = regionPrices(prices, s.region).storage;
            const line = (key: string) => e.lines.find((l) => l.item.startsWith(`${key} `))!;
            same(line("loki-chunks").monthly, mul(exact(s.cost.logsGbPerDay), exact(s.retention.logsDays), storage.standardGbMonth.usd));
            same(line("tempo-traces").monthly, mul(exact(s.cost.tracesGbPerDay), exact(s.retention.tracesDays), storage.standardGbMonth.usd));
            // Active series / scrape interval samples per second, 2 bytes each, for the whole retention.
            assert.match(s.prometheus.scrapeInterval, /^\d+s$/);
            const interval = BigInt(parseInt(s.prometheus.scrapeInterval, 10));
            const metricsGb = div(exact(BigInt(s.cost.activeSeries) * 2n * 86400n * BigInt(s.retention.metricsDays)), exact(interval * 2n ** 30n));
            same(line("mimir-blocks").monthly, mul(metricsGb, storage.standardGbMonth.usd));
            assert.ok(e.lines.some((l) => l.item.startsWith("Class A") && toMicros(l.monthly) > 0n));
            const buckets = prod.resources.filter((r) => r.type === T.bucket).length;
            assert.ok(buckets > 0);
        });

        it("has nothing to price in the minimal tier, which keeps everything on disks", () => {
            assert.equal(estimateCost(dev, prices).lines.filter((l) => l.component === "Cloud Storage").length, 0);
        });
    });

    describe("prices", () => {
        it("holds every disk type, storage, machines for us-central1 and asia-northeast3, each price with a listed source and date", () => {
            assert.match(prices.version, /^\d{4}-\d{2}-\d{2}$/);
            for (const region of ["us-central1", "asia-northeast3"]) {
                const r = regionPrices(prices, region);
                for (const disk of ["pd-standard", "pd-balanced", "pd-ssd"]) {
                    const p = r.disk(disk);
                    assert.ok(p.source.length > 10 && /^\d{4}-\d{2}-\d{2}$/.test(p.date), `${region} ${disk}`);
                }
            }
        });

        it("fails clearly for an unknown region or disk type", () => {
            assert.throws(() => regionPrices(prices, "europe-west1"), /no prices for region "europe-west1".*it has us-central1, asia-northeast3/);
            assert.throws(() => regionPrices(prices, "us-central1").disk("pd-extreme"), /no price for disk type "pd-extreme" in us-central1; the price file has pd-standard, pd-balanced, pd-ssd/);
        });

        it("rejects a price file with a price lacking its source, or naming a source it does not list", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prices-"));
            try {
                const doc = parse(fs.readFileSync(PRICES_FILE, "utf8"));
                delete doc.regions["us-central1"].disk["pd-ssd"].source;
                fs.writeFileSync(path.join(dir, "a.yaml"), stringify(doc));
                assert.throws(() => loadPrices(path.join(dir, "a.yaml")), /regions\.us-central1\.disk\.pd-ssd\.source/);
                doc.regions["us-central1"].disk["pd-ssd"].source = "a blog";
                fs.writeFileSync(path.join(dir, "b.yaml"), stringify(doc));
                assert.throws(() => loadPrices(path.join(dir, "b.yaml")), /regions\.us-central1\.disk\.pd-ssd: a blog/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("output", () => {
        it("marks managed alternatives as estimates in every format", () => {
            const e = estimateCost(prod, prices);
            assert.ok(e.managed.some((m) => m.service === "Managed Service for Prometheus"));
            assert.ok(e.managed.some((m) => m.service === "Grafana Cloud Pro"));
            assert.match(renderTable(e), /Managed alternatives for the same usage \(estimate/);
            assert.match(renderMarkdown(e), /_estimate: unconfirmed list prices/);
            assert.equal(toJson(e).managed.estimate, true);
        });

        it("prints a total that is the sum of the components, in the table, Markdown and JSON", () => {
            const e = estimateCost(prod, prices);
            same(e.total, add(e.byComponent["Persistent disks"], e.byComponent.Compute, e.byComponent["Cloud Storage"]));
            const total = formatUsd(e.total);
            assert.match(renderTable(e), new RegExp(`^Total\\s+${total.replace(/[.,]/g, "\\$&")}$`, "m"));
            assert.match(renderMarkdown(e), new RegExp(`\\*\\*Total: \\$${total.replace(/[.,]/g, "\\$&")} per month\\.\\*\\*`));
            assert.equal(toJson(e).total.usd, total.replace(/,/g, ""));
        });

        it("compares stacks side by side, one column per stack", () => {
            const [a, b] = [estimateCost(dev, prices), estimateCost(prod, prices)];
            const md = renderCompare([a, b], "markdown");
            assert.match(md, /\| {2}\| dev \(minimal, us-central1\) \| prod \(long-term, asia-northeast3\) \|/);
            assert.match(md, new RegExp(`\\| \\*\\*Total\\*\\* \\| \\*\\*${formatUsd(a.total)}\\*\\* \\| \\*\\*${formatUsd(b.total).replace(/[.,]/g, "\\$&")}\\*\\* \\|`));
            assert.ok(b.total.num * a.total.den > a.total.num * b.total.den, "the long-term tier costs more than the minimal one");
        });
    });

    describe("command", function () {
        this.timeout(60_000);
        /** The command as a user starts it, in a process of its own (once; the other cases run it in-process). */
        const costProcess = (...args: string[]) =>
            spawnSync(process.execPath, ["-r", "ts-node/register", "tools/cost.ts", ...args], {
                cwd: ROOT,
                encoding: "utf8",
                env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
            });
        const cost = (...args: string[]) => runCommand(costCommand, args);

        it("prints JSON for machines and a comparison of stacks", async () => {
            const json = costProcess("--stack", "dev", "--format", "json");
            assert.equal(json.status, 0, json.stderr);
            const parsed = JSON.parse(json.stdout);
            assert.equal(parsed.stack, "dev");
            assert.match(parsed.total.usd, /^\d+\.\d{2}$/);
            const compare = await cost("--compare", "dev,prod");
            assert.equal(compare.status, 0, compare.stderr);
            assert.match(compare.stdout, /dev \(minimal, us-central1\)\s+prod \(long-term, asia-northeast3\)/);
        });

        it("refuses an unknown format", async () => {
            const r = await cost("--stack", "dev", "--format", "csv");
            assert.equal(r.status, 1);
            assert.match(r.stderr, /--format must be table, markdown or json, got "csv"/);
        });
    });
});
