package dev.minigradient.model.preprocess;

import java.nio.charset.StandardCharsets;

/**
 * Reads the EXIF {@code Orientation} tag (0x0112) of an encoded image without decoding it: from the
 * {@code Exif} APP1 segment of a JPEG, the {@code eXIf} chunk of a PNG or the {@code EXIF} chunk of
 * a WebP file. ImageIO readers return pixels as stored, so a phone photo taken in portrait arrives
 * lying on its side unless this tag is applied.
 *
 * <p>Values follow TIFF/EXIF: 1 normal, 2 mirrored left-right, 3 rotated 180°, 4 mirrored
 * top-bottom, 5 transposed, 6 to be rotated 90° clockwise for display, 7 transversed, 8 to be
 * rotated 90° counter-clockwise. Malformed or missing metadata gives 1; parsing never throws.
 */
final class ExifOrientation {

  /** The tag value meaning "display as stored". */
  static final int NORMAL = 1;

  private static final int TAG_ORIENTATION = 0x0112;

  /** Stop scanning a JPEG after this many bytes (metadata sits at the start). */
  private static final int JPEG_SCAN_LIMIT = 1 << 20;

  private ExifOrientation() {}

  /**
   * Returns the orientation of an encoded image.
   *
   * @param bytes the encoded file
   * @return 1 to 8; 1 when the file has no (valid) orientation tag
   */
  static int of(byte[] bytes) {
    try {
      int o;
      if (bytes.length > 4 && u8(bytes, 0) == 0xFF && u8(bytes, 1) == 0xD8) {
        o = fromJpeg(bytes);
      } else if (bytes.length > 8 && u8(bytes, 0) == 0x89 && ascii(bytes, 1, 3).equals("PNG")) {
        o = fromPng(bytes);
      } else if (bytes.length > 12
          && ascii(bytes, 0, 4).equals("RIFF")
          && ascii(bytes, 8, 4).equals("WEBP")) {
        o = fromWebp(bytes);
      } else {
        o = NORMAL;
      }
      return o >= 1 && o <= 8 ? o : NORMAL;
    } catch (RuntimeException e) {
      return NORMAL; // out-of-range offsets in corrupt metadata
    }
  }

