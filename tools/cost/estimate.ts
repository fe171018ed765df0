// A monthly cost estimate of one planned stack: persistent disks, compute and Cloud Storage from the
// platform model (its volumes, pods and buckets) and the stack's usage assumptions (settings.cost),
// priced from the price file; and the same usage priced on managed alternatives, as estimates.
import type { Settings } from "../../components/config/schema";
import { DEFAULT_NODES_PER_CLUSTER, footprint } from "../offline/footprint";
import type { Plan } from "../offline/plan";
import { add, div, exact, formatQuantity, max, mul, sub, ZERO, type Exact } from "./money";
import { regionPrices, type PriceFile, type Priced } from "./prices";

export const COMPONENTS = ["Persistent disks", "Compute", "Cloud Storage"] as const;
export type Component = (typeof COMPONENTS)[number];

export interface CostLine {
    component: Component;
    item: string;
    quantity: string;
    unitPrice: string;
    monthly: Exact;
    source: string;
}

export interface ManagedLine {
    service: string;
    item: string;
    monthly: Exact;
    source: string;
}

export interface Estimate {
    stack: string;
    tier: string;
    region: string;
    pricesVersion: string;
    lines: CostLine[];
    byComponent: Record<Component, Exact>;
    total: Exact;
    /** Same usage on managed services: estimates from unconfirmed list prices. */
    managed: ManagedLine[];
    assumptions: string[];
}

const GIB = 2n ** 30n;
const usd = (p: Priced, unit: string) => `$${p.text} / ${unit}`;
const cite = (p: Priced) => `${p.source} (${p.date})`;

/** The region of a GCE location: "us-central1-a" -> "us-central1". */
export const regionOf = (location: string): string => location.replace(/^([a-z]+-[a-z]+[0-9])-[a-z]$/, "$1");

/** Seconds of a scrape interval such as "30s", "1m". */
function intervalSeconds(interval: string): bigint {
    const m = /^(\d+)(s|m|h)$/.exec(interval);
    if (!m) throw new Error(`not a scrape interval: ${interval}`);
    return BigInt(m[1]) * { s: 1n, m: 60n, h: 3600n }[m[2] as "s" | "m" | "h"];
}

export function samplesPerSecond(settings: Settings): Exact {
    return div(exact(settings.cost.activeSeries), exact(intervalSeconds(settings.prometheus.scrapeInterval)));
}

// Mimir's capacity guide: about 2 bytes per sample once compacted in object storage.
const BYTES_PER_SAMPLE = 2n;

