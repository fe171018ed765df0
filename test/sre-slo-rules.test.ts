// SLO rules proven with the real promtool: the rules files the plan writes load, and the burn-rate
// alerts page on a fast burn, open a ticket on a slow one, and stay silent for a healthy service
// or no traffic at all.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import type { Settings } from "../components/config/schema";
import { absentAlertNameOf, alertNameOf, budgetExhaustedAlertNameOf, budgetLowAlertNameOf, budgetOf, trafficLowAlertNameOf, type Objective, type ServiceSlo } from "../components/sre/slo-rules";
import { format } from "../components/sre/decimal";
import { writePlan, type Plan } from "../tools/offline/plan";
import { planVariant, PROJECT, stackConfig } from "./support/program";
import { pooled } from "../tools/pool";
import { promtoolPath, promtoolTestRules, promtoolTestRulesAsync, runTool, type ToolRun } from "./support/prometheus-tools";

/** Counter values, one per minute, for phases of constant per-minute rates. */
function counter(phases: readonly { minutes: number; perMinute: number }[]): string {
    const parts: string[] = [];
    let value = 0;
    phases.forEach((phase, i) => {
        if (i === 0) {
            parts.push(`0+${phase.perMinute}x${phase.minutes}`);
            value = phase.perMinute * phase.minutes;
        } else {
            parts.push(`${value + phase.perMinute}+${phase.perMinute}x${phase.minutes - 1}`);
            value += phase.perMinute * phase.minutes;
        }
    });
    return parts.join(" ");
}

const labelText = (labels: Record<string, string>) =>
    `{${Object.entries(labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}}`;

const REQUESTS_PER_MINUTE = 1000;

/**
 * The service's raw series for phases of a constant share of bad requests: failed requests for an
 * availability SLO, requests slower than the threshold for a latency SLO.
 */
function inputSeries(objective: Objective, phases: readonly { minutes: number; badShare: number }[]) {
    const rate = (share: (p: { badShare: number }) => number) =>
        counter(phases.map((p) => ({ minutes: p.minutes, perMinute: REQUESTS_PER_MINUTE * share(p) })));
    const sel = objective.selector;
    if (objective.kind === "availability") {
        // One label value that the error selector matches, one it does not.
        const [label, regex] = Object.entries(objective.errorSelector ?? {})[0];
        const bad = regex.replace(/\.\./g, "03").replace(/[^0-9a-zA-Z]/g, "");
        return [
            { series: `${objective.metric}${labelText({ ...sel, [label]: "200" })}`, values: rate((p) => 1 - p.badShare) },
            { series: `${objective.metric}${labelText({ ...sel, [label]: bad })}`, values: rate((p) => p.badShare) },
        ];
    }
    const bucket = objective.bucket as string;
    return [
        // A tighter bucket, the threshold's bucket, a looser one that holds everything, and +Inf.
        { series: `${objective.metric}_bucket${labelText({ ...sel, le: "0.05" })}`, values: rate((p) => (1 - p.badShare) / 2) },
        { series: `${objective.metric}_bucket${labelText({ ...sel, le: bucket })}`, values: rate((p) => 1 - p.badShare) },
        { series: `${objective.metric}_bucket${labelText({ ...sel, le: "10" })}`, values: rate(() => 1) },
        { series: `${objective.metric}_bucket${labelText({ ...sel, le: "+Inf" })}`, values: rate(() => 1) },
        { series: `${objective.metric}_count${labelText(sel)}`, values: rate(() => 1) },
    ];
}

/** The prod stack's SLO config with `edit` applied to every objective (a copy). */
function prodSlos(edit: (objective: Record<string, any>, service: Record<string, any>) => void): unknown[] {
    const slos = JSON.parse(stackConfig("prod")[`${PROJECT}:slos`]) as Record<string, any>[];
    for (const service of slos) for (const objective of service.objectives) edit(objective, service);
    return slos;
}

/** The labels the SLO alerts of the prod plan carry, as the rules set them (severity given). */
const expectedAlertLabels = (service: ServiceSlo, objective: Objective, severity = "warning") => ({
    severity,
    service: service.service,
    slo: objective.name,
    sloth_service: service.service,
    sloth_slo: objective.name,
    owner: service.owner,
    cluster: "prod-gke",
});

