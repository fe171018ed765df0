// Exact decimal arithmetic for the numbers written into PromQL. Binary floating point turns
// 1 - 0.999 into 0.0010000000000000009; rule expressions must read 0.001, exactly what a person
// would write, so thresholds are computed on scaled integers and printed as plain decimals.

/** A decimal number: `units` × 10^-`scale`. */
export interface Decimal {
    readonly units: bigint;
    readonly scale: number;
}

/** Parses a JavaScript number by its shortest round-trip text ("99.5", "1e-7"), which is what a user wrote. */
export function decimal(value: number | string): Decimal {
    const text = typeof value === "number" ? numberText(value) : value.trim();
    const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([-+]?\d+))?$/i.exec(text);
    if (!match) throw new Error(`not a decimal number: ${text}`);
    const [, sign, whole, fraction = "", exponent = "0"] = match;
    let units = BigInt(`${sign}${whole}${fraction}`);
    let scale = fraction.length - Number(exponent);
    if (scale < 0) {
        units *= 10n ** BigInt(-scale);
        scale = 0;
    }
    return normalize({ units, scale });
}

function numberText(value: number): string {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
}

function normalize(d: Decimal): Decimal {
    let { units, scale } = d;
    while (scale > 0 && units % 10n === 0n) {
        units /= 10n;
        scale--;
    }
    return { units, scale };
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
    const scale = Math.max(a.scale, b.scale);
    return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

export function add(a: Decimal, b: Decimal): Decimal {
    const [x, y, scale] = aligned(a, b);
    return normalize({ units: x + y, scale });
}

export function subtract(a: Decimal, b: Decimal): Decimal {
    const [x, y, scale] = aligned(a, b);
    return normalize({ units: x - y, scale });
}

export function multiply(a: Decimal, b: Decimal): Decimal {
    return normalize({ units: a.units * b.units, scale: a.scale + b.scale });
}

/** Divides by a power of ten (percent -> ratio), which stays exact. */
export function shiftLeft(a: Decimal, digits: number): Decimal {
    return normalize({ units: a.units, scale: a.scale + digits });
}

/** a / b rounded half away from zero to `scale` decimal places (for ratios that do not terminate). */
export function divide(a: Decimal, b: Decimal, scale: number): Decimal {
    if (b.units === 0n) throw new Error("division by zero");
    // a/b = (a.units / 10^a.scale) / (b.units / 10^b.scale); scaled by 10^scale to an integer quotient.
    const exponent = scale - a.scale + b.scale;
    let numerator = a.units * 10n ** BigInt(Math.max(exponent, 0));
    let denominator = b.units * 10n ** BigInt(Math.max(-exponent, 0));
    if (denominator < 0n) {
        numerator = -numerator;
        denominator = -denominator;
    }
    const quotient = numerator / denominator;
    const remainder = numerator % denominator;
    const away = 2n * (remainder < 0n ? -remainder : remainder) >= denominator ? (numerator < 0n ? -1n : 1n) : 0n;
    return normalize({ units: quotient + away, scale });
}

/** Plain decimal text without exponent: 0.0144, 14.4, 1. */
export function format(d: Decimal): string {
    const negative = d.units < 0n;
    const digits = (negative ? -d.units : d.units).toString().padStart(d.scale + 1, "0");
    const whole = digits.slice(0, digits.length - d.scale);
    const fraction = digits.slice(digits.length - d.scale);
    return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}