/** `nodes`: nodes per cluster, for the DaemonSets' pods (the plan's summary assumes the same). */
export function estimateCost(plan: Plan, prices: PriceFile, nodes = DEFAULT_NODES_PER_CLUSTER): Estimate {
    const s = plan.settings;
    const hours = exact(prices.hoursPerMonth);
    const lines: CostLine[] = [];
    const assumptions: string[] = [];
    const modelOf = (cluster: string) => plan.model.clusters.find((c) => c.name === cluster)!;

    // Disks: every volume of the model, one per replica, in its cluster's region. Each claims from the
    // cluster's platform StorageClass, which provisions storage.diskType (kubernetes/storage-class.ts);
    // test/platform-model.test.ts holds the volumes to the claims Helm renders.
    const diskType = s.storage.diskType;
    for (const cluster of s.clusters) {
        const region = regionOf(cluster.location);
        const price = regionPrices(prices, region).disk(diskType);
        for (const release of modelOf(cluster.name).releases) {
            for (const v of release.volumes) {
                lines.push({
                    component: "Persistent disks",
                    item: `${cluster.name}-${release.release} ${v.name}`,
                    quantity: `${v.sizeGi} GB x ${v.replicas} ${diskType} in ${region}`,
                    unitPrice: usd(price, "GB-month"),
                    monthly: mul(exact(v.sizeGi * v.replicas), price.usd),
                    source: cite(price),
                });
            }
        }
    }

    // Compute: the summed requests per cluster as node-equivalents of a machine type, or Autopilot.
    for (const cluster of s.clusters) {
        // The plan's own reader of the model, so the plan and the estimate print the same requests.
        const f = footprint(modelOf(cluster.name), nodes);
        const cpu = div(exact(f.cpuMilli), exact(1000));
        // Decimal memory units ("500M") give fractional MiB; a millionth of a MiB is far below a cent.
        const mem = div(exact(f.memoryMi.toFixed(6)), exact(1024));
        const region = regionOf(cluster.location);
        const rp = regionPrices(prices, region);
        const requested = `${formatQuantity(cpu)} vCPU, ${formatQuantity(mem)} GiB requested`;
        if (s.cost.compute === "autopilot") {
            const ap = rp.autopilot();
            lines.push(
                { component: "Compute", item: `${cluster.name} Autopilot vCPU`, quantity: `${formatQuantity(cpu)} vCPU x ${prices.hoursPerMonth} h`, unitPrice: usd(ap.vcpuHour, "vCPU-hour"), monthly: mul(cpu, hours, ap.vcpuHour.usd), source: cite(ap.vcpuHour) },
                { component: "Compute", item: `${cluster.name} Autopilot memory`, quantity: `${formatQuantity(mem)} GiB x ${prices.hoursPerMonth} h`, unitPrice: usd(ap.gibHour, "GiB-hour"), monthly: mul(mem, hours, ap.gibHour.usd), source: cite(ap.gibHour) },
            );
        } else {
            const m = rp.machine(s.cost.compute);
            // The scarcer resource decides how much of a node the workloads occupy.
            const nodes = max(div(cpu, m.vcpu), div(mem, m.memoryGib));
            lines.push({
                component: "Compute",
                item: `${cluster.name} (${requested})`,
                quantity: `${formatQuantity(nodes)} x ${s.cost.compute} x ${prices.hoursPerMonth} h`,
                unitPrice: usd(m, "node-hour"),
                monthly: mul(nodes, hours, m.usd),
                source: cite(m),
            });
        }
    }

    // Cloud Storage: what each of the model's buckets holds once its retention is full, and the operations.
    const stores = plan.model.buckets;
    if (stores.length > 0) {
        const sp = regionPrices(prices, s.region).storage;
        const sps = samplesPerSecond(s);
        for (const store of stores.filter((x) => x.kind === "data")) {
            let gb: Exact;
            let how: string;
            if (store.signal === "metrics") {
                // Without vertical compaction every Thanos-uploading Prometheus replica keeps its own copy.
                const copies = store.component === "thanos" ? BigInt(s.prometheus.replicas) : 1n;
                gb = mul(sps, exact(BYTES_PER_SAMPLE * 86400n * BigInt(store.retentionDays) * copies), { num: 1n, den: GIB });
                how = `${formatQuantity(sps)} samples/s x ${BYTES_PER_SAMPLE} B x ${store.retentionDays} d${copies > 1n ? ` x ${copies} replicas` : ""}`;
            } else {
                const perDay = exact(store.signal === "logs" ? s.cost.logsGbPerDay : s.cost.tracesGbPerDay);
                gb = mul(perDay, exact(store.retentionDays));
                how = `${formatQuantity(perDay, 3)} GB/day x ${store.retentionDays} d`;
            }
            lines.push({
                component: "Cloud Storage",
                item: `${store.key} (${how})`,
                quantity: `${formatQuantity(gb)} GB Standard in ${s.region}`,
                unitPrice: usd(sp.standardGbMonth, "GB-month"),
                monthly: mul(gb, sp.standardGbMonth.usd),
                source: cite(sp.standardGbMonth),
            });
        }
        const ops = (label: string, count: number, p: Priced) =>
            lines.push({
                component: "Cloud Storage",
                item: `${label} operations`,
                quantity: `${formatQuantity(exact(count))} / month`,
                unitPrice: usd(p, "10,000 ops"),
                monthly: mul(exact(count), p.usd, { num: 1n, den: 10000n }),
                source: cite(p),
            });
        ops("Class A (writes, lists)", s.cost.storageClassAOpsPerMonth, sp.classAPer10k);
        ops("Class B (reads)", s.cost.storageClassBOpsPerMonth, sp.classBPer10k);
        assumptions.push("State buckets (rules, Alertmanager state) hold kilobytes to megabytes and are not priced.");
    }

    const byComponent = Object.fromEntries(
        COMPONENTS.map((c) => [c, add(...lines.filter((l) => l.component === c).map((l) => l.monthly))]),
    ) as Record<Component, Exact>;
    const total = add(...Object.values(byComponent));

    assumptions.push(
        `Usage (settings.cost): ${formatQuantity(exact(s.cost.activeSeries))} active series every ${s.prometheus.scrapeInterval} ` +
            `(${formatQuantity(samplesPerSecond(s))} samples/s), ${s.cost.logsGbPerDay} GB of logs and ${s.cost.tracesGbPerDay} GB of spans a day.`,
        `Retention: metrics ${s.retention.metricsDays} d, logs ${s.retention.logsDays} d, traces ${s.retention.tracesDays} d; a month is ${prices.hoursPerMonth} hours.`,
        `Compute is requests, not usage, as npm run plan prints them: DaemonSets counted on ${nodes} nodes per cluster; ` +
            "node overhead is not counted; node-equivalents are the share of a node the requests fill.",
        "Cluster management fees and network egress are not included (the clusters exist before the platform).",
    );
    return {
        stack: plan.stack,
        tier: s.tier,
        region: s.region,
        pricesVersion: prices.version,
        lines,
        byComponent,
        total,
        managed: managedAlternatives(s, prices),
        assumptions,
    };
}

