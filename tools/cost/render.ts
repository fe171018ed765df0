// Cost estimates for people (a table), pull requests (Markdown) and machines (JSON).
import { formatUsd, toMicros, ZERO, type Exact } from "./money";
import { COMPONENTS, managedTotals, type Estimate } from "./estimate";

const ESTIMATE_NOTE = "estimate: unconfirmed list prices, same usage assumptions";

function table(rows: string[][], rightAligned: ReadonlySet<number>): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    return rows
        .map((r) => r.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd())
        .join("\n");
}

export function renderTable(e: Estimate): string {
    const rows = [["Component", "Item", "Quantity", "Unit price", "Monthly USD"]];
    for (const l of e.lines) rows.push([l.component, l.item, l.quantity, l.unitPrice, formatUsd(l.monthly)]);
    const out = [
        `Monthly cost estimate of stack ${e.stack} (tier ${e.tier}, ${e.region}), prices of ${e.pricesVersion}`,
        "",
        table(rows, new Set([4])),
        "",
        table(
            [...COMPONENTS.map((c) => [c, formatUsd(e.byComponent[c])]), ["Total", formatUsd(e.total)]],
            new Set([1]),
        ),
        "",
        `Managed alternatives for the same usage (${ESTIMATE_NOTE}):`,
        table(
            [...e.managed.map((m) => [`  ${m.service}`, m.item, formatUsd(m.monthly)]), ...[...managedTotals(e.managed)].map(([s, t]) => [`  ${s}`, "total", formatUsd(t)])],
            new Set([2]),
        ),
        "",
        "Assumptions:",
        ...e.assumptions.map((a) => `  - ${a}`),
    ];
    return out.join("\n");
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

export function renderMarkdown(e: Estimate): string {
    const out = [
        `### Monthly cost estimate: stack \`${e.stack}\``,
        "",
        `Tier \`${e.tier}\`, region \`${e.region}\`, prices of ${e.pricesVersion}. **Total: $${formatUsd(e.total)} per month.**`,
        "",
        "| Component | Item | Quantity | Unit price | Monthly USD |",
        "|---|---|---|---|--:|",
        ...e.lines.map((l) => `| ${l.component} | ${cell(l.item)} | ${cell(l.quantity)} | ${cell(l.unitPrice)} | ${formatUsd(l.monthly)} |`),
        ...COMPONENTS.map((c) => `| **${c}** | | | | **${formatUsd(e.byComponent[c])}** |`),
        `| **Total** | | | | **${formatUsd(e.total)}** |`,
        "",
        `Managed alternatives for the same usage (_${ESTIMATE_NOTE}_):`,
        "",
        "| Service | Item | Monthly USD |",
        "|---|---|--:|",
        ...e.managed.map((m) => `| ${m.service} | ${cell(m.item)} | ~${formatUsd(m.monthly)} |`),
        ...[...managedTotals(e.managed)].map(([s, t]) => `| **${s}** | total | **~${formatUsd(t)}** |`),
        "",
        "<details><summary>Assumptions</summary>",
        "",
        ...e.assumptions.map((a) => `- ${a}`),
        "",
        "</details>",
        "",
    ];
    return out.join("\n");
}

const money = (x: Exact) => ({ usd: formatUsd(x).replace(/,/g, ""), micros: Number(toMicros(x)) });

export function toJson(e: Estimate) {
    return {
        stack: e.stack,
        tier: e.tier,
        region: e.region,
        pricesVersion: e.pricesVersion,
        currency: "USD",
        lines: e.lines.map((l) => ({ ...l, monthly: money(l.monthly) })),
        byComponent: Object.fromEntries(COMPONENTS.map((c) => [c, money(e.byComponent[c])])),
        total: money(e.total),
        managed: {
            estimate: true,
            lines: e.managed.map((m) => ({ ...m, monthly: money(m.monthly) })),
            totals: Object.fromEntries([...managedTotals(e.managed)].map(([s, t]) => [s, money(t)])),
        },
        assumptions: e.assumptions,
    };
}

/** Several stacks side by side: per component, total, and the managed totals. */
export function renderCompare(estimates: readonly Estimate[], format: "table" | "markdown"): string {
    const header = ["", ...estimates.map((e) => `${e.stack} (${e.tier}, ${e.region})`)];
    const rows = [
        ...COMPONENTS.map((c) => [c, ...estimates.map((e) => formatUsd(e.byComponent[c]))]),
        ["Total", ...estimates.map((e) => formatUsd(e.total))],
    ];
    const services = [...new Set(estimates.flatMap((e) => [...managedTotals(e.managed).keys()]))];
    const managedRows = services.map((s) => [`${s} (estimate)`, ...estimates.map((e) => `~${formatUsd(managedTotals(e.managed).get(s) ?? ZERO)}`)]);
    const prices = [...new Set(estimates.map((e) => e.pricesVersion))].join(", ");
    if (format === "markdown") {
        const line = (r: string[]) => `| ${r.map(cell).join(" | ")} |`;
        return [
            "### Monthly cost estimate by stack",
            "",
            line(header),
            `|---|${estimates.map(() => "--:").join("|")}|`,
            ...rows.map((r) => line(r[0] === "Total" ? r.map((x) => `**${x}**`) : r)),
            ...managedRows.map(line),
            "",
            `USD per month, prices of ${prices}. Managed alternatives: ${ESTIMATE_NOTE}.`,
            "",
        ].join("\n");
    }
    const right = new Set(estimates.map((_, i) => i + 1));
    return [
        `Monthly cost estimate by stack (USD, prices of ${prices})`,
        "",
        table([header, ...rows], right),
        "",
        `Managed alternatives (${ESTIMATE_NOTE}):`,
        table([header, ...managedRows], right),
    ].join("\n");
}
