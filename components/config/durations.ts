// Prometheus durations, as the config and the rule placement read them.

export const DAY = 86_400;
const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: DAY, w: 7 * DAY, y: 365 * DAY };

/** Seconds of a Prometheus duration ("5m", "1h30m", "4w"). */
export function durationSeconds(text: string): number {
    const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw new Error(`not a Prometheus duration: ${text}`);
    return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_SECONDS[unit], 0);
}

/** "3d", "6h", "30s": the largest unit that divides the seconds exactly. */
export function formatDuration(seconds: number): string {
    if (seconds === 0) return "0s";
    for (const unit of ["w", "d", "h", "m", "s"]) if (seconds % UNIT_SECONDS[unit] === 0) return `${seconds / UNIT_SECONDS[unit]}${unit}`;
    return `${seconds}s`;
}