/** The stack's usage on Managed Service for Prometheus and on Grafana Cloud Pro. */
export function managedAlternatives(s: Settings, prices: PriceFile): ManagedLine[] {
    const hours = exact(prices.hoursPerMonth);
    const gmp = prices.managed.managedPrometheus.perMillionSamples;
    const samplesPerMonth = mul(samplesPerSecond(s), hours, exact(3600));
    const gc = prices.managed.grafanaCloud;
    const gcPrice = (p: { usd: string | number; source: string; date: string }) => ({ usd: exact(p.usd), src: `${prices.sources[p.source]} (${p.date})` });
    const fee = gcPrice(gc.platformFeeMonth);
    const perSeries = gcPrice(gc.metricsPer1kSeries);
    const ingest = gcPrice(gc.ingestPerGb);
    const retention = gcPrice(gc.extraRetentionPerGbPer30Days);
    const daysPerMonth = div(hours, exact(24));
    const signal = (name: string, perDay: number, days: number): ManagedLine => {
        const gbMonth = mul(exact(perDay), daysPerMonth);
        const billable = max(ZERO, sub(gbMonth, exact(gc.freeGbPerSignal)));
        const extraPeriods = BigInt(Math.max(0, Math.ceil((days - gc.includedRetentionDays) / 30)));
        return {
            service: "Grafana Cloud Pro",
            item: `${name}: ${formatQuantity(gbMonth)} GB/month (${gc.freeGbPerSignal} GB free), kept ${days} d`,
            monthly: add(mul(billable, ingest.usd), mul(gbMonth, exact(extraPeriods), retention.usd)),
            source: ingest.src,
        };
    };
    const billableSeries = max(ZERO, sub(exact(s.cost.activeSeries), exact(gc.metricsFreeSeries)));
    return [
        {
            service: "Managed Service for Prometheus",
            item: `${formatQuantity(div(samplesPerMonth, exact(1_000_000)))} million samples/month at the first-tier price (metrics only)`,
            monthly: mul(samplesPerMonth, exact(gmp.usd), { num: 1n, den: 1_000_000n }),
            source: `${prices.sources[gmp.source]} (${gmp.date})`,
        },
        { service: "Grafana Cloud Pro", item: "platform fee", monthly: fee.usd, source: fee.src },
        {
            service: "Grafana Cloud Pro",
            item: `metrics: ${formatQuantity(exact(s.cost.activeSeries))} active series (${formatQuantity(exact(gc.metricsFreeSeries))} free)`,
            monthly: mul(billableSeries, perSeries.usd, { num: 1n, den: 1000n }),
            source: perSeries.src,
        },
        signal("logs", s.cost.logsGbPerDay, s.retention.logsDays),
        signal("traces", s.cost.tracesGbPerDay, s.retention.tracesDays),
    ];
}

export const managedTotals = (lines: readonly ManagedLine[]): Map<string, Exact> => {
    const totals = new Map<string, Exact>();
    for (const l of lines) totals.set(l.service, add(totals.get(l.service) ?? ZERO, l.monthly));
    return totals;
};
