// The data-loss guard: a deployment that would delete stored data is refused before any resource is
// declared, naming every loss, unless the stack sets allowDataLoss. Each case plans the real program
// under mocks after an earlier plan of the same stack, whose outputs stand for the last deployment.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DataLossError } from "../components/data-loss/guard";
import { planStack, previousPlanOutputs, writePlan, type Plan } from "../tools/offline/plan";
import { stackConfig, type PlanVariant } from "./support/program";
import { planCommand } from "../tools/plan";
import { runCommand } from "./support/command";

const REFUSAL_END =
    'Nothing was deployed. If the loss is intended, run once with `pulumi config set allowDataLoss true`, then `pulumi config rm allowDataLoss` (README, "The data-loss guard").';

/** Plans `stack` with `variant` after a deployment whose outputs were `previous`; collects the warnings. */
async function deploy(stack: string, previous: Plan | undefined, variant: PlanVariant = {}, registered: string[] = []): Promise<{ plan: Plan; warnings: string[] }> {
    const warnings: string[] = [];
    const warn = console.warn;
    // Offline, pulumi.log.warn prints "warning: [runtime] <message>" through console.warn.
    console.warn = (...args: unknown[]) => {
        const text = args.map(String).join(" ");
        if (text.includes("allowDataLoss")) warnings.push(text.replace(/^warning: \[runtime\] /, ""));
        else warn(...args);
    };
    try {
        const plan = await planStack(stack, {
            config: stackConfig(stack, variant),
            secretKeys: [],
            previousOutputs: previous?.outputs,
            onRegistered: (r) => registered.push(r.type),
        });
        return { plan, warnings };
    } finally {
        console.warn = warn;
    }
}

async function refusal(stack: string, previous: Plan, variant: PlanVariant): Promise<string> {
    const registered: string[] = [];
    try {
        await deploy(stack, previous, variant, registered);
    } catch (err) {
        assert.ok(err instanceof DataLossError, `expected the guard's refusal, got ${(err as Error).stack ?? err}`);
        // Refused before the program declared anything: only the stack itself exists.
        assert.deepEqual(registered, ["pulumi:pulumi:Stack"]);
        return err.message;
    }
    assert.fail("the change was accepted");
}

const refusedWith = (stack: string, losses: string[]) =>
    `Stack "${stack}": this change deletes stored data (${losses.length} loss${losses.length === 1 ? "" : "es"}):\n` +
    losses.map((l) => `  - ${l}`).join("\n") +
    `\n${REFUSAL_END}`;

const PROTECTED = "; it is protected, so pulumi up also stops at it until it is unprotected";
const MIMIR_LOSSES = [
    `deletes bucket mimir-blocks (obs-prod-mimir-blocks-…) with 395 days of metrics${PROTECTED}`,
    `deletes bucket mimir-ruler (obs-prod-mimir-ruler-…) with Mimir's rule groups and 90 days of their superseded versions${PROTECTED}`,
    `deletes bucket mimir-alertmanager (obs-prod-mimir-alertmanager-…) with Mimir's Alertmanager state and 90 days of their superseded versions${PROTECTED}`,
];
const MIMIR_RELEASE = "uninstalls release mimir (mimir-distributed) on prod-gke: its volumes (ingester 20 GiB, store-gateway 10 GiB, compactor 50 GiB, alertmanager 1 GiB) are given up";
// prod's SLOs move along to the minimal tier, whose Prometheus must then keep their 30-day period plus a day.
const PROD_TO_MINIMAL: PlanVariant = { set: { tier: "minimal", metricsBackend: undefined, grafana: undefined, prometheus: { retentionDays: 31 } } };