interface Check {
    at: string;
    severities: ("critical" | "warning")[];
}

describe("SLO rules (promtool)", function () {
    this.timeout(120_000);
    let tmp: string;
    let plan: Plan;
    let settings: Settings;
    const variantSettings: Record<string, Settings> = {};
    const rulesFiles: Record<string, string[]> = {};

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "slo-rules-"));
        for (const stack of ["dev", "prod"]) {
            const p = await planVariant(stack);
            const written = writePlan(p, path.join(tmp, stack));
            rulesFiles[stack] = written.filter((f) => f.startsWith("rules/")).map((f) => path.join(tmp, stack, f));
            if (stack === "prod") plan = p;
        }
        const variants: Record<string, Parameters<typeof planVariant>[1]> = {
            "prod-thanos": { set: { metricsBackend: "thanos" } },
            // The same SLOs over 28 days, and with the opt-in traffic floor and Prometheus 3 bucket spellings.
            "prod-28d": { set: { slos: prodSlos((o) => (o.period = "28d")) } },
            "prod-variants": {
                set: {
                    slos: prodSlos((o, service) => {
                        if (o.kind === "availability") o.minRequestRate = 5;
                        // "1" is stored by Prometheus 3 as le="1.0"; "5e-1" is another spelling of 0.5.
                        if (o.kind === "latency" && service.service === "reviewmaps-server") Object.assign(o, { thresholdSeconds: 1, bucket: "1" });
                        if (o.kind === "latency" && service.service === "ojeomneo-server") o.bucket = "5e-1";
                    }),
                },
            },
        };
        for (const [key, variant] of Object.entries(variants)) {
            const p = await planVariant("prod", variant);
            const written = writePlan(p, path.join(tmp, key));
            rulesFiles[key] = written.filter((f) => f.startsWith("rules/")).map((f) => path.join(tmp, key, f));
            variantSettings[key] = p.settings;
        }
        settings = plan.settings;
        variantSettings.prod = settings;
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("writes rules files that promtool check rules accepts, for every stack", () => {
        for (const [stack, files] of Object.entries(rulesFiles)) {
            assert.ok(files.length > 0, `${stack} writes rules files`);
            const r = runTool(promtoolPath(), ["check", "rules", ...files]);
            assert.equal(r.status, 0, `${stack}:\n${r.output}`);
        }
        assert.equal(rulesFiles.prod.length, 3, "one file per service with SLOs and the self-monitoring rules");
    });

    it("covers both services of the plan, each with an availability and a p95 latency SLO", () => {
        const byService = Object.fromEntries(settings.slos.map((s) => [s.service, s]));
        assert.deepEqual(Object.keys(byService).sort(), ["ojeomneo-server", "reviewmaps-server"]);
        const targets = (s: ServiceSlo) => s.objectives.map((o) => [o.kind, o.target, o.thresholdSeconds ?? null]);
        assert.deepEqual(targets(byService["ojeomneo-server"]), [["availability", 99.5, null], ["latency", 95, 0.5]]);
        assert.deepEqual(targets(byService["reviewmaps-server"]), [["availability", 99.9, null], ["latency", 95, 0.3]]);
    });

    /**
     * The service's planned rules file of `stack`; with `objective`, only the groups of that SLO, whose
     * every rule carries its `slo` label. promtool evaluates every rule at every step of a case, and
     * the other SLO's rules read none of the case's series: leaving them out halves a run's work.
     */
    function plannedRules(stack: string, service: ServiceSlo, objective?: Objective): { groups: { name: string; rules: Record<string, any>[] }[] } {
        const file = rulesFiles[stack].find((f) => f.endsWith(`slo-${service.service}.yaml`));
        assert.ok(file, `${stack} has rules for ${service.service}`);
        const all: { groups: { name: string; rules: Record<string, any>[] }[] } = parse(fs.readFileSync(file, "utf8"));
        if (!objective) return all;
        const groups = all.groups.filter((g) => g.rules.every((r) => r.labels?.slo === objective.name));
        assert.ok(groups.length > 0, `${stack} has rule groups of ${service.service} ${objective.name}`);
        return { groups };
    }
    /** The promtool test groups of one case on the service's planned rules: its series, then its checks. */
    function promtoolCase(
        service: ServiceSlo,
        objective: Objective,
        minutes: number,
        badShare: (minute: number) => number,
        checks: Check[],
        between: { at: string; series: string; min: number; max: number }[] = [],
    ) {
        // Phases of constant share from the per-minute function.
        const phases: { minutes: number; badShare: number }[] = [];
        for (let m = 1; m <= minutes; m++) {
            const share = badShare(m);
            const last = phases[phases.length - 1];
            if (last && last.badShare === share) last.minutes++;
            else phases.push({ minutes: 1, badShare: share });
        }
        const alertname = alertNameOf(service, objective);
        // The burn-rate alerts keep the recorded ratios' sloth_id.
        const labels = (severity: string) => ({ ...expectedAlertLabels(service, objective, severity), sloth_id: `${service.service}-${objective.name}` });
        return [
            {
                interval: "1m",
                input_series: inputSeries(objective, phases),
                alert_rule_test: checks.map((c) => ({
                    eval_time: c.at,
                    alertname,
                    exp_alerts: c.severities.map((s) => ({ exp_labels: labels(s) })),
                })),
                promql_expr_test: between.map((b) => {
                    const q = `${b.series}{service="${service.service}",slo="${objective.name}"}`;
                    return {
                        expr: `sum by (service, slo) ((${q} > bool ${b.min}) * (${q} < bool ${b.max}))`,
                        eval_time: b.at,
                        exp_samples: [{ labels: `{service="${service.service}",slo="${objective.name}"}`, value: 1 }],
                    };
                }),
            },
        ];
    }

    /** Runs promtool test rules with explicit test cases on the planned rules of the service's SLO (no annotations). */
    function runPromtool(stack: string, service: ServiceSlo, objective: Objective, tests: unknown[]) {
        const r = promtoolTestRules(plannedRules(stack, service, objective).groups, tests);
        assert.equal(r.status, 0, r.output);
    }

    // The burn-rate cases, one promtool run per planned SLO: every case of a (stack, service, SLO)
    // is a test group of that run, on that SLO's rule groups, and the runs go concurrently, one per
    // core (promtool evaluates on one). A case passes when its run does; when the run fails, the case
    // is run alone, so the failure is named by the case that has it.
    interface BurnCase {
        stack: string;
        serviceName: string;
        kind: Objective["kind"];
        tests: () => unknown[];
    }
    const burnCases: BurnCase[] = [];
    const runs = new Map<string, Promise<ToolRun>>();
    const runKey = (c: BurnCase) => `${c.stack}/${c.serviceName}/${c.kind}`;
    const serviceOf = (stack: string, serviceName: string) => variantSettings[stack].slos.find((s) => s.service === serviceName) as ServiceSlo;
    const rulesOf = (c: BurnCase) => {
        const service = serviceOf(c.stack, c.serviceName);
        return plannedRules(c.stack, service, service.objectives.find((o) => o.kind === c.kind)).groups;
    };
    function startBurnRuns(): void {
        const keys = [...new Set(burnCases.map(runKey))];
        const results = pooled(
            keys.map((key) => () => {
                const cases = burnCases.filter((c) => runKey(c) === key);
                return promtoolTestRulesAsync(rulesOf(cases[0]), cases.flatMap((c) => c.tests()));
            }),
        );
        keys.forEach((key, i) => runs.set(key, results.then((r) => r[i])));
    }
    function burnCase(stack: string, serviceName: string, kind: Objective["kind"], title: string, tests: () => unknown[]): void {
        const c: BurnCase = { stack, serviceName, kind, tests };
        burnCases.push(c);
        it(title, async () => {
            if (runs.size === 0) startBurnRuns();
            const batch = await runs.get(runKey(c))!;
            if (batch.status === 0) return;
            const alone = promtoolTestRules(rulesOf(c), tests());
            assert.equal(alone.status, 0, alone.output);
        });
    }

    // The burn-rate factors are the workbook's: 2% of the period's budget in 1h pages, so 14.4x for 30 days, 13.44x for 28.
    for (const [stack, periodDays] of [["prod", 30], ["prod-28d", 28]] as const) {
        for (const serviceName of ["ojeomneo-server", "reviewmaps-server"]) {
            for (const kind of ["availability", "latency"] as const) {
                describe(`${serviceName} ${kind}${periodDays === 28 ? " over 28 days" : ""}`, () => {
                    const get = () => {
                        const service = serviceOf(stack, serviceName);
                        const objective = service.objectives.find((o) => o.kind === kind) as Objective;
                        assert.equal(objective.period ?? "30d", `${periodDays}d`);
                        const budget = Number(format(budgetOf(objective).budget));
                        return { service, objective, budget };
                    };
                    const test = (title: string, tests: () => unknown[]) => burnCase(stack, serviceName, kind, title, tests);
                    // The 28-day rules differ from the 30-day ones in their burn factors and period
                    // windows, which the burn cases exercise; what does not depend on the period (a page
                    // from the start, missing series, no traffic) is checked on the 30-day rules alone.
                    const periodIndependent = periodDays === 30 ? test : () => undefined;

                    test("pages on a fast burn (every request bad) within the workbook's detection time, and not before the burn", () => {
                        const { service, objective, budget } = get();
                        // Time for the 1h window to cross 14.4x (28 days: 13.44x) the budget rate after 3
                        // healthy hours: under 5 minutes for 99.5% and 99.9%, 43.2 minutes for a 95% latency SLO.
                        const pageRate = 0.02 * periodDays * 24;
                        const detection = Math.ceil(60 * pageRate * budget);
                        if (kind === "availability") assert.ok(detection <= 5, `pages within 5 minutes (${detection})`);
                        const onset = 180;
                        return promtoolCase(service, objective, onset + 120, (m) => (m <= onset ? 0 : 1), [
                            { at: `${onset}m`, severities: [] },
                            { at: `${onset + detection}m`, severities: ["critical", "warning"] },
                        ]);
                    });

                    periodIndependent("pages within 5 minutes when every request is bad from the start", () => {
                        const { service, objective } = get();
                        return promtoolCase(service, objective, 30, () => 1, [{ at: "5m", severities: ["critical", "warning"] }]);
                    });

                    test("opens a ticket and does not page on a slow burn (twice the budget rate), and tracks the budget", () => {
                        const { service, objective, budget } = get();
                        return promtoolCase(
                            service,
                            objective,
                            8 * 60,
                            () => 2 * budget,
                            [
                                { at: "30m", severities: ["warning"] },
                                { at: "3h", severities: ["warning"] },
                                { at: "8h", severities: ["warning"] },
                            ],
                            [
                                // Spending at twice the sustainable rate: burn rate 2 now and over the
                                // period so far, so the period's budget is overspent by its whole size.
                                { at: "8h", series: "slo:current_burn_rate:ratio", min: 1.9, max: 2.1 },
                                { at: "8h", series: "slo:period_burn_rate:ratio", min: 1.9, max: 2.1 },
                                { at: "8h", series: "slo:period_error_budget_remaining:ratio", min: -1.1, max: -0.9 },
                                { at: "8h", series: "slo:error_budget:ratio", min: budget * 0.999, max: budget * 1.001 },
                            ],
                        );
                    });

                    test("fires nothing over 6 hours for a healthy service (errors at half the budget rate)", () => {
                        const { service, objective, budget } = get();
                        const checks: Check[] = [];
                        for (let m = 5; m <= 360; m += 25) checks.push({ at: `${m}m`, severities: [] });
                        return promtoolCase(service, objective, 6 * 60, () => budget / 2, checks);
                    });

                    periodIndependent("warns after 15 minutes when the SLI's series are missing, and not while they exist", () => {
                        const { service, objective } = get();
                        const name = absentAlertNameOf(service, objective);
                        // absent() carries the selector's equality matchers as labels.
                        const labels = { ...objective.selector, ...expectedAlertLabels(service, objective) };
                        const other = { series: 'up{job="something-else"}', values: "1x60" };
                        const present = inputSeries(objective, [{ minutes: 60, badShare: 0 }]);
                        return [
                            { interval: "1m", input_series: [other], alert_rule_test: [{ eval_time: "10m", alertname: name, exp_alerts: [] }, { eval_time: "20m", alertname: name, exp_alerts: [{ exp_labels: labels }] }] },
                            { interval: "1m", input_series: present, alert_rule_test: [{ eval_time: "30m", alertname: name, exp_alerts: [] }] },
                        ];
                    });

                    periodIndependent("fires nothing without traffic", () => {
                        const { service, objective } = get();
                        const checks: Check[] = [];
                        for (let m = 5; m <= 360; m += 25) checks.push({ at: `${m}m`, severities: [] });
                        // Counters that exist but never move: every ratio is 0/0.
                        return promtoolCase(service, objective, 6 * 60, () => 0, checks);
                    });
                });
            }
        }
    }

    describe("SLIs that cannot stay silently green", () => {
        const slo = (stack: string, serviceName: string, kind: "availability" | "latency") => {
            const service = variantSettings[stack].slos.find((s) => s.service === serviceName) as ServiceSlo;
            return { service, objective: service.objectives.find((o) => o.kind === kind) as Objective };
        };
        /** The prod rules fire `alertname` with `labels` on `input` after its 15 minutes, not before. */
        const firesAfter15Minutes = (service: ServiceSlo, objective: Objective, alertname: string, input: unknown[], labels: Record<string, string>) =>
            runPromtool("prod", service, objective, [
                {
                    interval: "1m",
                    input_series: input,
                    alert_rule_test: [
                        { eval_time: "10m", alertname, exp_alerts: [] },
                        { eval_time: "20m", alertname, exp_alerts: [{ exp_labels: labels }] },
                    ],
                },
            ]);
        const series = (name: string, labels: Record<string, string>, perMinute: number, minutes = 60) => ({
            series: `${name}${labelText(labels)}`,
            values: counter([{ minutes, perMinute }]),
        });

        it("warns when the total exists but never carries the error selector's label (status where the service exports code)", () => {
            const { service, objective } = slo("prod", "reviewmaps-server", "availability");
            assert.deepEqual(Object.keys(objective.errorSelector ?? {}), ["code"]);
            const name = absentAlertNameOf(service, objective);
            const wrongLabel = [
                series(objective.metric, { ...objective.selector, status: "200" }, 990),
                series(objective.metric, { ...objective.selector, status: "503" }, 10),
            ];
            firesAfter15Minutes(service, objective, name, wrongLabel, expectedAlertLabels(service, objective));
        });

        it("stays quiet for a healthy service that has had no errors yet", () => {
            const { service, objective } = slo("prod", "reviewmaps-server", "availability");
            const name = absentAlertNameOf(service, objective);
            runPromtool("prod", service, objective, [
                {
                    interval: "1m",
                    input_series: [series(objective.metric, { ...objective.selector, code: "200" }, 1000)],
                    alert_rule_test: [30, 45, 59].map((m) => ({ eval_time: `${m}m`, alertname: name, exp_alerts: [] })),
                },
            ]);
        });

        it("warns when the histogram has no bucket at the latency threshold", () => {
            const { service, objective } = slo("prod", "reviewmaps-server", "latency");
            assert.equal(objective.bucket, "0.3");
            const name = absentAlertNameOf(service, objective);
            const m = objective.metric;
            const noThresholdBucket = [
                ...["0.25", "0.5", "+Inf"].map((le) => series(`${m}_bucket`, { ...objective.selector, le }, 1000)),
                series(`${m}_count`, objective.selector, 1000),
            ];
            firesAfter15Minutes(service, objective, name, noThresholdBucket, expectedAlertLabels(service, objective));
        });

        it("counts the threshold bucket as Prometheus 3 stores it (le=\"1.0\" for bucket \"1\") and as configured in another spelling (\"5e-1\")", () => {
            for (const [serviceName, stored] of [["reviewmaps-server", "1.0"], ["ojeomneo-server", "0.5"]] as const) {
                const { service, objective } = slo("prod-variants", serviceName, "latency");
                const m = objective.metric;
                // Every request is under the threshold: nothing may page, and the SLI is not missing.
                const healthy = [
                    ...[stored, "10.0", "+Inf"].map((le) => series(`${m}_bucket`, { ...objective.selector, le }, 1000, 120)),
                    series(`${m}_count`, objective.selector, 1000, 120),
                ];
                runPromtool("prod-variants", service, objective, [
                    {
                        interval: "1m",
                        input_series: healthy,
                        alert_rule_test: [
                            ...[30, 60, 119].map((t) => ({ eval_time: `${t}m`, alertname: alertNameOf(service, objective), exp_alerts: [] })),
                            { eval_time: "60m", alertname: absentAlertNameOf(service, objective), exp_alerts: [] },
                        ],
                    },
                ]);
            }
        });
    });

    describe("the error-budget policy", () => {
        for (const [serviceName, kind] of [["reviewmaps-server", "availability"], ["ojeomneo-server", "latency"]] as const) {
            it(`${serviceName} ${kind}: freezes releases when the period's budget is spent, warns at a quarter left, and is quiet with budget to spare`, () => {
                const service = settings.slos.find((x) => x.service === serviceName) as ServiceSlo;
                const objective = service.objectives.find((o) => o.kind === kind) as Objective;
                const budget = Number(format(budgetOf(objective).budget));
                // The recorded series' labels, sloth_id among them, and the alert's own.
                const labels = { ...expectedAlertLabels(service, objective), sloth_id: `${service.service}-${objective.name}` };
                const exhausted = { ...labels, severity: "warning", policy: "release-freeze" };
                const low = { ...labels, severity: "info" };
                // Bad at a constant share r of the budget: 1 - r of the budget is left over the period so far.
                const run = (share: number) => inputSeries(objective, [{ minutes: 120, badShare: share * budget }]);
                const at = (alertname: string, exp: Record<string, string>[]) => ({ eval_time: "110m", alertname, exp_alerts: exp.map((l) => ({ exp_labels: l })) });
                runPromtool("prod", service, objective, [
                    // Twice the budget rate: -1 left.
                    { interval: "1m", input_series: run(2), alert_rule_test: [at(budgetExhaustedAlertNameOf(service, objective), [exhausted]), at(budgetLowAlertNameOf(service, objective), [])] },
                    // 80% of the budget rate: 0.2 left.
                    { interval: "1m", input_series: run(0.8), alert_rule_test: [at(budgetExhaustedAlertNameOf(service, objective), []), at(budgetLowAlertNameOf(service, objective), [low])] },
                    // Half the budget rate: 0.5 left.
                    { interval: "1m", input_series: run(0.5), alert_rule_test: [at(budgetExhaustedAlertNameOf(service, objective), []), at(budgetLowAlertNameOf(service, objective), [])] },
                ]);
            });
        }
    });

    describe("traffic that stops (opt-in minRequestRate)", () => {
        it("warns when a service's traffic falls below its floor for 15 minutes, and not while it flows", () => {
            const service = variantSettings["prod-variants"].slos.find((s) => s.service === "reviewmaps-server") as ServiceSlo;
            const objective = service.objectives.find((o) => o.kind === "availability") as Objective;
            assert.equal(objective.minRequestRate, 5);
            const name = trafficLowAlertNameOf(service, objective);
            const labels = expectedAlertLabels(service, objective);
            // 1000 requests a minute (16.7/s) for an hour, then none: the counter stops moving.
            const stopped = [{ series: `${objective.metric}${labelText({ ...objective.selector, code: "200" })}`, values: `${counter([{ minutes: 60, perMinute: 1000 }])} 60000x60` }];
            const flowing = [{ series: `${objective.metric}${labelText({ ...objective.selector, code: "200" })}`, values: counter([{ minutes: 120, perMinute: 1000 }]) }];
            runPromtool("prod-variants", service, objective, [
                {
                    interval: "1m",
                    input_series: stopped,
                    alert_rule_test: [
                        { eval_time: "60m", alertname: name, exp_alerts: [] },
                        // The 10m rate falls under 5/s seven minutes after the stop; 15 minutes later it fires.
                        { eval_time: "75m", alertname: name, exp_alerts: [] },
                        { eval_time: "85m", alertname: name, exp_alerts: [{ exp_labels: labels }] },
                    ],
                },
                { interval: "1m", input_series: flowing, alert_rule_test: [{ eval_time: "110m", alertname: name, exp_alerts: [] }] },
            ]);
        });

        it("is off unless configured: the prod stack's rules have no traffic-floor alert", () => {
            for (const service of settings.slos) {
                const rules = plannedRules("prod", service).groups.flatMap((g) => g.rules);
                assert.ok(rules.length > 0);
                assert.ok(!rules.some((r) => String(r.alert ?? "").endsWith("TrafficLow")), service.service);
            }
        });
    });
});
