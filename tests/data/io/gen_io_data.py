#!/usr/bin/python3
"""Generate the small test images of tests/test_io_image.c and
tests/test_io_to_input.c (run from anywhere).

PNG files are written by the minimal encoder below (so every colour type,
bit depth, tRNS and Adam7 interlacing can be produced exactly); JPEG files
need PIL (Debian: python3-pil). The outputs are committed, so the tests do
not need Python. The pixel patterns are recomputed in tests/test_io_image.c and
tests/io_test_util.h (pat_rgb): keep the formulas in sync.
"""
import os
import struct
import zlib

from PIL import Image

OUT = os.path.dirname(os.path.abspath(__file__))


def pat_rgb(x, y):
    return ((x * 37 + y * 11) & 255, (x * 5 + y * 59 + 7) & 255, (x * x + 3 * y) & 255)


def pat_grey(x, y):
    return (x * 29 + y * 41 + 3) & 255


def pat_alpha(x, y):
    return (x * 40 + y * 13) & 255


def chunk(kind, data):
    c = kind + data
    return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)


def pack_row(samples, depth):
    """samples: list of ints (one per sample) -> bytes at the given bit depth."""
    if depth == 8:
        return bytes(samples)
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    out, acc, nbits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << depth) | s
        nbits += depth
        if nbits == 8:
            out.append(acc)
            acc, nbits = 0, 0
    if nbits:
        out.append(acc << (8 - nbits))
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png(name, w, h, ctype, depth, pixel, plte=None, trns=None, interlace=False, extra=b""):
    """pixel(x, y) -> tuple of samples for colour type ctype."""
    raw = bytearray()
    if interlace:
        for x0, y0, dx, dy in ADAM7:
            xs = range(x0, w, dx)
            ys = range(y0, h, dy)
            if len(xs) == 0 or len(ys) == 0:
                continue
            for y in ys:
                raw.append(0)
                raw += pack_row([s for x in xs for s in pixel(x, y)], depth)
    else:
        for y in range(h):
            raw.append(0)
            raw += pack_row([s for x in range(w) for s in pixel(x, y)], depth)
    data = b"\x89PNG\r\n\x1a\n"
    data += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 1 if interlace else 0))
    if plte is not None:
        data += chunk(b"PLTE", b"".join(bytes(c) for c in plte))
    if trns is not None:
        data += chunk(b"tRNS", trns)
    data += extra
    data += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    data += chunk(b"IEND", b"")
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    return data


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    W, H = 7, 5
    rgb8 = png("rgb8.png", W, H, 2, 8, pat_rgb)
    png("grey8.png", W, H, 0, 8, lambda x, y: (pat_grey(x, y),))
    png("grey1.png", W, H, 0, 1, lambda x, y: ((x + y) & 1,))
    png("grey16.png", W, H, 0, 16, lambda x, y: (pat_grey(x, y) * 257 + 100,))
    png("rgba8.png", W, H, 6, 8, lambda x, y: pat_rgb(x, y) + (pat_alpha(x, y),))
    png("rgba16.png", W, H, 6, 16,
        lambda x, y: tuple(v * 257 for v in pat_rgb(x, y) + (pat_alpha(x, y),)))
    png("greya8.png", W, H, 4, 8, lambda x, y: (pat_grey(x, y), pat_alpha(x, y)))
    # 2-bit palette, entry 0 opaque, 1 half transparent, 2 transparent, 3 opaque (no tRNS entry)
    png("palette2.png", W, H, 3, 2, lambda x, y: ((x + 2 * y) % 4,),
        plte=[(255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 20, 30)], trns=bytes([255, 128, 0]))
    # grey with a transparent key value (pat_grey == 3 at (0, 0) and (6, 2))
    png("grey_trns.png", W, H, 0, 8, lambda x, y: (pat_grey(x, y),), trns=struct.pack(">H", 3))
    png("interlaced.png", 13, 11, 2, 8, pat_rgb, interlace=True)
    png("interlaced16a.png", 13, 11, 6, 16,
        lambda x, y: tuple(v * 257 for v in pat_rgb(x, y) + (pat_alpha(x, y),)), interlace=True)

    # Defects.
    big = png("big.png", 64, 48, 2, 8, pat_rgb)  # noise-like: compresses poorly
    write("trunc.png", big[: len(big) // 2])
    write("no_iend.png", big[:-12])
    os.remove(os.path.join(OUT, "big.png"))
    bad = bytearray(rgb8)
    idat = bad.index(b"IDAT")
    bad[idat + 6] ^= 0x55  # inside the IDAT data: the deflate stream breaks first
    write("bad_zlib.png", bytes(bad))
    bad = bytearray(rgb8)
    iend = bad.index(b"IEND")
    bad[iend - 6] ^= 0x55  # the IDAT CRC itself (before IEND's length field)
    write("bad_crc.png", bytes(bad))
    huge = bytearray(rgb8)
    ihdr = huge.index(b"IHDR")
    huge[ihdr + 4: ihdr + 8] = struct.pack(">I", 20000)
    huge[ihdr + 17: ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(huge[ihdr: ihdr + 17])) & 0xFFFFFFFF)
    write("huge.png", bytes(huge))
    write("sig_only.png", rgb8[:5])

    # JPEG (PIL): left half red, right half blue; 4:4:4 so colours stay clean.
    im = Image.new("RGB", (16, 16))
    for y in range(16):
        for x in range(16):
            im.putpixel((x, y), (255, 0, 0) if x < 8 else (0, 0, 255))
    im.save(os.path.join(OUT, "rgb.jpg"), quality=95, subsampling=0)
    g = Image.new("L", (16, 8))
    for y in range(8):
        for x in range(16):
            g.putpixel((x, y), 200 if y < 4 else 40)
    g.save(os.path.join(OUT, "grey.jpg"), quality=95)
    p = Image.new("RGB", (48, 32))
    for y in range(32):
        for x in range(48):
            p.putpixel((x, y), (0, 200, 0) if y < 16 else (250, 250, 250))
    p.save(os.path.join(OUT, "progressive.jpg"), quality=90, progressive=True)

    # A busier picture, so that most of the file is entropy-coded scan data.
    ph = Image.new("RGB", (64, 48))
    for y in range(48):
        for x in range(64):
            ph.putpixel((x, y), pat_rgb(x, y))
    ph.save(os.path.join(OUT, "photo.jpg"), quality=90)
    ph.save(os.path.join(OUT, "photo_prog.jpg"), quality=90, progressive=True)

    rgbj = open(os.path.join(OUT, "rgb.jpg"), "rb").read()
    photo = open(os.path.join(OUT, "photo.jpg"), "rb").read()
    photop = open(os.path.join(OUT, "photo_prog.jpg"), "rb").read()
    write("trunc.jpg", photo[: len(photo) // 2])
    write("trunc_prog.jpg", photop[: len(photop) // 2])
    write("no_eoi.jpg", photo[:-2])
    write("trailing.jpg", rgbj + bytes(100) + b"camera trailer \xff\xd8 junk")
    # An APP1 segment holding a fake thumbnail with its own EOI: the marker
    # walk must skip it, so cutting the main scan is still detected.
    app1_body = b"Exif\x00\x00" + b"\xff\xd8\xff\xdb fake thumbnail \xff\xd9"
    app1 = b"\xff\xe1" + struct.pack(">H", len(app1_body) + 2) + app1_body
    thumb = photo[:2] + app1 + photo[2:]
    write("thumb.jpg", thumb)
    write("thumb_trunc.jpg", thumb[: len(thumb) * 3 // 4])  # cut inside the scan data
    hj = bytearray(rgbj)
    sof = hj.index(b"\xff\xc0")
    hj[sof + 5: sof + 9] = struct.pack(">HH", 20000, 30000)  # height, width
    write("huge.jpg", bytes(hj))
    write("jpeg_named.png", rgbj)  # format comes from the magic, not the name

    # Not images.
    import random
    rnd = random.Random(1234)
    write("garbage.bin", bytes(rnd.randrange(256) for _ in range(1000)))
    write("empty.bin", b"")


if __name__ == "__main__":
    main()
