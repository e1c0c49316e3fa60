import { expect } from 'storybook/test';

// Rounding of sub-pixel layout: rectangles this close are touching, not overlapping.
const EPSILON_PX = 0.5;

const overlap = (a: DOMRect, b: DOMRect) =>
  a.left < b.right - EPSILON_PX && b.left < a.right - EPSILON_PX && a.top < b.bottom - EPSILON_PX && b.top < a.bottom - EPSILON_PX;
const inside = (inner: DOMRect, outer: DOMRect) => inner.left >= outer.left - EPSILON_PX && inner.right <= outer.right + EPSILON_PX;

/** Describes an element for a failure message, by its text (a label or fingerprint, never a token). */
const name = (element: Element) => JSON.stringify(element.textContent);

/**
 * Checks that every label of the token timeline can be read at the page's current width:
 * axis labels and token labels lie inside the plot, none overlaps another, no token label
 * is cut, and the now line passes behind the labels it crosses, never over them.
 */
export async function expectTimelineLegible(canvasElement: HTMLElement) {
  const plot = canvasElement.querySelector('[data-testid="timeline-plot"]');
  if (!plot) throw new Error('No token timeline on the page.');
  const area = plot.getBoundingClientRect();
  const axis = Array.from(plot.querySelectorAll('[data-testid="axis-label"]'));
  const tokens = Array.from(plot.querySelectorAll<HTMLElement>('[data-testid="token-label"]'));
  const problems: string[] = [];
  await expect(axis.length).toBeGreaterThan(1);
  await expect(tokens.length).toBeGreaterThan(0);

  for (const [kind, labels] of [['axis label', axis], ['token label', tokens]] as const) {
    labels.forEach((label, i) => {
      const box = label.getBoundingClientRect();
      if (!inside(box, area)) problems.push(`${kind} ${name(label)} reaches outside the plot`);
      for (const other of labels.slice(i + 1)) {
        if (overlap(box, other.getBoundingClientRect())) problems.push(`${kind}s ${name(label)} and ${name(other)} overlap`);
      }
    });
  }
  for (const label of tokens) {
    if (label.scrollWidth > label.clientWidth) problems.push(`token label ${name(label)} is cut`);
  }

  // Where the now line crosses a label, the label must be what the eye meets there.
  const line = plot.querySelector('[data-testid="now-line"]')?.getBoundingClientRect();
  if (line) {
    const lineX = line.left + line.width / 2;
    for (const label of [...tokens, ...plot.querySelectorAll('.tick')]) {
      const box = label.getBoundingClientRect();
      if (lineX <= box.left || lineX >= box.right) continue;
      const seen = label.ownerDocument.elementFromPoint(lineX, box.top + box.height / 2);
      if (!seen || !label.contains(seen)) problems.push(`the now line covers ${name(label)}`);
    }
  }
  await expect(problems).toEqual([]);
}
