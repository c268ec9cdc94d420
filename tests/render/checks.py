"""What a person checks when they look at an email, measured in the rendered page.

One script returns everything: the width the page needs, the headings, and for every
visible piece of text its font size, whether it is small print (the reply line at the
top and the footers) and its contrast ratio with the background behind it (WCAG 2.x
relative luminance, the same formula as ``contrast_ratio`` below).
"""

from __future__ import annotations

CHECKS_JS = r"""
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = ({r, g, b}) => {
    const f = (v) => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (x, y) => { const [a, b] = [lum(x), lum(y)].sort((p, q) => q - p); return (a + 0.05) / (b + 0.05); };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const cs = getComputedStyle(el), fg = parse(cs.color);
    if (!fg) continue;
    const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight, 10) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const r = Math.round(ratio(fg, background(el)) * 100) / 100;
    texts.push({text: n.textContent.trim().slice(0, 40), fontSize: size, small: !!el.closest('.small'),
                ratio: r, passesAA: r >= (large ? 3 : 4.5)});
  }
  const status = document.querySelector('h2.status');
  const h1 = document.querySelector('h1');
  return {
    lang: document.documentElement.lang,
    scrollWidth: document.documentElement.scrollWidth,
    h1Count: document.querySelectorAll('h1').length,
    h1Bottom: h1 && h1.getBoundingClientRect().bottom + scrollY,
    statusBottom: status && status.getBoundingClientRect().bottom + scrollY,
    tablesWithoutRole: document.querySelectorAll('table:not([role="presentation"])').length,
    imagesWithoutAlt: document.querySelectorAll('img:not([alt])').length,
    styleElements: document.querySelectorAll('style').length,
    flexOrGrid: [...document.querySelectorAll('body *')].filter((e) => /flex|grid/.test(getComputedStyle(e).display)).length,
    texts,
  };
}
"""


def luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of "#rrggbb" or "#rgb"."""
    h = hex_colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h

    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(fg: str, bg: str) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
