/** Rounding for the figures the bench reports, and the one way a ratio is taken (null when either side is missing). */
export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
export const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? round(a / b, 3) : null);
