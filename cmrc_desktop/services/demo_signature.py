"""A plausible hand-written signature for demo experts: a few smooth pen strokes."""

from __future__ import annotations

import io
import math
import random

WIDTH, HEIGHT = 360, 120


def draw_signature(rng: random.Random) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (WIDTH, HEIGHT), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    ink = (20, 40, 120, 255)
    x = 20.0
    for _stroke in range(rng.randint(2, 4)):
        length = rng.uniform(60, 110)
        amplitude = rng.uniform(18, 38)
        loops = rng.uniform(0.7, 1.6)
        phase = rng.uniform(0, math.pi)
        slant = rng.uniform(-0.45, -0.15)
        lift = rng.uniform(-12, 12)
        points = []
        for i in range(90):
            t = i / 89
            wave = math.sin(phase + t * loops * 2 * math.pi)
            y = HEIGHT / 2 + lift * t + amplitude * wave * (1 - 0.5 * t)
            curl = 10 * math.sin(phase + t * loops * 4 * math.pi) * (t > 0.5)
            px = x + t * length + curl + slant * (y - HEIGHT / 2)
            points.append((px, y))
        pen.line(points, fill=ink, width=3, joint="curve")
        x += length + rng.uniform(8, 20)
        if x > WIDTH - 60:
            break
    pen.line([(15, HEIGHT - 22), (min(x, WIDTH - 10), HEIGHT - 30)], fill=ink, width=2)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
