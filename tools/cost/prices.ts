// The price file (prices.yaml), validated, and the prices of one region with clear errors for what
// it does not hold.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { exact, type Exact } from "./money";

export const PRICES_FILE = path.join(__dirname, "prices.yaml");

const decimal = z.union([z.string(), z.number()]).refine((v) => /^\d+(\.\d+)?$/.test(String(v)), {
    error: "a non-negative decimal number",
});
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "a date as YYYY-MM-DD" });
const price = z.strictObject({ usd: decimal, source: z.string().min(1), date, note: z.string().optional() });
const machine = price.extend({ vcpu: decimal, memoryGib: decimal });

const priceFileSchema = z.strictObject({
    version: date,
    currency: z.literal("USD"),
    hoursPerMonth: z.number().int().positive(),
    sources: z.record(z.string(), z.string().min(1)),
    regions: z.record(
        z.string().regex(/^[a-z]+-[a-z]+[0-9]$/),
        z.strictObject({
            disk: z.record(z.string(), price),
            storage: z.strictObject({ standardGbMonth: price, classAPer10k: price, classBPer10k: price }),
            machines: z.record(z.string(), machine),
            autopilot: z.strictObject({ vcpuHour: price, gibHour: price }).optional(),
        }),
    ),
    managed: z.strictObject({
        managedPrometheus: z.strictObject({ perMillionSamples: price }),
        grafanaCloud: z.strictObject({
            platformFeeMonth: price,
            metricsPer1kSeries: price,
            metricsFreeSeries: z.number().int().nonnegative(),
            ingestPerGb: price,
            freeGbPerSignal: z.number().int().nonnegative(),
            extraRetentionPerGbPer30Days: price,
            includedRetentionDays: z.number().int().positive(),
        }),
    }),
});

export type PriceFile = z.infer<typeof priceFileSchema>;
export type PriceEntry = z.infer<typeof price>;

export class PriceError extends Error {}

/** Reads and validates a price file; every price's source must be one of the file's named sources. */
export function loadPrices(file = PRICES_FILE): PriceFile {
    const parsed = priceFileSchema.safeParse(parse(fs.readFileSync(file, "utf8")));
    if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`);
        throw new PriceError(`${file} is not a valid price file:\n${problems.join("\n")}`);
    }
    const unknownSources: string[] = [];
    const visit = (v: unknown, at: string) => {
        if (typeof v !== "object" || v === null) return;
        const o = v as Record<string, unknown>;
        if (typeof o.usd !== "undefined" && typeof o.source === "string" && !(o.source in parsed.data.sources)) {
            unknownSources.push(`${at}: ${o.source}`);
        }
        for (const [k, child] of Object.entries(o)) visit(child, at ? `${at}.${k}` : k);
    };
    visit({ regions: parsed.data.regions, managed: parsed.data.managed }, "");
    if (unknownSources.length > 0) {
        throw new PriceError(`${file}: prices name sources that are not listed under "sources":\n  - ${unknownSources.join("\n  - ")}`);
    }
    return parsed.data;
}

export interface Priced {
    usd: Exact;
    /** The price as written in the file ("0.040"). */
    text: string;
    source: string;
    date: string;
}

const priced = (file: PriceFile, p: PriceEntry): Priced => ({ usd: exact(p.usd), text: String(p.usd), source: file.sources[p.source] ?? p.source, date: p.date });

/** Prices of one region; every lookup of something the file lacks is an error naming what exists. */
export function regionPrices(file: PriceFile, region: string) {
    const r = file.regions[region];
    if (!r) {
        throw new PriceError(
            `no prices for region "${region}" in the price file (version ${file.version}); ` +
                `it has ${Object.keys(file.regions).join(", ")}. Add the region's prices with their source.`,
        );
    }
    return {
        region,
        disk(diskType: string): Priced {
            const p = r.disk[diskType];
            if (!p) {
                throw new PriceError(
                    `no price for disk type "${diskType}" in ${region}; the price file has ${Object.keys(r.disk).join(", ")}`,
                );
            }
            return priced(file, p);
        },
        storage: {
            standardGbMonth: priced(file, r.storage.standardGbMonth),
            classAPer10k: priced(file, r.storage.classAPer10k),
            classBPer10k: priced(file, r.storage.classBPer10k),
        },
        machine(machineType: string): Priced & { vcpu: Exact; memoryGib: Exact } {
            const m = r.machines[machineType];
            if (!m) {
                throw new PriceError(
                    `no price for machine type "${machineType}" in ${region}; the price file has ${Object.keys(r.machines).join(", ")}`,
                );
            }
            return { ...priced(file, m), vcpu: exact(m.vcpu), memoryGib: exact(m.memoryGib) };
        },
        autopilot(): { vcpuHour: Priced; gibHour: Priced } {
            if (!r.autopilot) throw new PriceError(`no Autopilot prices for ${region} in the price file; use a machine type for cost.compute`);
            return { vcpuHour: priced(file, r.autopilot.vcpuHour), gibHour: priced(file, r.autopilot.gibHour) };
        },
    };
}