  /**
   * Returns the image as it is meant to be displayed for an EXIF orientation (1 to 8): pixel (x, y)
   * of the result is taken from the stored pixel named in the TIFF 6.0 / EXIF 2.3 table.
   */
  static GrayImage apply(GrayImage g, int orientation) {
    if (orientation <= NORMAL || orientation > 8) {
      return g;
    }
    int w = g.w();
    int h = g.h();
    float[] src = g.v();
    boolean swap = orientation >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    float[] out = new float[src.length];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> {
            sx = w - 1 - x;
            sy = y;
          }
          case 3 -> {
            sx = w - 1 - x;
            sy = h - 1 - y;
          }
          case 4 -> {
            sx = x;
            sy = h - 1 - y;
          }
          case 5 -> {
            sx = y;
            sy = x;
          }
          case 6 -> {
            sx = y;
            sy = h - 1 - x;
          }
          case 7 -> {
            sx = w - 1 - y;
            sy = h - 1 - x;
          }
          default -> {
            sx = w - 1 - y;
            sy = x;
          } // 8
        }
        out[y * ow + x] = src[sy * w + sx];
      }
    }
    return new GrayImage(out, ow, oh);
  }

  private static int fromJpeg(byte[] b) {
    int p = 2;
    int limit = Math.min(b.length, JPEG_SCAN_LIMIT);
    while (p + 4 <= limit) {
      if (u8(b, p) != 0xFF) {
        return NORMAL;
      }
      int marker = u8(b, p + 1);
      if (marker == 0xFF) {
        p++; // fill byte
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        return NORMAL; // start of scan / end of image: no more metadata
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        p += 2; // markers without a length
        continue;
      }
      int length = (u8(b, p + 2) << 8) | u8(b, p + 3);
      if (length < 2) {
        return NORMAL;
      }
      int data = p + 4;
      if (marker == 0xE1 && length >= 8 && ascii(b, data, 6).equals("Exif\0\0")) {
        return fromTiff(b, data + 6, Math.min(b.length, p + 2 + length));
      }
      p += 2 + length;
    }
    return NORMAL;
  }

  private static int fromPng(byte[] b) {
    int p = 8;
    while (p + 8 <= b.length) {
      long length = u32be(b, p);
      String type = ascii(b, p + 4, 4);
      if (length < 0 || length > b.length - p - 8L) {
        return NORMAL;
      }
      if (type.equals("eXIf")) {
        return fromTiff(b, p + 8, p + 8 + (int) length);
      }
      if (type.equals("IDAT") || type.equals("IEND")) {
        return NORMAL; // eXIf must precede the image data
      }
      p += 12 + (int) length;
    }
    return NORMAL;
  }

  private static int fromWebp(byte[] b) {
    int p = 12;
    while (p + 8 <= b.length) {
      String type = ascii(b, p, 4);
      long length = u32le(b, p + 4);
      if (length > b.length - p - 8L) {
        return NORMAL;
      }
      if (type.equals("EXIF")) {
        int start = p + 8;
        // Some writers keep the JPEG-style "Exif\0\0" prefix.
        if (length >= 6 && ascii(b, start, 6).equals("Exif\0\0")) {
          start += 6;
        }
        return fromTiff(b, start, p + 8 + (int) length);
      }
      p += 8 + (int) ((length + 1) & ~1L);
    }
    return NORMAL;
  }

  /** Reads the orientation from IFD0 of a TIFF structure in {@code b[start, end)}. */
  private static int fromTiff(byte[] b, int start, int end) {
    if (end - start < 8) {
      return NORMAL;
    }
    boolean little;
    if (u8(b, start) == 'I' && u8(b, start + 1) == 'I') {
      little = true;
    } else if (u8(b, start) == 'M' && u8(b, start + 1) == 'M') {
      little = false;
    } else {
      return NORMAL;
    }
    if (u16(b, start + 2, little) != 42) {
      return NORMAL;
    }
    long ifd = u32(b, start + 4, little);
    if (ifd < 8 || start + ifd + 2 > end) {
      return NORMAL;
    }
    int p = start + (int) ifd;
    int count = u16(b, p, little);
    p += 2;
    for (int i = 0; i < count && p + 12 <= end; i++, p += 12) {
      if (u16(b, p, little) == TAG_ORIENTATION) {
        int type = u16(b, p + 2, little);
        if (type == 3) { // SHORT
          return u16(b, p + 8, little);
        }
        if (type == 4) { // LONG, seen in some writers
          return (int) Math.min(Integer.MAX_VALUE, u32(b, p + 8, little));
        }
        return NORMAL;
      }
    }
    return NORMAL;
  }

  private static int u8(byte[] b, int i) {
    return b[i] & 0xFF;
  }

  private static int u16(byte[] b, int i, boolean little) {
    return little ? u8(b, i) | (u8(b, i + 1) << 8) : (u8(b, i) << 8) | u8(b, i + 1);
  }

  private static long u32(byte[] b, int i, boolean little) {
    return little ? u32le(b, i) : u32be(b, i);
  }

  private static long u32be(byte[] b, int i) {
    return ((long) u8(b, i) << 24) | (u8(b, i + 1) << 16) | (u8(b, i + 2) << 8) | u8(b, i + 3);
  }

  private static long u32le(byte[] b, int i) {
    return ((long) u8(b, i + 3) << 24) | (u8(b, i + 2) << 16) | (u8(b, i + 1) << 8) | u8(b, i);
  }

  private static String ascii(byte[] b, int i, int n) {
    return new String(b, i, n, StandardCharsets.ISO_8859_1);
  }
}
