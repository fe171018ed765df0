// Exact arithmetic for money: every quantity and price is a fraction of two big integers, so
// 150 GB x $0.04 is exactly $6 and a total is the sum of its lines, to the cent, with no float
// artefacts. Amounts are rounded (half up) only when shown or exported.

export interface Exact {
    readonly num: bigint;
    readonly den: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
    a = a < 0n ? -a : a;
    while (b !== 0n) [a, b] = [b, a % b];
    return a;
};

function make(num: bigint, den: bigint): Exact {
    if (den === 0n) throw new Error("division by zero");
    if (den < 0n) [num, den] = [-num, -den];
    const g = gcd(num, den) || 1n;
    return { num: num / g, den: den / g };
}

export const ZERO: Exact = { num: 0n, den: 1n };

/** A decimal ("0.0049225", "7.5", 100, 0.5) as an exact fraction; refuses anything else. */
export function exact(value: string | number | bigint): Exact {
    if (typeof value === "bigint") return make(value, 1n);
    const text = typeof value === "number" ? String(value) : value.trim();
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
    if (!m) throw new Error(`not a plain decimal number: ${JSON.stringify(value)}`);
    const decimals = m[3] ?? "";
    const num = BigInt(`${m[2]}${decimals}`) * (m[1] ? -1n : 1n);
    return make(num, 10n ** BigInt(decimals.length));
}

export const add = (...xs: Exact[]): Exact => xs.reduce((a, b) => make(a.num * b.den + b.num * a.den, a.den * b.den), ZERO);
export const sub = (a: Exact, b: Exact): Exact => make(a.num * b.den - b.num * a.den, a.den * b.den);
export const mul = (...xs: Exact[]): Exact => xs.reduce((a, b) => make(a.num * b.num, a.den * b.den), { num: 1n, den: 1n });
export const div = (a: Exact, b: Exact): Exact => make(a.num * b.den, a.den * b.num);
export const max = (a: Exact, b: Exact): Exact => (a.num * b.den >= b.num * a.den ? a : b);

/** Rounds to a whole number of `unit` (1/unit of a dollar), half away from zero. */
function roundTo(a: Exact, unit: bigint): bigint {
    const scaled = a.num * unit;
    const q = scaled / a.den;
    const r = scaled % a.den;
    const half = 2n * (r < 0n ? -r : r) >= a.den;
    return half ? q + (scaled < 0n ? -1n : 1n) : q;
}

/** Whole micro-dollars, for machines (JSON). */
export const toMicros = (usd: Exact): bigint => roundTo(usd, 1_000_000n);

/** "1,234.56": dollars and cents. */
export function formatUsd(usd: Exact): string {
    const cents = roundTo(usd, 100n);
    const sign = cents < 0n ? "-" : "";
    const abs = cents < 0n ? -cents : cents;
    const dollars = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${sign}${dollars}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** A quantity for people: up to `decimals` places, trailing zeros dropped. */
export function formatQuantity(q: Exact, decimals = 2): string {
    const unit = 10n ** BigInt(decimals);
    const n = roundTo(q, unit);
    const whole = (n / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const frac = (n % unit).toString().padStart(decimals, "0").replace(/0+$/, "");
    return frac ? `${whole}.${frac}` : whole;
}
