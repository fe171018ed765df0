// The SLO period and the error budget left, evaluated by a real Prometheus (Debian's 2.42) running
// the prod plan's own rules file over 35 days of a service's counters, backfilled into its TSDB with
// promtool: with the retention of the evaluator the plan gives those rules (Mimir's ruler, over the
// long-term store) they match what the synthetic traffic gives by hand; with the 2 days of local
// retention of the Prometheus that used to evaluate them, the same check fails.
//
// Recording rules evaluate only going forward, and the period ratio reads the recorded 5m rates, so
// those are backfilled too, as the plan's 5m rules record them ((C(t) - C(t - 5m)) / 300 of the
// counters below), and checked against the plan's own 5m expressions evaluated over the backfilled
// counters. `promtool tsdb create-blocks-from rules` would evaluate them itself, but writes one 2-hour
// block per rule (840 blocks, over 40 s for 35 days here); the rates are recorded every 5 minutes
// instead of the ruler's 30 s, which changes how many samples the period sums, not their ratio.
import { spawn } from "node:child_process";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { writePlan, type Plan } from "../tools/offline/plan";
import { startPrometheus, type LivePrometheus } from "./support/live-prometheus";
import { planVariant } from "./support/program";
import { promtoolPath } from "./support/prometheus-tools";
import { runGate } from "./support/slo-gate";

const MINUTE = 60;
const DAY = 86_400;
const RATE_STEP = 5 * MINUTE;

/** The synthetic traffic, oldest first: requests and failed requests per minute. */
const PHASES = [
    // Before the 30-day period: 30% failures, which any window longer than the period would count.
    { days: 5, perMinute: 600, failedPerMinute: 180 },
    // Failures at 0.2%, twice the 0.1% budget of a 99.9% SLO.
    { days: 26, perMinute: 1000, failedPerMinute: 2 },
    // The last 4 days (more than 2 days plus a day-long block): no failures, twice the traffic.
    { days: 4, perMinute: 2000, failedPerMinute: 0 },
] as const;
const TOTAL_MINUTES = PHASES.reduce((n, p) => n + p.days * 1440, 0);
const BUDGET = 0.001; // 100% - 99.9%

/** The phase of minute `j` (0 = the first minute of the data). */
function phaseOf(j: number) {
    let end = 0;
    for (const p of PHASES) {
        end += p.days * 1440;
        if (j < end) return p;
    }
    throw new Error(`minute ${j} is past the data`);
}

/** Failed and all requests in minutes [from, to) of the data, counted phase by phase. */
function requestsIn(from: number, to: number): { failed: number; all: number } {
    let failed = 0;
    let all = 0;
    let start = 0;
    for (const p of PHASES) {
        const end = start + p.days * 1440;
        const minutes = Math.max(0, Math.min(to, end) - Math.max(from, start));
        failed += minutes * p.failedPerMinute;
        all += minutes * p.perMinute;
        start = end;
    }
    return { failed, all };
}

interface Sample {
    metric: Record<string, string>;
    value: [number, string];
}

