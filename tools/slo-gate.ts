// npm run slo:gate -- --prometheus <url> --service <name> [--tenant <id>] [--slo <name>]
// The error-budget policy for a release pipeline: asks the Prometheus-compatible API at <url> (for
// Mimir its /prometheus path, with --tenant for X-Scope-OrgID) how much of each SLO's period budget
// the service has left. Exit 0: every SLO has budget; 1: a budget is spent (releases freeze except
// P0 and security fixes); 2: it cannot tell (unreachable, an error, or no SLO series for the service).
import { parseArgs } from "node:util";
import { budgetMinutesLeft, SLO_LABELS, SLO_METRICS } from "../components/sre/slo-series";
import { SERVICE_NAME, SLO_NAME } from "../components/config/slos";
import { command, runCli } from "./cli";

export const EXIT = { budgetLeft: 0, budgetSpent: 1, unknown: 2 } as const;

interface Sample {
    metric: Record<string, string>;
    value: [number, string];
}


async function query(base: string, expr: string, tenant: string | undefined): Promise<Sample[]> {
    const url = `${base.replace(/\/+$/, "")}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const response = await fetch(url, {
        headers: tenant ? { "X-Scope-OrgID": tenant } : {},
        signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json().catch(() => undefined)) as { status?: string; error?: string; data?: { resultType?: string; result?: Sample[] } } | undefined;
    if (!response.ok || body?.status !== "success" || body.data?.resultType !== "vector") {
        throw new Error(`query failed (HTTP ${response.status}${body?.error ? `: ${body.error}` : ""})`);
    }
    return body.data.result ?? [];
}

export async function gate(options: { prometheus: string; service: string; slo?: string; tenant?: string }): Promise<{ code: number; lines: string[] }> {
    const matchers = [`${SLO_LABELS.service}=${JSON.stringify(options.service)}`, ...(options.slo ? [`${SLO_LABELS.slo}=${JSON.stringify(options.slo)}`] : [])].join(", ");
    const [remaining, minutes] = await Promise.all([
        query(options.prometheus, `${SLO_METRICS.periodErrorBudgetRemaining}{${matchers}}`, options.tenant),
        query(options.prometheus, budgetMinutesLeft(matchers), options.tenant),
    ]);
    if (remaining.length === 0) {
        return { code: EXIT.unknown, lines: [`No SLO of ${options.service}${options.slo ? ` named ${options.slo}` : ""} has budget data at ${options.prometheus}: cannot tell.`] };
    }
    const minutesOf = new Map(minutes.map((s) => [s.metric[SLO_LABELS.slo], Number(s.value[1])]));
    const lines: string[] = [];
    let spent = false;
    let unknown = false;
    for (const s of [...remaining].sort((a, b) => (a.metric[SLO_LABELS.slo] ?? "").localeCompare(b.metric[SLO_LABELS.slo] ?? ""))) {
        const slo = s.metric[SLO_LABELS.slo] ?? "?";
        const left = Number(s.value[1]);
        if (!Number.isFinite(left)) {
            unknown = true;
            lines.push(`${options.service} ${slo}: no traffic to judge by (budget left is ${s.value[1]})`);
            continue;
        }
        const m = minutesOf.get(slo);
        const inMinutes = m !== undefined && Number.isFinite(m) ? `, ${m.toFixed(1)} minutes of full outage` : "";
        if (left <= 0) spent = true;
        lines.push(`${options.service} ${slo}: ${(left * 100).toFixed(1)}% of the period's error budget left${inMinutes}${left <= 0 ? ": SPENT" : ""}`);
    }
    if (spent) {
        lines.push(`Error budget spent: releases of ${options.service} freeze except P0 and security fixes.`);
        return { code: EXIT.budgetSpent, lines };
    }
    return { code: unknown ? EXIT.unknown : EXIT.budgetLeft, lines };
}

async function main(args: string[]): Promise<number> {
    const { values } = parseArgs({
        args,
        options: {
            prometheus: { type: "string" },
            service: { type: "string" },
            slo: { type: "string" },
            tenant: { type: "string" },
        },
        strict: true,
    });
    const problems: string[] = [];
    if (!values.prometheus || !/^https?:\/\/[^\s@]+$/.test(values.prometheus)) problems.push("--prometheus: the base URL of a Prometheus-compatible query API, such as http://localhost:9090");
    if (!values.service || !SERVICE_NAME.test(values.service)) problems.push("--service: a service name of the SLO config, such as reviewmaps-server");
    if (values.slo !== undefined && !SLO_NAME.test(values.slo)) problems.push("--slo: an SLO name of the service, such as availability");
    if (problems.length > 0) {
        console.error(problems.join("\n"));
        return EXIT.unknown;
    }
    try {
        const result = await gate({ prometheus: values.prometheus!, service: values.service!, slo: values.slo, tenant: values.tenant });
        for (const line of result.lines) console.log(line);
        return result.code;
    } catch (err) {
        console.error(`slo:gate: ${values.prometheus}: ${(err as Error).message}: cannot tell`);
        return EXIT.unknown;
    }
}

export const sloGateCommand = command("slo-gate", main, { failure: EXIT.unknown, stack: true });

if (require.main === module) runCli(sloGateCommand);
