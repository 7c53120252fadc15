package dev.minigradient.model.preprocess;

/**
 * A decoded, upright luminance image: {@code w x h} values in [0,1], row-major (index {@code y * w
 * + x}), as {@link ImageDecoder} makes it and a {@link Layout} lays it out. The array is shared,
 * not copied: a layout may overwrite it.
 *
 * @param v the values, {@code w * h} of them
 * @param w width, px
 * @param h height, px
 */
public record GrayImage(float[] v, int w, int h) {}