async function query(url: string, expr: string, at?: number): Promise<Sample[]> {
    const params = new URLSearchParams({ query: expr, ...(at !== undefined ? { time: String(at) } : {}) });
    const r = await fetch(`${url}/api/v1/query?${params}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await r.json()) as { status: string; error?: string; data: { result: Sample[] } };
    assert.equal(body.status, "success", `${expr}: ${body.error}`);
    return body.data.result;
}

const one = async (url: string, expr: string, at?: number): Promise<number> => {
    const result = await query(url, expr, at);
    assert.equal(result.length, 1, `${expr}: ${JSON.stringify(result)}`);
    return Number(result[0].value[1]);
};

/** Runs `jobs` with at most `limit` at a time. */
async function inParallel<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
    const results: T[] = [];
    let next = 0;
    await Promise.all(
        Array.from({ length: limit }, async () => {
            while (next < jobs.length) {
                const i = next++;
                results[i] = await jobs[i]();
            }
        }),
    );
    return results;
}

function run(binary: string, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
        let err = "";
        child.stderr.on("data", (d) => (err += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.on("error", reject);
        child.on("exit", (code) => {
            clearTimeout(timer);
            if (code === 0) resolve();
            else reject(new Error(`${path.basename(binary)} ${args.join(" ")} exited ${code}: ${err}`));
        });
    });
}

interface Evaluation {
    /** When the rules recorded what is read below (seconds). */
    at: number;
    ratio: number;
    burnRate: number;
    remaining: number;
    url: string;
}

describe("SLO period and error budget, evaluated by a live Prometheus over 35 days of backfilled counters", function () {
    this.timeout(120_000);
    let tmp: string;
    let plan: Plan;
    let rulesFile: string;
    let dataEnd: number;
    const servers: LivePrometheus[] = [];
    const evaluations: Record<"evaluator" | "oldPlacement", Evaluation> = {} as never;
    const retentions = { evaluator: "", oldPlacement: "" };
    let selector: Record<string, string>;
    let metric: string;
    let rateLabels: Record<string, Record<string, string>>;
    let rateExprs: Record<string, string>;

    /** Starts Prometheus on a copy of the backfilled blocks, with the plan's rules file and `retention`. */
    async function evaluate(blocks: string, retention: string): Promise<Evaluation> {
        // Rules every second, so the test need not wait for the ruler's 30 s: the interval decides
        // when the period is computed, not over what.
        const prometheus = await startPrometheus({ blocks, retention, evaluationInterval: "1s", ruleFiles: [fs.readFileSync(rulesFile, "utf8")] });
        servers.push(prometheus);
        const { url } = prometheus;
        const sel = `{service="reviewmaps-server",slo="availability"}`;
        const deadline = Date.now() + 30_000;
        while ((await query(url, `slo:period_error_budget_remaining:ratio${sel}`)).length === 0) {
            assert.ok(Date.now() < deadline, "no budget recorded within 30 s");
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
        // The three series of one evaluation share its timestamp: read them all at it.
        const at = await one(url, `timestamp(slo:sli_error:ratio_rate30d${sel})`);
        return {
            at,
            ratio: await one(url, `slo:sli_error:ratio_rate30d${sel}`, at),
            burnRate: await one(url, `slo:period_burn_rate:ratio${sel}`, at),
            remaining: await one(url, `slo:period_error_budget_remaining:ratio${sel}`, at),
            url,
        };
    }

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "slo-live-"));
        plan = await planVariant("prod");
        writePlan(plan, path.join(tmp, "plan"));
        rulesFile = path.join(tmp, "plan", "rules", "prod-gke-slo-reviewmaps-server.yaml");
        const service = plan.settings.slos.find((s) => s.service === "reviewmaps-server")!;
        const objective = service.objectives.find((o) => o.name === "availability")!;
        assert.equal(objective.target, 99.9);
        assert.deepEqual(objective.errorSelector, { code: "5.." });
        metric = objective.metric;
        selector = { ...objective.selector };

        // Where the plan evaluates these rules, and the retention of that evaluator and of the old one.
        const values = (release: string) => parse(fs.readFileSync(path.join(tmp, "plan", "values", `prod-gke-${release}.yaml`), "utf8"));
        retentions.evaluator = values("mimir").mimir.structuredConfig.limits.compactor_blocks_retention_period;
        retentions.oldPlacement = values("kube-prometheus-stack").prometheus.prometheusSpec.retention;

        // The plan's own 5m rules of this SLO: their labels for the backfill, their expressions for the check.
        const planned = parse(fs.readFileSync(rulesFile, "utf8")) as { groups: { name: string; rules: { record?: string; expr: string; labels?: Record<string, string> }[] }[] };
        const group = planned.groups.find((g) => g.name === "slo-reviewmaps-server-availability")!;
        rateLabels = {};
        rateExprs = {};
        for (const record of ["slo:sli_events:rate5m", "slo:sli_bad_events:rate5m"]) {
            const rule = group.rules.find((r) => r.record === record)!;
            rateLabels[record] = rule.labels!;
            rateExprs[record] = rule.expr;
        }

        // 35 days of counters, one sample a minute, ending 10 minutes ago: by the time the rules run,
        // the live 5m rules find no fresh samples and add nothing to the period.
        dataEnd = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 10 * MINUTE;
        const start = dataEnd - TOTAL_MINUTES * MINUTE;
        const label = (labels: Record<string, string>) =>
            `{${Object.entries(labels)
                .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
                .join(",")}}`;
        const ok = `${metric}${label({ ...selector, code: "200" })}`;
        const failed = `${metric}${label({ ...selector, code: "503" })}`;
        // One OpenMetrics file per UTC day, so each becomes one day-long block in one pass of promtool.
        const days = new Map<number, string[]>();
        const line = (series: string, t: number, v: number) => {
            const d = Math.floor(t / DAY);
            if (!days.has(d)) days.set(d, []);
            days.get(d)!.push(`${series} ${v} ${t}`);
        };
        const okCount: number[] = [0];
        const failedCount: number[] = [0];
        for (let j = 0; j < TOTAL_MINUTES; j++) {
            const p = phaseOf(j);
            okCount.push(okCount[j] + p.perMinute - p.failedPerMinute);
            failedCount.push(failedCount[j] + p.failedPerMinute);
        }
        for (let j = 0; j <= TOTAL_MINUTES; j++) {
            line(ok, start + j * MINUTE, okCount[j]);
            line(failed, start + j * MINUTE, failedCount[j]);
        }
        const stepMinutes = RATE_STEP / MINUTE;
        for (let j = stepMinutes; j <= TOTAL_MINUTES; j += stepMinutes) {
            const all = okCount[j] + failedCount[j] - okCount[j - stepMinutes] - failedCount[j - stepMinutes];
            const bad = failedCount[j] - failedCount[j - stepMinutes];
            line(`slo:sli_events:rate5m${label(rateLabels["slo:sli_events:rate5m"])}`, start + j * MINUTE, all / RATE_STEP);
            line(`slo:sli_bad_events:rate5m${label(rateLabels["slo:sli_bad_events:rate5m"])}`, start + j * MINUTE, bad / RATE_STEP);
        }
        const input = path.join(tmp, "openmetrics");
        const blocks = path.join(tmp, "blocks");
        fs.mkdirSync(input);
        fs.mkdirSync(blocks);
        const files = [...days.entries()].map(([d, lines]) => {
            const file = path.join(input, `${d}.om`);
            // promtool wants each series' samples in time order; the lines were written series by series.
            const bySeries = new Map<string, string[]>();
            for (const l of lines) {
                const series = l.slice(0, l.lastIndexOf(" ", l.lastIndexOf(" ") - 1));
                if (!bySeries.has(series)) bySeries.set(series, []);
                bySeries.get(series)!.push(l);
            }
            fs.writeFileSync(file, `${[...bySeries.values()].flat().join("\n")}\n# EOF\n`);
            return file;
        });
        await inParallel(
            files.map((f) => () => run(promtoolPath(), ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h", "--quiet", f, blocks])),
            4,
        );

        const [evaluator, oldPlacement] = await Promise.all([
            evaluate(blocks, retentions.evaluator),
            evaluate(blocks, retentions.oldPlacement),
        ]);
        evaluations.evaluator = evaluator;
        evaluations.oldPlacement = oldPlacement;
    });

    after(async () => {
        await Promise.all(servers.map((p) => p.stop()));
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** What the traffic gives by hand for an evaluation at `at`: the rates recorded in [at - 30d, at]. */
    function byHand(at: number) {
        const start = dataEnd - TOTAL_MINUTES * MINUTE;
        // The first recorded 5m rate in the window covers the 5 minutes before it.
        const firstRate = start + Math.ceil((at - 30 * DAY - start) / RATE_STEP) * RATE_STEP;
        const { failed, all } = requestsIn((firstRate - RATE_STEP - start) / MINUTE, TOTAL_MINUTES);
        const ratio = failed / all;
        return { ratio, burnRate: ratio / BUDGET, remaining: 1 - ratio / BUDGET };
    }

    /** The check: what the rules recorded is what the traffic gives. */
    function problems(e: Evaluation): string[] {
        const expected = byHand(e.at);
        const out: string[] = [];
        const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
        if (!close(e.ratio, expected.ratio)) out.push(`period error ratio ${e.ratio}, by hand ${expected.ratio}`);
        if (!close(e.burnRate, expected.burnRate)) out.push(`period burn rate ${e.burnRate}, by hand ${expected.burnRate}`);
        if (!close(e.remaining, expected.remaining)) out.push(`error budget remaining ${e.remaining}, by hand ${expected.remaining}`);
        return out;
    }

    it("places these rules in Mimir's ruler, which keeps 395 days, where they used to run on a Prometheus keeping 2", () => {
        const header = fs.readFileSync(rulesFile, "utf8").split("\n").slice(0, 2).join("\n");
        assert.match(header, /evaluator=mimir-ruler\.\n# Evaluated by the Mimir ruler on prod-gke .*395 days \(retention\.metricsDays\)/);
        assert.deepEqual(retentions, { evaluator: "9480h", oldPlacement: "2d" });
    });

    it("records the 5m rates the backfill holds: the plan's own 5m expressions give the same over the counters", async () => {
        const { url } = evaluations.evaluator;
        const start = dataEnd - TOTAL_MINUTES * MINUTE;
        // The middle of each phase, on a recorded 5m step.
        let offset = 0;
        for (const p of PHASES) {
            const at = start + Math.round((offset + (p.days * DAY) / 2) / RATE_STEP) * RATE_STEP;
            offset += p.days * DAY;
            for (const record of ["slo:sli_events:rate5m", "slo:sli_bad_events:rate5m"]) {
                const backfilled = await one(url, `${record}{service="reviewmaps-server",slo="availability"}`, at);
                const planned = await one(url, rateExprs[record], at);
                assert.ok(Math.abs(backfilled - planned) <= 1e-9 * Math.max(1, planned), `${record} at day ${(at - start) / DAY}: ${backfilled} vs ${planned}`);
                assert.equal(backfilled, (record.includes("bad") ? p.failedPerMinute : p.perMinute) / MINUTE);
            }
        }
    });

    const report = (name: string, e: Evaluation) => {
        const h = byHand(e.at);
        console.log(
            `      ${name}: period error ratio ${e.ratio.toPrecision(6)} (by hand ${h.ratio.toPrecision(6)}), ` +
                `budget left ${e.remaining.toPrecision(6)} (by hand ${h.remaining.toPrecision(6)})`,
        );
    };

    it("computes the period error ratio and the budget left as the traffic gives them by hand, with the evaluator's retention", () => {
        const e = evaluations.evaluator;
        report(`retention ${retentions.evaluator}`, e);
        assert.deepEqual(problems(e), []);
        // About 26 days at 0.2% and 4 clean days at twice the traffic: 0.153% failed, budget overspent by half.
        assert.ok(e.ratio > 0.00152 && e.ratio < 0.00153, String(e.ratio));
        assert.ok(e.remaining > -0.53 && e.remaining < -0.52, String(e.remaining));
        assert.ok(e.at > dataEnd, "evaluated after the backfilled data");
    });

    it("fails the same check with the old placement's 2 days of local retention: the budget looks untouched", () => {
        const e = evaluations.oldPlacement;
        report(`retention ${retentions.oldPlacement}`, e);
        const found = problems(e);
        assert.equal(found.length, 3, found.join("\n"));
        // Only the clean last days are left: no failure counted, the whole budget seemingly left.
        assert.equal(e.ratio, 0);
        assert.equal(e.remaining, 1);
        assert.ok(e.remaining - byHand(e.at).remaining > 1.5);
    });

    it("holds releases with npm run slo:gate on the evaluator's numbers, which the old placement would have let through", async () => {
        // The budget is overspent by half: the gate says so and fails the pipeline step.
        const gated = await runGate(["--prometheus", evaluations.evaluator.url, "--service", "reviewmaps-server", "--slo", "availability"]);
        assert.equal(gated.status, 1, gated.stdout + gated.stderr);
        assert.match(gated.stdout, /^reviewmaps-server availability: -52\.\d% of the period's error budget left, -22\.\d minutes of full outage: SPENT$/m);
        const old = await runGate(["--prometheus", evaluations.oldPlacement.url, "--service", "reviewmaps-server", "--slo", "availability"]);
        assert.equal(old.status, 0, old.stdout + old.stderr);
        assert.match(old.stdout, /100\.0% of the period's error budget left, 43\.2 minutes of full outage/);
    });
});