describe("data-loss guard: what a deployment may delete", function () {
    this.timeout(120000);
    let prod: Plan;
    before(async () => {
        prod = (await deploy("prod", undefined)).plan;
    });

    it("exports the inventory the next deployment compares with, as plain data", () => {
        const inventory = prod.outputs.dataInventory as Record<string, any>;
        assert.deepEqual(
            inventory.buckets.map((b: any) => b.key),
            ["mimir-blocks", "mimir-ruler", "mimir-alertmanager", "loki-chunks", "loki-ruler", "tempo-traces"],
        );
        assert.deepEqual(
            inventory.retentions.map((r: any) => `${r.id} ${r.days}`),
            ["bucket:mimir-blocks:metrics 395", "bucket:mimir-ruler:versions 90", "bucket:mimir-alertmanager:versions 90", "bucket:loki-chunks:logs 30", "bucket:loki-ruler:versions 90", "bucket:tempo-traces:traces 7"],
        );
        assert.doesNotMatch(JSON.stringify(inventory), /\[secret\]/);
    });

    it("lists exactly the releases with volumes that the plan installs, where it installs them", async () => {
        const withDisks = ["kube-prometheus-stack", "mimir-distributed", "thanos", "loki", "tempo"];
        const spokes = { clusters: [{ name: "prod-gke", location: "asia-northeast3", role: "hub" }, { name: "prod-edge", location: "asia-northeast3-a", role: "spoke" }], fleet: { hub: { host: "fleet.prod.acme-corp.example" } } };
        for (const plan of [prod, (await deploy("dev", undefined)).plan, (await deploy("prod", undefined, { set: spokes })).plan, (await deploy("prod", undefined, { set: { metricsBackend: "thanos", mimir: undefined } })).plan]) {
            const listed = (plan.outputs.dataInventory as any).clusters.flatMap((c: any) => c.releases.map((r: any) => `${c.name}-${r.name} ${r.namespace} ${r.chart}`));
            const installed = plan.releases.filter((r) => withDisks.includes(r.chart)).map((r) => `${r.resource} ${r.namespace} ${r.chart}`);
            assert.deepEqual([...listed].sort(), [...installed].sort(), plan.stack);
        }
    });

    it("refuses moving prod from long-term to minimal, naming its six buckets and the Mimir release", async () => {
        const message = await refusal("prod", prod, PROD_TO_MINIMAL);
        assert.equal(
            message,
            refusedWith("prod", [
                ...MIMIR_LOSSES,
                `deletes bucket loki-chunks (obs-prod-loki-chunks-…) with 30 days of logs${PROTECTED}`,
                `deletes bucket loki-ruler (obs-prod-loki-ruler-…) with Loki's rule groups and 90 days of their superseded versions${PROTECTED}`,
                `deletes bucket tempo-traces (obs-prod-tempo-traces-…) with 7 days of traces${PROTECTED}`,
                MIMIR_RELEASE,
            ]),
        );
    });

    it("refuses switching the metrics backend from Mimir to Thanos: Mimir's buckets and release go", async () => {
        const message = await refusal("prod", prod, { set: { metricsBackend: "thanos", mimir: undefined } });
        assert.equal(message, refusedWith("prod", [...MIMIR_LOSSES, MIMIR_RELEASE]));
    });

    it("refuses removing a cluster, naming its namespaces, releases and StorageClass", async () => {
        const clusters = [
            { name: "prod-gke", location: "asia-northeast3", role: "hub" },
            { name: "prod-edge", location: "asia-northeast3-a", role: "spoke" },
        ];
        const fleet = { hub: { host: "fleet.prod.acme-corp.example" } };
        const withSpoke = (await deploy("prod", prod, { set: { clusters, fleet } })).plan;
        const message = await refusal("prod", withSpoke, { set: { fleet } });
        assert.equal(
            message,
            refusedWith("prod", [
                // A spoke runs no Alertmanager: its Prometheus is the one disk it has.
                "removes cluster prod-edge from the stack: uninstalls releases kube-prometheus-stack (prometheus 50 GiB) and deletes " +
                    "StorageClass observability-pd-balanced (its namespaces argocd, logging, monitoring, tracing stay, with what others put in them)",
            ]),
        );
    });

    it("refuses a shorter log retention, with the days of logs it deletes", async () => {
        const message = await refusal("prod", prod, { set: { retention: { logsDays: 14 } } });
        assert.equal(message, refusedWith("prod", ["logs: 30 -> 14 days deletes the 16 oldest days of logs in bucket loki-chunks (retention.logsDays)"]));
    });

    it("refuses shorter Thanos resolutions, with the days of each it deletes", async () => {
        // Raw data must cover the SLO period (30 days) already, so the longer windows are shortened.
        const thanos: PlanVariant = { set: { metricsBackend: "thanos", mimir: undefined } };
        const before = (await deploy("prod", undefined, thanos)).plan;
        const message = await refusal("prod", before, { set: { ...thanos.set, thanos: { fiveMinuteRetentionDays: 89 }, retention: { metricsDays: 365 } } });
        assert.equal(
            message,
            refusedWith("prod", [
                "5-minute metrics: 90 -> 89 days deletes the oldest day of 5-minute metrics in bucket thanos-blocks (thanos.fiveMinuteRetentionDays)",
                "1-hour metrics: 395 -> 365 days deletes the 30 oldest days of 1-hour metrics in bucket thanos-blocks (retention.metricsDays)",
            ]),
        );
    });

    it("refuses a new region, which replaces every bucket, and a new disk type, which replaces the StorageClass", async () => {
        const message = await refusal("prod", prod, { raw: { "gcp:region": "us-central1" }, set: { storage: { diskType: "pd-ssd" } } });
        const moved = "(location ASIA-NORTHEAST3 -> US-CENTRAL1): the old one is deleted with";
        assert.equal(
            message,
            refusedWith("prod", [
                `replaces bucket mimir-blocks ${moved} 395 days of metrics${PROTECTED}`,
                `replaces bucket mimir-ruler ${moved} Mimir's rule groups and 90 days of their superseded versions${PROTECTED}`,
                `replaces bucket mimir-alertmanager ${moved} Mimir's Alertmanager state and 90 days of their superseded versions${PROTECTED}`,
                `replaces bucket loki-chunks ${moved} 30 days of logs${PROTECTED}`,
                `replaces bucket loki-ruler ${moved} Loki's rule groups and 90 days of their superseded versions${PROTECTED}`,
                `replaces bucket tempo-traces ${moved} 7 days of traces${PROTECTED}`,
                "deletes StorageClass observability-pd-balanced on prod-gke, which the platform's volumes were provisioned from (the new one is observability-pd-ssd)",
            ]),
        );
    });

    it("refuses a renamed namespace and a shorter local retention on a minimal stack's disks", async () => {
        const dev = (await deploy("dev", undefined)).plan;
        const message = await refusal("dev", dev, { set: { namespaces: { logging: "logs" }, prometheus: { retentionDays: 10 } } });
        assert.equal(
            message,
            refusedWith("dev", [
                "removes namespace logging on dev-gke from the stack: uninstalls releases loki (loki 100 GiB), and with it 30 days of logs on Loki's disk on dev-gke (the namespace stays)",
                "metrics: 15 -> 10 days deletes the 5 oldest days of metrics on Prometheus' disks on dev-gke (prometheus.retentionDays)",
            ]),
        );
    });

    it("refuses moving a minimal stack to long-term: the history on its disks is not carried into the new buckets", async () => {
        const dev = (await deploy("dev", undefined)).plan;
        const message = await refusal("dev", dev, { set: { tier: "long-term", metricsBackend: "mimir" } });
        const given = (what: string, where: string, days: number, key: string) =>
            `${what}: the ${days} days kept on ${where} on dev-gke are given up: the new configuration keeps no ${what} there and does not move them (${key})`;
        assert.equal(
            message,
            refusedWith("dev", [
                given("metrics", "Prometheus' disks", 15, "prometheus.retentionDays"),
                given("logs", "Loki's disk", 30, "retention.logsDays"),
                given("traces", "Tempo's disk", 7, "retention.tracesDays"),
            ]),
        );
    });

    it("deploys what allowDataLoss allows, warning with every loss", async () => {
        const { plan, warnings } = await deploy("prod", prod, { set: { ...PROD_TO_MINIMAL.set, allowDataLoss: true } });
        assert.equal(plan.settings.tier, "minimal");
        assert.equal(warnings.length, 1);
        assert.ok(warnings[0].startsWith('Stack "prod" deletes stored data, as observability-platform:allowDataLoss allows (7 losses):\n'), warnings[0]);
        assert.ok(warnings[0].includes(`\n  - ${MIMIR_RELEASE}\n`), warnings[0]);
        assert.ok(warnings[0].endsWith("\nRemove observability-platform:allowDataLoss after this run."), warnings[0]);
    });

    it("deploys an unchanged stack and a longer retention silently, and a first deployment too", async () => {
        for (const [previous, variant] of [
            [prod, {}],
            [prod, { set: { retention: { logsDays: 60 } } }],
            [undefined, PROD_TO_MINIMAL],
        ] as const) {
            const { warnings } = await deploy("prod", previous, variant);
            assert.deepEqual(warnings, []);
        }
    });

    it("warns that allowDataLoss should go again when nothing is lost", async () => {
        const { warnings } = await deploy("prod", prod, { set: { allowDataLoss: true } });
        assert.deepEqual(warnings, [
            "observability-platform:allowDataLoss is true but this deployment deletes no stored data: remove it (pulumi config rm allowDataLoss) so that the next change that does is refused",
        ]);
    });

    it("refuses when the last inventory is not one it can read, rather than guess", async () => {
        const old = { ...prod, outputs: { ...prod.outputs, dataInventory: { format: 0 } } };
        const message = await refusal("prod", old, {});
        assert.equal(
            message,
            refusedWith("prod", ["the last deployment's inventory of stored data (output dataInventory) cannot be read: its format is 0, this program reads format 1; what this change deletes is unknown"]),
        );
    });

    it("offline, follows the earlier plan written to the same folder", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-loss-guard-"));
        try {
            assert.equal(previousPlanOutputs(dir), undefined);
            writePlan(prod, dir);
            const previous = previousPlanOutputs(dir);
            assert.deepEqual(previous?.dataInventory, prod.outputs.dataInventory);
            await assert.rejects(
                planStack("prod", { config: stackConfig("prod", { set: { retention: { tracesDays: 3 } } }), secretKeys: [], previousOutputs: previous }),
                (err: Error) => err instanceof DataLossError && err.message.includes("traces: 7 -> 3 days deletes the 4 oldest days of traces in bucket tempo-traces (retention.tracesDays)"),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("npm run plan refuses with exit 1 and keeps the earlier plan; with allowDataLoss it writes the new one", async () => {
        const root = path.resolve(__dirname, "..");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-loss-plan-"));
        const plan = (...args: string[]) => runCommand(planCommand, ["--stack", "dev", "--out", path.join(dir, "plan"), ...args]);
        const logsDays = () => JSON.parse(fs.readFileSync(path.join(dir, "plan", "settings.json"), "utf8")).retention.logsDays;
        const stackFile = (extra: string) => {
            const file = path.join(dir, `Pulumi.dev-${extra.length}.yaml`);
            fs.writeFileSync(file, `${fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8")}  observability-platform:retention:\n    logsDays: 7\n${extra}`);
            return file;
        };
        try {
            assert.equal((await plan()).status, 0);
            const refused = await plan("--stack-file", stackFile(""));
            assert.equal(refused.status, 1, refused.stdout);
            assert.ok(
                refused.stderr.includes("  - logs: 30 -> 7 days deletes the 23 oldest days of logs on Loki's disk on dev-gke (retention.logsDays)\n"),
                refused.stderr,
            );
            assert.ok(refused.stderr.includes(`(Compared with the earlier plan in ${path.relative(root, path.join(dir, "plan"))}.)`), refused.stderr);
            assert.equal(logsDays(), 30);
            const allowed = await plan("--stack-file", stackFile("  observability-platform:allowDataLoss: true\n"));
            assert.equal(allowed.status, 0, allowed.stderr);
            assert.equal(logsDays(), 7);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
