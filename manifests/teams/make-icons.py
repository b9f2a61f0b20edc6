#!/usr/bin/env python3
"""Draws the Teams app icons with no dependencies: color.png (192x192, full-bleed accent with a white shield and
check) and outline.png (32x32, the same shape in white on a transparent background), as Teams requires.
Run from anywhere: python3 manifests/teams/make-icons.py"""
import os
import struct
import zlib

ACCENT = (31, 111, 235)


def inside_shield(x, y):
    # Shield in a unit square: flat top, straight sides to 55%, then curving to a point at the bottom.
    if y < 0.12 or y > 0.9 or x < 0.2 or x > 0.8:
        return False
    if y <= 0.55:
        return True
    half = 0.3 * (1 - ((y - 0.55) / 0.35) ** 1.6)
    return abs(x - 0.5) <= half


def on_check(x, y, width):
    # Check mark: two strokes, (0.33,0.5)->(0.46,0.64) and (0.46,0.64)->(0.68,0.36).
    def near(ax, ay, bx, by):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        px, py = ax + t * dx, ay + t * dy
        return (x - px) ** 2 + (y - py) ** 2 <= width ** 2
    return near(0.33, 0.5, 0.46, 0.64) or near(0.46, 0.64, 0.68, 0.36)


def render(size, pixel):
    samples = 4  # 4x4 supersampling for smooth edges
    rows = []
    for j in range(size):
        row = bytearray([0])  # filter type 0
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(samples):
                for si in range(samples):
                    r, g, b, a = pixel((i + (si + 0.5) / samples) / size, (j + (sj + 0.5) / samples) / size)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            n = samples * samples
            alpha = acc[3] / n
            row += bytes([round(acc[0] / acc[3]) if acc[3] else 0, round(acc[1] / acc[3]) if acc[3] else 0,
                          round(acc[2] / acc[3]) if acc[3] else 0, round(alpha)])
        rows.append(bytes(row))
    return rows


def png(path, size, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def color_pixel(x, y):
    if inside_shield(x, y) and not on_check(x, y, 0.045):
        return (255, 255, 255, 255)
    return (*ACCENT, 255)


def outline_pixel(x, y):
    # Outline icons must be white on transparent: the shield's edge and the check.
    edge = inside_shield(x, y) and not all(inside_shield(x + dx, y + dy) for dx, dy in ((0.07, 0), (-0.07, 0), (0, 0.07), (0, -0.07)))
    return (255, 255, 255, 255) if edge or on_check(x, y, 0.05) else (255, 255, 255, 0)


here = os.path.dirname(os.path.abspath(__file__))
png(os.path.join(here, "color.png"), 192, render(192, color_pixel))
png(os.path.join(here, "outline.png"), 32, render(32, outline_pixel))
print("wrote color.png (192x192) and outline.png (32x32)")
