const USD = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

const COUNT = new Intl.NumberFormat('en-US');

/** '$2.50', '$0.075', '$0.005'; '—' when the price is unknown or not billed. */
export function formatPricePerMTok(p: number | null | undefined): string {
  return p === null || p === undefined || !Number.isFinite(p) ? '—' : USD.format(p);
}

/** '128,000'; 'unknown' when the catalog has no figure. */
export function formatTokenCount(n: number | null | undefined): string {
  return n === null || n === undefined ? 'unknown' : COUNT.format(n);
}
