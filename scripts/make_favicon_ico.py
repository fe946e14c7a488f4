"""A one-off: draws frontend/favicon.ico from the design of frontend/favicon.svg (a white tick on
the organisation's green). The ICO is committed; run this again only if the design changes:
.venv/bin/python scripts/make_favicon_ico.py"""

from PIL import Image, ImageDraw

S = 8
big = Image.new("RGBA", (32 * S, 32 * S), (0, 0, 0, 0))
d = ImageDraw.Draw(big)
d.rounded_rectangle([0, 0, 32 * S - 1, 32 * S - 1], radius=6 * S, fill="#10605a")
points = [(8 * S, 16.5 * S), (13.5 * S, 22 * S), (24.5 * S, 10 * S)]
d.line(points, fill="white", width=4 * S, joint="curve")
for x, y in (points[0], points[-1]):
    r = 2 * S
    d.ellipse([x - r, y - r, x + r, y + r], fill="white")
big.save("frontend/favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
